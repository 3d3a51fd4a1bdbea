// Inbox rows for tests that need signals in the main database without going through the webhook route.
import { inboxRowOf, type InboxInsert, type InboxRow } from '../store/inbox-db.js';

/** Alert number `i`: id s<i>, dedupe key k<i>, a queued AAPL buy received at second i. */
export function inboxInsert(i: number, over: Partial<InboxInsert> = {}): InboxInsert {
  return {
    id: `s${i}`,
    strategyId: 'st',
    receivedAt: new Date(Date.UTC(2026, 0, 5, 10, 0, i)).toISOString(),
    rawBody: `{"ticker":"AAPL","action":"buy","i":${i}}`,
    bodyHash: `h${i}`,
    dedupeKey: `k${i}`,
    status: 'queued',
    parsed: { symbol: 'AAPL', action: 'buy' } as unknown as InboxInsert['parsed'],
    symbol: 'AAPL',
    ...over,
  };
}

/** The same alert as the main thread reads it back from the inbox file (row seq = i unless given). */
export function inboxRow(i: number, over: Partial<InboxInsert> & { seq?: number } = {}): InboxRow {
  return { seq: over.seq ?? i, ...inboxRowOf(inboxInsert(i, over)) };
}
