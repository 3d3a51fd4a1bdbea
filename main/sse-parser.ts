// Server-sent events, as the WHATWG spec frames them: lines end in \n, \r\n or \r; a blank line dispatches;
// `data:` lines join with \n; lines starting with ':' are comments (keep-alives). Read by the desktop shell's
// control client and by `viewzenix events`.

export interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;

  /** Feeds a chunk of the stream; returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (match === null) break;
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message !== null) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return null;
      }
      const message = { event: this.event === '' ? 'message' : this.event, data: this.data.join('\n'), id: this.id };
      this.data = [];
      this.event = '';
      return message;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return null;
  }
}

/**
 * The agent event carried by an SSE message: the JSON data, with `type` taken from the SSE event name
 * when the data does not carry one. Null for data that is not a JSON object.
 */
export function agentEventFrom(message: SseMessage): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.data);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const event = parsed as Record<string, unknown>;
  if (typeof event.type !== 'string' && message.event !== 'message') return { ...event, type: message.event };
  return event;
}
