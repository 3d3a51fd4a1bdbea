// Where the window opens: where the trader left it, unless that place is no longer on any screen (a monitor
// was unplugged), in which case it opens at the default size centred on the primary work area.
import type { Rect } from './facade.js';
import type { SavedBounds } from './desktop-settings.js';

export const DEFAULT_SIZE = { width: 1280, height: 820 } as const;
export const MIN_SIZE = { width: 640, height: 420 } as const;
/** How much of the title-bar area must be on a screen for the saved position to count as reachable. */
const MIN_VISIBLE = { width: 120, height: 40 } as const;

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

function centred(area: Rect): Rect {
  const width = Math.min(DEFAULT_SIZE.width, area.width);
  const height = Math.min(DEFAULT_SIZE.height, area.height);
  return { x: area.x + Math.round((area.width - width) / 2), y: area.y + Math.round((area.height - height) / 2), width, height };
}

/** `workAreas[0]` is the primary display. */
export function chooseWindowBounds(saved: SavedBounds | null, workAreas: readonly Rect[]): SavedBounds {
  const primary = workAreas[0] ?? { x: 0, y: 0, ...DEFAULT_SIZE };
  if (saved !== null) {
    const width = Math.max(MIN_SIZE.width, saved.width);
    const height = Math.max(MIN_SIZE.height, saved.height);
    const titleBar = { x: saved.x, y: saved.y, width, height: Math.min(height, MIN_VISIBLE.height) };
    const reachable = workAreas.some((area) => {
      const seen = overlap(titleBar, area);
      return seen.width >= MIN_VISIBLE.width && seen.height >= Math.min(MIN_VISIBLE.height, titleBar.height);
    });
    if (reachable) return { x: saved.x, y: saved.y, width, height, maximized: saved.maximized };
  }
  return { ...centred(primary), maximized: saved?.maximized ?? false };
}
