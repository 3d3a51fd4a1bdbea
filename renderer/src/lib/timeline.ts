// An order's whole story in time order: the alert, the decision for its account, every order event and fill.
import type { OrderDetail, SignalDetail } from '../api/types.js';

export interface TimelineEntry {
  at: string;
  kind: 'alert' | 'decision' | 'event' | 'fill';
  title: string;
  code?: string;
  detail?: string;
  data?: unknown;
}

const RANK: Record<TimelineEntry['kind'], number> = { alert: 0, decision: 1, event: 2, fill: 3 };

export function orderTimeline(order: OrderDetail, signal?: SignalDetail): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  if (signal) {
    out.push({ at: signal.receivedAt, kind: 'alert', title: `Alert received${signal.symbol ? ` for ${signal.symbol}` : ''}`, data: signal.rawBody });
    for (const d of signal.decisions.filter((x) => x.accountId === order.accountId)) {
      out.push({ at: d.at, kind: 'decision', title: d.verdict === 'order' ? 'Decision: place order' : `Decision: ${d.verdict}`, code: d.code, detail: d.detail, data: d.data });
    }
  }
  for (const e of order.events) {
    const move = e.toStatus && e.fromStatus !== e.toStatus ? `${e.fromStatus ?? 'new'} → ${e.toStatus}` : (e.toStatus ?? '');
    out.push({ at: e.at, kind: 'event', title: `${e.kind.replace(/_/g, ' ')}${move ? ` (${move})` : ''}`, data: e.data, code: codeIn(e.data) });
  }
  for (const f of order.fills) out.push({ at: f.time, kind: 'fill', title: `Fill ${f.quantity} @ ${f.price}`, detail: `trade ${f.tradeId}` });
  // Stable: same-instant entries keep the causal order alert → decision → event → fill.
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || RANK[a.e.kind] - RANK[b.e.kind] || a.i - b.i)
    .map((x) => x.e);
}

function codeIn(data: unknown): string | undefined {
  const c = (data as { code?: unknown } | undefined)?.code;
  return typeof c === 'string' ? c : undefined;
}
