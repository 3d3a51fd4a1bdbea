// The UI's only way to the agent: the control API with the token from the URL fragment (or the Electron preload).
import type { OrderView, StrategyView } from '../../shared/api-types.js';

const TOKEN_KEY = 'viewzenix.token';

export function takeToken(): string | undefined {
  const m = /(?:^|[#&])token=([^&]+)/.exec(window.location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export class ApiClient {
  constructor(private readonly token: string) {}

  async get<T>(path: string): Promise<T> {
    const res = await fetch(path, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) {
      const err = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
      throw new Error(`${err.code ?? res.status}: ${err.message ?? res.statusText}`);
    }
    return (await res.json()) as T;
  }

  strategies(): Promise<{ items: StrategyView[] }> {
    return this.get('/api/strategies');
  }

  orders(): Promise<{ items: OrderView[] }> {
    return this.get('/api/orders?limit=200');
  }
}
