// The window's pages in navigation order: [route, label]. Shared by the navigation and the entry script's early
// rows (early-orders.ts), so both draw the same list.
export const PAGES: readonly (readonly [string, string])[] = [
  ['', 'Dashboard'],
  ['signals', 'Signals'],
  ['orders', 'Orders'],
  ['positions', 'Positions'],
  ['approvals', 'Approvals'],
  ['strategies', 'Strategies'],
  ['accounts', 'Accounts'],
  ['settings', 'Settings'],
];
