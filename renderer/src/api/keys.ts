// Query keys in one place, so live events invalidate exactly what they change.
export const keys = {
  status: ['status'] as const,
  strategies: ['strategies'] as const,
  accounts: ['accounts'] as const,
  signalsAll: ['signals'] as const,
  signals: (q: object) => ['signals', 'list', q] as const,
  signal: (id: string) => ['signals', 'one', id] as const,
  ordersAll: ['orders'] as const,
  ordersPage: (q: object, page: number) => ['orders', 'page', q, page] as const,
  ordersList: (q: object) => ['orders', 'list', q] as const,
  order: (id: string) => ['orders', 'one', id] as const,
  positions: ['positions'] as const,
  tradingState: ['trading-state'] as const,
  tunnel: ['tunnel'] as const,
  vault: ['vault'] as const,
  credentials: ['credentials'] as const,
  notifications: ['notifications'] as const,
  /** Under notifications: whatever refreshes the channels refreshes this list too. */
  undelivered: ['notifications', 'undelivered'] as const,
  brokers: ['brokers'] as const,
  approvals: ['approvals'] as const,
  approvalsList: (status: string) => ['approvals', 'list', status] as const,
};
