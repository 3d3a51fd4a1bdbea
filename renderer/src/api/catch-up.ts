// What the window may have missed before its event stream opened. The agent subscribes the stream before its first
// byte, so everything answered before the stream opened may predate the subscription: an account halted between
// the first load and the stream's open would otherwise stay "active" on screen until the next event.
import type { QueryClient } from '@tanstack/react-query';

/**
 * Refetches every loaded query once the stream is open. A query still loading is not interrupted (its answer may be
 * on its way): it is refetched once when that load ends. Returns a function that stops waiting for those loads.
 */
export function catchUpAfterOpen(qc: QueryClient): () => void {
  const cache = qc.getQueryCache();
  const loading = new Set(cache.getAll().filter((q) => q.state.fetchStatus === 'fetching').map((q) => q.queryHash));
  void qc.invalidateQueries({ predicate: (q) => !loading.has(q.queryHash) }, { cancelRefetch: false });
  if (loading.size === 0) return () => {};
  const stop = cache.subscribe((e) => {
    const q = e.query;
    if (e.type === 'removed') loading.delete(q.queryHash);
    else if (loading.has(q.queryHash) && q.state.fetchStatus === 'idle') {
      loading.delete(q.queryHash);
      void qc.invalidateQueries({ queryKey: q.queryKey, exact: true });
    }
    if (loading.size === 0) stop();
  });
  return stop;
}
