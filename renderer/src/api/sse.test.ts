import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

describe('SSE parser', () => {
  it('returns a message only when its blank line arrives, across chunk boundaries', () => {
    const p = new SseParser();
    expect(p.push('event: order\nda')).toEqual([]);
    expect(p.push('ta: {"a":1}\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'order', data: '{"a":1}' }]);
  });

  it('skips comments and keep-alives, joins multi-line data, and accepts CRLF', () => {
    const p = new SseParser();
    expect(p.push(': connected\r\n\r\n: ping\n\nevent: signal\r\ndata: one\r\ndata: two\r\n\r\n')).toEqual([{ event: 'signal', data: 'one\ntwo' }]);
  });

  it('a CR at the end of a chunk waits for a possible LF instead of ending an empty line early', () => {
    const p = new SseParser();
    expect(p.push('data: x\r')).toEqual([]);
    expect(p.push('\n\r')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('defaults the event name to message and resets it between messages', () => {
    const p = new SseParser();
    expect(p.push('event: order\ndata: 1\n\ndata: 2\n\n')).toEqual([
      { event: 'order', data: '1' },
      { event: 'message', data: '2' },
    ]);
  });
});
