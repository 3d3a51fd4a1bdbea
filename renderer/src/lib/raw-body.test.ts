import { describe, expect, it } from 'vitest';
import { indentJsonText } from './raw-body.js';

/** The tokens of a text with all whitespace outside strings removed: what must survive re-indenting. */
function squeeze(text: string): string {
  return text.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_m, s: string | undefined) => s ?? '');
}

describe('indentJsonText re-indents without changing a value', () => {
  const raw = '{"ticker":"DUPK","action":"sell","action":"buy","quantity":1.10,"price":190.12345678901234567890}';

  it('keeps a repeated key, 1.10 and a long price exactly as received', () => {
    const pretty = indentJsonText(raw)!;
    expect(pretty).toBe('{\n  "ticker": "DUPK",\n  "action": "sell",\n  "action": "buy",\n  "quantity": 1.10,\n  "price": 190.12345678901234567890\n}');
    expect(squeeze(pretty)).toBe(raw);
  });

  it('keeps strings with escapes, braces, commas and spaces inside them untouched', () => {
    const text = '{"comment":"a, b: {c} [d] \\"q\\"  two  spaces","n":[1 , 2,{"x":null}],"e":{},"a":[]}';
    const pretty = indentJsonText(text)!;
    expect(pretty).toContain('"a, b: {c} [d] \\"q\\"  two  spaces"');
    expect(pretty).toContain('"e": {}');
    expect(pretty).toContain('"a": []');
    expect(squeeze(pretty)).toBe(squeeze(text));
  });

  it('gives no pretty view for text that is not a JSON object or array', () => {
    expect(indentJsonText('ticker=AAPL action=buy')).toBeUndefined();
    expect(indentJsonText('{"ticker":"AAPL","action":"bu')).toBeUndefined();
    expect(indentJsonText('{"a":1]')).toBeUndefined();
    expect(indentJsonText('{"a":1}}')).toBeUndefined();
  });
});
