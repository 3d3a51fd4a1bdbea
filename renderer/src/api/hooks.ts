// Data hooks over the client. Optional endpoints answer `undefined` data plus `notAvailable` instead of an error.
import { keepPreviousData, useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useApi } from './context.js';
import { isNotAvailable } from './client.js';
import { keys } from './keys.js';

export function useStatus() {
  const api = useApi();
  return useQuery({ queryKey: keys.status, queryFn: () => api.status() });
}
export function useStrategies() {
  const api = useApi();
  return useQuery({ queryKey: keys.strategies, queryFn: () => api.strategies().then((r) => r.items) });
}
export function useAccounts() {
  const api = useApi();
  return useQuery({ queryKey: keys.accounts, queryFn: () => api.accounts().then((r) => r.items) });
}
/** Deletes a strategy; the lists that showed it are refetched. */
export function useDeleteStrategy() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.deleteStrategy(id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.strategies });
    },
  });
}
/** Deletes an account (`force`: even when its positions cannot be read); every list that showed it is refetched. */
export function useDeleteAccount() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; force?: boolean }) => api.deleteAccount(v.id, { force: v.force }),
    onSuccess: () => {
      for (const queryKey of [keys.accounts, keys.strategies, keys.positions, keys.tradingState, keys.status]) void qc.invalidateQueries({ queryKey });
    },
  });
}
export function useTradingState() {
  const api = useApi();
  return useQuery({ queryKey: keys.tradingState, queryFn: () => api.tradingState() });
}
export function usePositions() {
  const api = useApi();
  return useQuery({ queryKey: keys.positions, queryFn: () => api.positions(), select: (r) => r.items });
}
/** The whole answer: `items`, and `errors` for the accounts whose broker could not be read. */
export function usePositionsView() {
  const api = useApi();
  return useQuery({ queryKey: keys.positions, queryFn: () => api.positions() });
}
export function useSignals(q: { limit?: number; status?: string; strategyId?: string } = {}) {
  const api = useApi();
  return useQuery({ queryKey: keys.signals(q), queryFn: () => api.signals(q).then((r) => r.items) });
}
/** The whole signals answer: `items` and `truncated` (more match than the list holds). The previous list stays on
 *  screen while a larger window loads. */
export function useSignalList(q: { limit?: number; status?: string; strategyId?: string } = {}) {
  const api = useApi();
  return useQuery({ queryKey: [...keys.signals(q), 'full'], queryFn: () => api.signals(q), placeholderData: keepPreviousData });
}

/** For endpoints a given agent may not have: a 404 means "not available", not an error. */
export function optional<T>(q: UseQueryResult<T>): { data?: T; notAvailable: boolean; error?: Error; isLoading: boolean } {
  const notAvailable = isNotAvailable(q.error);
  return { data: q.data, notAvailable, error: notAvailable ? undefined : (q.error ?? undefined), isLoading: q.isLoading };
}

export function useTunnel() {
  const api = useApi();
  return optional(useQuery({ queryKey: keys.tunnel, queryFn: () => api.tunnel(), retry: (n, e) => !isNotAvailable(e) && n < 2, refetchInterval: 30_000 }));
}
/** Keychain entry names (never values): whether a tunnel token is set. Optional: older agents lack the route. */
export function useCredentialNames() {
  const api = useApi();
  return optional(useQuery({ queryKey: keys.credentials, queryFn: () => api.credentialNames().then((r) => r.items.map((i) => i.name)), retry: (n, e) => !isNotAvailable(e) && n < 2 }));
}
/** Notification channels: settings and whether each can send (outbox counts move, so refetched now and then). */
export function useNotifications() {
  const api = useApi();
  return optional(useQuery({ queryKey: keys.notifications, queryFn: () => api.notifications(), retry: (n, e) => !isNotAvailable(e) && n < 2, refetchInterval: 30_000 }));
}
/** The messages the agent gave up sending (refetched with the channels, whose outbox counts say when one is added). */
export function useUndelivered() {
  const api = useApi();
  return optional(useQuery({ queryKey: keys.undelivered, queryFn: () => api.undelivered({ limit: UNDELIVERED_SHOWN }), retry: (n, e) => !isNotAvailable(e) && n < 2, refetchInterval: 30_000 }));
}
/** How many undelivered messages the window lists at most (the agent keeps up to 500). */
export const UNDELIVERED_SHOWN = 100;
export function useVault() {
  const api = useApi();
  return optional(useQuery({ queryKey: keys.vault, queryFn: () => api.vault(), retry: (n, e) => !isNotAvailable(e) && n < 2 }));
}

/** Orders held for manual approval; refetched on every approval event and once a minute besides. */
export function usePendingApprovals() {
  const api = useApi();
  return optional(useQuery({ queryKey: keys.approvalsList('pending'), queryFn: () => api.approvals({ status: 'pending' }), retry: (n, e) => !isNotAvailable(e) && n < 2, refetchInterval: 60_000 }));
}

export function useBrokers() {
  const api = useApi();
  return optional(useQuery({ queryKey: keys.brokers, queryFn: () => api.brokers(), staleTime: Infinity, retry: (n, e) => !isNotAvailable(e) && n < 2 }));
}

/** One strategy (the same key StrategyDetail uses, under `strategies`, so list invalidations refresh it too). */
export function useStrategy(id: string) {
  const api = useApi();
  return useQuery({ queryKey: [...keys.strategies, id], queryFn: () => api.strategy(id) });
}
/** Saves a strategy's changes; the lists and the strategy's page are refetched. */
export function useUpdateStrategy(id: string) {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Parameters<typeof api.updateStrategy>[1]) => api.updateStrategy(id, body),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.strategies });
    },
  });
}
/** Gives a strategy a new webhook URL (the old one stops working at once). */
export function useRotateWebhook(id: string) {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.rotateWebhook(id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.strategies });
    },
  });
}
/** Replaces an account's keys; the agent tests them first and keeps the old ones when the broker refuses. */
export function useReplaceKeys(id: string) {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (credentials: Record<string, string>) => api.setCredentials(id, credentials),
    onSuccess: () => {
      for (const queryKey of [keys.accounts, keys.positions, keys.status]) void qc.invalidateQueries({ queryKey });
    },
  });
}
