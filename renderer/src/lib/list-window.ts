// Lists the agent answers in windows ("the newest N", with `truncated` when more match): what the window can say
// honestly about them. A count taken from a cut list is a lower bound ("200+"), never shown as the total; a cut
// list says so and offers more.
import type { SignalView } from '../../../shared/api-types.js';
import { isToday } from './format.js';

/** The most rows one list answer holds (docs/api.md). */
export const MAX_LIST_LIMIT = 5000;

/** The next, larger window of the signals list; undefined at the maximum (then only filters narrow it). */
export function nextLimit(current: number): number | undefined {
  if (current >= MAX_LIST_LIMIT) return undefined;
  return Math.min(MAX_LIST_LIMIT, current < 2000 ? 2000 : current * 2);
}

export interface TruncationNotice {
  text: string;
  /** The larger limit to ask for; undefined when the maximum is reached. */
  more?: number;
}

/** The plain notice for a cut signals list, or undefined when the list holds every match. */
export function truncationNotice(shown: number, limit: number, truncated: boolean | undefined, filtered: boolean): TruncationNotice | undefined {
  if (!truncated) return undefined;
  const more = nextLimit(limit);
  const narrow = filtered ? 'Narrow the filters further' : 'Filter by status or strategy';
  return {
    text: more
      ? `Showing the newest ${shown.toLocaleString('en-US')} signals only: more match. Load more, or ${narrow.toLowerCase()} to find older ones.`
      : `Showing the newest ${shown.toLocaleString('en-US')} signals, the most one list holds: more match. ${narrow} to find older ones.`,
    ...(more !== undefined ? { more } : {}),
  };
}

export interface TodayCount {
  count: number;
  /** "37", or "200+" when the list was cut while still inside today (more of today's rows exist). */
  label: string;
  complete: boolean;
}

/**
 * How many of a newest-first list fall on today. When the list was cut and even its oldest row is from today,
 * today has more rows than the list holds: the count is a lower bound. When the oldest row is older than today,
 * every row of today is in the list and the count is exact.
 */
export function todayCount(times: readonly string[], truncated: boolean | undefined, now = new Date()): TodayCount {
  const count = times.filter((t) => isToday(t, now)).length;
  const oldest = times[times.length - 1];
  const complete = !truncated || oldest === undefined || !isToday(oldest, now);
  return { count, label: complete ? String(count) : `${count}+`, complete };
}

export interface AttentionSignals {
  /** Today's rejected (at the webhook) and failed alerts, newest first: all of them are shown. */
  urgent: SignalView[];
  /** Today's denials, newest first, at most `maxDenied`. */
  denied: SignalView[];
  /** Today's denials not in `denied` (a lower bound when `deniedMore` is set). */
  deniedHidden: number;
  /** The denial list was cut while still inside today: there are more than counted. */
  deniedMore: boolean;
  /** The rejected or failed lists were cut while still inside today. */
  urgentMore: boolean;
}

/**
 * The alerts of today that need the trader: rejections (refused at the webhook: wrong passphrase, broken JSON…)
 * and failures come first and are never pushed out by routine denials, which are capped with a count of the rest.
 * Each input is a newest-first list queried by status, so busy denials cannot hide a rejection.
 */
export function attentionSignals(
  lists: { rejected?: { items: SignalView[]; truncated?: boolean }; failed?: { items: SignalView[]; truncated?: boolean }; denied?: { items: SignalView[]; truncated?: boolean } },
  maxDenied: number,
  now = new Date(),
): AttentionSignals {
  const today = (l?: { items: SignalView[] }) => (l?.items ?? []).filter((s) => isToday(s.receivedAt, now));
  const cutToday = (l?: { items: SignalView[]; truncated?: boolean }) => !todayCount((l?.items ?? []).map((s) => s.receivedAt), l?.truncated, now).complete;
  const urgent = [...today(lists.rejected), ...today(lists.failed)].sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0));
  const deniedToday = today(lists.denied);
  return {
    urgent,
    denied: deniedToday.slice(0, maxDenied),
    deniedHidden: Math.max(0, deniedToday.length - maxDenied),
    deniedMore: cutToday(lists.denied),
    urgentMore: cutToday(lists.rejected) || cutToday(lists.failed),
  };
}
