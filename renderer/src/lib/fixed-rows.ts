// Windowing for a list of fixed-height rows: which rows are under the viewport is arithmetic on scrollTop, so the
// cost does not grow with the row count. (A general virtualiser keeps one measurement object per row: with
// 100,000 orders that is 100,000 objects rebuilt whenever the total changes, on the way to the first rows.)
import { useLayoutEffect, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';

export interface RowWindow {
  /** First row index to render (inclusive). */
  start: number;
  /** Last row index to render (inclusive); start - 1 when there is none. */
  end: number;
  /** Height of the whole list in pixels: the scrollbar stays exact. */
  totalHeight: number;
}

/** The rows under a viewport of `height` px scrolled to `scrollTop`, widened by `overscan` rows each side. */
export function rowWindow(count: number, rowHeight: number, scrollTop: number, height: number, overscan: number): RowWindow {
  const totalHeight = count * rowHeight;
  if (count <= 0) return { start: 0, end: -1, totalHeight };
  const first = Math.min(count - 1, Math.max(0, Math.floor(scrollTop / rowHeight)));
  const last = Math.min(count - 1, Math.max(first, Math.ceil((scrollTop + Math.max(height, 0)) / rowHeight) - 1));
  return { start: Math.max(0, first - overscan), end: Math.min(count - 1, last + overscan), totalHeight };
}

/** Tracks the scroll element's offset and height. Before the first measure it assumes the window's height, so
 *  the first render already holds rows (overscan covers the difference). */
export function useFixedRows(scrollRef: RefObject<HTMLElement | null>, count: number, rowHeight: number, overscan: number): RowWindow {
  const [view, setView] = useState(() => ({ top: 0, height: typeof window === 'undefined' ? 0 : window.innerHeight }));
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const read = () => setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    read();
    // Synchronous on scroll, so a fast fling never paints an empty band before the rows arrive.
    const onScroll = () => flushSync(read);
    el.addEventListener('scroll', onScroll, { passive: true });
    const ro = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(read);
    ro?.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro?.disconnect();
    };
  }, [scrollRef]);
  return rowWindow(count, rowHeight, view.top, view.height, overscan);
}
