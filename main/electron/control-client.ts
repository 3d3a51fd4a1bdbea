// The shell's client for the agent's control API (loopback, Bearer token): the tray's halt button and the
// live status/notifications come through here, never through the renderer.
import { TRADING_STATES, type TradingState } from '../../shared/trading-state.js';
import { parseAccountReasons, parseAccountStates } from './trading-state-notices.js';
import { desktopChannelOf, parseAccountNames, type DesktopChannel } from './notify-preferences.js';
import { agentEventFrom, SseParser } from '../sse-parser.js';

const REQUEST_TIMEOUT_MS = 5_000;

export class ControlApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ControlApiError';
  }
}

export interface EventSubscription {
  close(): void;
}

const isTradingState = (v: unknown): v is TradingState => typeof v === 'string' && (TRADING_STATES as readonly string[]).includes(v);

export class ControlClient {
  constructor(
    /** e.g. http://127.0.0.1:4781 */
    readonly origin: string,
    private readonly token: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, accept: 'application/json', ...extra };
  }

  async getTradingState(): Promise<TradingState> {
    return this.tradingStateRequest('GET');
  }

  /**
   * GET /api/trading-state whole: the global state, and each account's own (null when the agent answered none), with
   * why each was set (`reason`, and `accountReasons` for the accounts that have one).
   */
  async getTradingStates(): Promise<{ state: TradingState; reason: string | null; accounts: Map<string, TradingState> | null; accountReasons: Map<string, string> }> {
    const { body, status } = await this.request('GET', '/api/trading-state');
    const view = typeof body === 'object' && body !== null ? (body as { state?: unknown; reason?: unknown; accounts?: unknown }) : {};
    if (!isTradingState(view.state)) throw new ControlApiError('The agent answered without a trading state', status);
    return { state: view.state, reason: typeof view.reason === 'string' ? view.reason : null, accounts: parseAccountStates(view.accounts), accountReasons: parseAccountReasons(view.accounts) };
  }

  /** PUT /api/trading-state; resolves to the state the agent reports after the change. */
  async setTradingState(state: TradingState): Promise<TradingState> {
    return this.tradingStateRequest('PUT', state);
  }

  /** The trader's settings for the desktop notification channel: GET /api/notifications `config.desktop`. */
  async getDesktopChannel(): Promise<DesktopChannel> {
    const { body, status } = await this.request('GET', '/api/notifications');
    const channel = desktopChannelOf(typeof body === 'object' && body !== null ? (body as { config?: unknown }).config : undefined);
    if (channel === null) throw new ControlApiError('The agent answered without desktop notification settings', status);
    return channel;
  }

  /** Every account's name by its id: GET /api/accounts `items`. */
  async getAccountNames(): Promise<Map<string, { name: string }>> {
    const { body, status } = await this.request('GET', '/api/accounts');
    const names = parseAccountNames(typeof body === 'object' && body !== null ? (body as { items?: unknown }).items : undefined);
    if (names === null) throw new ControlApiError('The agent answered without a list of accounts', status);
    return names;
  }

  private async tradingStateRequest(method: 'GET' | 'PUT', state?: TradingState): Promise<TradingState> {
    const { body, status } = await this.request(method, '/api/trading-state', state === undefined ? undefined : { state });
    const reported = typeof body === 'object' && body !== null ? (body as { state?: unknown }).state : undefined;
    if (isTradingState(reported)) return reported;
    if (state !== undefined) return state;
    throw new ControlApiError('The agent answered without a trading state', status);
  }

  /** One JSON request; an error names the HTTP status and the agent's code, never the token. */
  private async request(method: 'GET' | 'PUT', path: string, json?: unknown): Promise<{ body: unknown; status: number }> {
    let response: Response;
    try {
      response = await fetch(`${this.origin}${path}`, {
        method,
        headers: this.headers(json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (error) {
      throw new ControlApiError(`The agent did not answer (${error instanceof Error ? error.name : 'error'})`, null);
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const code = typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string' ? (body as { code: string }).code : '';
      throw new ControlApiError(`The agent answered ${response.status}${code === '' ? '' : ` ${code}`}`, response.status);
    }
    return { body, status: response.status };
  }

  /**
   * GET /api/events as a stream. `onEnd` is called once when the stream ends or fails (not after close()),
   * so the caller decides when to reconnect. `onOpen`, when the agent answered: from then on every event reaches
   * `onEvent`, so what is read after it is at least as new as the stream.
   */
  subscribeEvents(onEvent: (event: Record<string, unknown>) => void, onEnd: (error: Error | null) => void, onOpen?: () => void): EventSubscription {
    const controller = new AbortController();
    let closed = false;
    const run = async (): Promise<void> => {
      const response = await fetch(`${this.origin}/api/events`, {
        headers: this.headers({ accept: 'text/event-stream' }),
        signal: controller.signal,
        redirect: 'error',
      });
      if (!response.ok || response.body === null) throw new ControlApiError(`The event stream answered ${response.status}`, response.status);
      if (!closed) onOpen?.();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const message of parser.push(decoder.decode(value, { stream: true }))) {
          const event = agentEventFrom(message);
          if (event !== null && !closed) onEvent(event);
        }
      }
    };
    run().then(
      () => {
        if (!closed) onEnd(null);
      },
      (error: unknown) => {
        if (!closed) onEnd(error instanceof Error ? error : new Error(String(error)));
      },
    );
    return {
      close() {
        closed = true;
        controller.abort();
      },
    };
  }
}
