// Drives live updates: every agent event invalidates the queries it affects. Invalidations are coalesced so a
// burst of order updates costs one refetch per visible query, not one per event.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { AgentEvent } from '../../../shared/api-types.js';
import { openEventStream, type StreamState } from './sse.js';
import { catchUpAfterOpen } from './catch-up.js';
import { LiveContext, type Notice } from './context.js';
import { keys } from './keys.js';

/** Which queries an event makes stale. */
export function affectedKeys(e: AgentEvent): QueryKey[] {
  switch (e.type) {
    case 'order':
      return [keys.ordersAll, keys.order(e.order.id), keys.signalsAll, keys.positions, keys.status];
    case 'signal':
      return [keys.signalsAll, keys.status];
    case 'trading-state':
      return [keys.tradingState, keys.status];
    case 'position':
      return [keys.positions];
    case 'notice':
      return [keys.tunnel, keys.status];
    case 'tunnel':
      // The public URL is part of every strategy's webhook URL.
      return [keys.tunnel, keys.status, keys.strategies];
    case 'risk-limit':
      return [keys.tradingState, keys.status];
    case 'drift':
      return [keys.positions, keys.status];
    case 'agent':
      return [keys.status];
    case 'approval-waiting':
      return [keys.approvals, keys.ordersAll, keys.status];
    case 'approval':
      // Approved → an order appears; rejected / expired → a decision on the signal.
      return [keys.approvals, keys.ordersAll, keys.signalsAll, keys.status];
    case 'notification-settings':
      return [keys.notifications];
    case 'accounts':
      return [keys.accounts];
  }
}

export function LiveProvider({ token, children }: { token: string; children: ReactNode }) {
  const qc = useQueryClient();
  const [stream, setStream] = useState<StreamState>('connecting');
  const [detail, setDetail] = useState<string>();
  const [notices, setNotices] = useState<Notice[]>([]);
  const pending = useRef(new Map<string, QueryKey>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const nextId = useRef(1);

  const flush = useCallback(() => {
    timer.current = undefined;
    const list = [...pending.current.values()];
    pending.current.clear();
    for (const queryKey of list) void qc.invalidateQueries({ queryKey });
  }, [qc]);

  useEffect(() => {
    let stopCatchUp = (): void => {};
    const stop = openEventStream({
      url: '/api/events',
      token,
      onState: (s, d) => {
        setStream(s);
        setDetail(d);
      },
      // After a drop everything is refetched; on the first connect, what loaded before the stream opened is
      // refetched without cancelling the loads still on their way (catch-up.ts).
      onOpen: (reconnected) => {
        if (reconnected) void qc.invalidateQueries();
        else stopCatchUp = catchUpAfterOpen(qc);
      },
      onEvent: (e) => {
        if (e.type === 'trading-state') qc.setQueryData(keys.tradingState, e.state);
        if (e.type === 'notice') {
          const id = nextId.current++;
          setNotices((n) => [{ id, at: new Date().toISOString(), level: e.level, code: e.code, message: e.message }, ...n].slice(0, 50));
        }
        for (const k of affectedKeys(e)) pending.current.set(JSON.stringify(k), k);
        timer.current ??= setTimeout(flush, 150);
      },
    });
    return () => {
      stop();
      stopCatchUp();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [token, qc, flush]);

  // While the stream is down, poll so the window never silently shows stale numbers.
  useEffect(() => {
    if (stream === 'open') return;
    const t = setInterval(() => void qc.invalidateQueries(), 5000);
    return () => clearInterval(t);
  }, [stream, qc]);

  const dismiss = useCallback((id: number) => setNotices((n) => n.filter((x) => x.id !== id)), []);
  const value = useMemo(() => ({ stream, detail, notices, dismiss }), [stream, detail, notices, dismiss]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
