// Server-sent events over fetch + ReadableStream: EventSource cannot send the Bearer header, and the token must
// never be in a URL. Reconnects with growing delays; `onOpen` lets the caller refetch what it may have missed.
import type { AgentEvent } from '../../../shared/api-types.js';

export interface SseMessage {
  event: string;
  data: string;
}

/** Incremental parser of the text/event-stream format: feed chunks, get complete messages. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const sepLen = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (sepLen === 1 && this.buffer[nl] === '\r' && nl === this.buffer.length - 1) break;
      this.buffer = this.buffer.slice(nl + sepLen);
      if (line === '') {
        if (this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n') });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue; // comment / keep-alive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
    }
    return out;
  }
}

export type StreamState = 'connecting' | 'open' | 'closed';

export interface EventStreamOptions {
  url: string;
  token: string;
  onEvent: (event: AgentEvent) => void;
  onState?: (state: StreamState, detail?: string) => void;
  /** Called on every connect; `reconnected` is true after a drop (refetch what may have changed meanwhile). */
  onOpen?: (reconnected: boolean) => void;
  /** Delays in ms between reconnects; the last repeats. */
  backoffMs?: readonly number[];
}

export function openEventStream(o: EventStreamOptions): () => void {
  const backoff = o.backoffMs ?? [500, 1000, 2000, 5000, 10000];
  let attempt = 0;
  let opened = 0;
  let stopped = false;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const run = async (): Promise<void> => {
    controller = new AbortController();
    o.onState?.('connecting');
    try {
      const res = await fetch(o.url, { headers: { authorization: `Bearer ${o.token}`, accept: 'text/event-stream' }, signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(res.status === 401 ? 'The control token was refused.' : `The event stream answered HTTP ${res.status}.`);
      attempt = 0;
      o.onState?.('open');
      o.onOpen?.(opened++ > 0);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const m of parser.push(value)) {
          try {
            o.onEvent(JSON.parse(m.data) as AgentEvent);
          } catch {
            /* a malformed message is skipped; the next refetch repairs the view */
          }
        }
      }
      throw new Error('The event stream ended.');
    } catch (err) {
      if (stopped) return;
      o.onState?.('closed', (err as Error).message);
      const delay = backoff[Math.min(attempt, backoff.length - 1)] ?? 5000;
      attempt++;
      timer = setTimeout(() => void run(), delay);
    }
  };
  void run();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
  };
}
