// The hash route as plain strings (#/orders/ord_1 → ['orders', 'ord_1']), without React, so the entry script can
// read it before the UI code loads.
export function currentPath(): string {
  const h = window.location.hash.replace(/^#/, '');
  return h.startsWith('/') ? h : '/';
}

export function routeSegments(path = currentPath()): string[] {
  return path.split('?')[0]!.split('/').filter(Boolean).map(decodeURIComponent);
}
