// The shell's client for the agent's control API (loopback, Bearer token): the tray's halt button and the
// live status/notifications come through here, never through the renderer.
import { TRADING_STATES, type TradingState } from '../../shared/trading-state.js';
import { agentEventFrom, SseParser } from './sse-parser.js';

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

  /** PUT /api/trading-state; resolves to the state the agent reports after the change. */
  async setTradingState(state: TradingState): Promise<TradingState> {
    return this.tradingStateRequest('PUT', state);
  }

  private async tradingStateRequest(method: 'GET' | 'PUT', state?: TradingState): Promise<TradingState> {
    let response: Response;
    try {
      response = await fetch(`${this.origin}/api/trading-state`, {
        method,
        headers: this.headers(state === undefined ? {} : { 'content-type': 'application/json' }),
        ...(state === undefined ? {} : { body: JSON.stringify({ state }) }),
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
    const reported = typeof body === 'object' && body !== null ? (body as { state?: unknown }).state : undefined;
    if (isTradingState(reported)) return reported;
    if (state !== undefined) return state;
    throw new ControlApiError('The agent answered without a trading state', response.status);
  }

  /**
   * GET /api/events as a stream. `onEnd` is called once when the stream ends or fails (not after close()),
   * so the caller decides when to reconnect.
   */
  subscribeEvents(onEvent: (event: Record<string, unknown>) => void, onEnd: (error: Error | null) => void): EventSubscription {
    const controller = new AbortController();
    let closed = false;
    const run = async (): Promise<void> => {
      const response = await fetch(`${this.origin}/api/events`, {
        headers: this.headers({ accept: 'text/event-stream' }),
        signal: controller.signal,
        redirect: 'error',
      });
      if (!response.ok || response.body === null) throw new ControlApiError(`The event stream answered ${response.status}`, response.status);
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
