// The body as stored: a secret value is replaced by the marker whatever shape the body is in (the shapes no
// parser reads included), and nothing else is changed, so the trader still sees why the alert failed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlert } from './index.js';
import { REDACTED, redactBody } from './redact-body.js';
import { malformedJson, PRINTABLE } from '../../test-support/malformed-alerts.js';

const SECRET = 'pp-secret-123';

/** As the webhook stores a body: parsed first, then redacted with whatever passphrase the parser found. */
function stored(body: string): string {
  const r = parseAlert(body);
  return redactBody(body, r.ok ? r.passphrase : undefined);
}

describe('a secret is redacted from a body that is not valid JSON', () => {
  it.each([
    ['backslash-escaped copy-paste', '{\\"ticker\\":\\"ZZH\\",\\"action\\":\\"buy\\",\\"passphrase\\":\\"pp-secret-123\\"}', 'ESCAPED_JSON', '{\\"ticker\\":\\"ZZH\\",\\"action\\":\\"buy\\",\\"passphrase\\":\\"[REDACTED]\\"}'],
    ['escaped twice', '{\\\\\\"ticker\\\\\\":\\\\\\"ZZH\\\\\\",\\\\\\"passphrase\\\\\\":\\\\\\"pp-secret-123\\\\\\"}', 'ESCAPED_JSON', '{\\\\\\"ticker\\\\\\":\\\\\\"ZZH\\\\\\",\\\\\\"passphrase\\\\\\":\\\\\\"[REDACTED]\\\\\\"}'],
    ['escaped JSON inside a JSON string', '"{\\"ticker\\":\\"ZZH\\",\\"passphrase\\":\\"pp-secret-123\\"}"', 'ESCAPED_JSON', '"{\\"ticker\\":\\"ZZH\\",\\"passphrase\\":\\"[REDACTED]\\"}"'],
    ['escaped, with escaped new lines', '{\\n  \\"ticker\\": \\"ZZH\\",\\n  \\"passphrase\\"\\n:\\n\\"pp-secret-123\\"\\n}', 'TRUNCATED_JSON', '{\\n  \\"ticker\\": \\"ZZH\\",\\n  \\"passphrase\\"\\n:\\n\\"[REDACTED]\\"\\n}'],
    ['cut off inside the value', '{"ticker":"ZZI","action":"cancel","passphrase":"pp-secret-123', 'TRUNCATED_JSON', '{"ticker":"ZZI","action":"cancel","passphrase":"[REDACTED]'],
    ['cut off after the value', '{"ticker":"ZZI","passphrase":"pp-secret-123","action":"canc', 'TRUNCATED_JSON', '{"ticker":"ZZI","passphrase":"[REDACTED]","action":"canc'],
    ['closing quote missing before the brace', '{"ticker":"ZZI","action":"buy","passphrase":"pp-secret-123}', 'TRUNCATED_JSON', '{"ticker":"ZZI","action":"buy","passphrase":"[REDACTED]'],
    ['closing brace missing', '{"ticker":"ZZI","action":"buy","passphrase":"pp-secret-123"', 'TRUNCATED_JSON', '{"ticker":"ZZI","action":"buy","passphrase":"[REDACTED]"'],
    ['whitespace around the colon', '{"ticker":"ZZI","action":"buy","passphrase" \t:\n  "pp-secret-123",}', 'INVALID_JSON', '{"ticker":"ZZI","action":"buy","passphrase" \t:\n  "[REDACTED]",}'],
    ['single quotes', "{'ticker':'ZZI','action':'buy','passphrase':'pp-secret-123'}", 'INVALID_JSON', "{'ticker':'ZZI','action':'buy','passphrase':'[REDACTED]'}"],
    ['key spellings the parser accepts, twice', '{"ticker":"ZZI","Pass_Phrase":"pp-secret-123","PASS-PHRASE": "pp-secret-123","pass phrase":"pp-secret-123",}', 'INVALID_JSON', '{"ticker":"ZZI","Pass_Phrase":"[REDACTED]","PASS-PHRASE": "[REDACTED]","pass phrase":"[REDACTED]",}'],
    ['a key written with a \\u escape', '{"ticker":"ZZI","pass\\u0070hrase":"pp-secret-123",}', 'INVALID_JSON', '{"ticker":"ZZI","pass\\u0070hrase":"[REDACTED]",}'],
    ['pasted into another field as well', '{"ticker":"ZZI","action":"pp-secret-123","passphrase":"pp-secret-123",}', 'INVALID_JSON', '{"ticker":"ZZI","action":"[REDACTED]","passphrase":"[REDACTED]",}'],
    ['a quote in the secret, pasted unescaped', '{"ticker":"ZZI","passphrase":"pp"secret-123","action":"buy"}', 'TRUNCATED_JSON', '{"ticker":"ZZI","passphrase":"[REDACTED]","action":"buy"}'],
    ['an unquoted value', '{"ticker":"ZZI","passphrase":pp-secret-123,"action":"buy"}', 'INVALID_JSON', '{"ticker":"ZZI","passphrase":[REDACTED],"action":"buy"}'],
    ['3Commas email_token, cut off', '{"message_type":"bot","bot_id":1,"email_token":"pp-secret-123', 'TRUNCATED_JSON', '{"message_type":"bot","bot_id":1,"email_token":"[REDACTED]'],
    ['3Commas secret, escaped', '{\\"secret\\":\\"pp-secret-123\\",\\"bot_uuid\\":\\"u\\",\\"tv_instrument\\":\\"BTCUSDT\\"}', 'ESCAPED_JSON', '{\\"secret\\":\\"[REDACTED]\\",\\"bot_uuid\\":\\"u\\",\\"tv_instrument\\":\\"BTCUSDT\\"}'],
    ['PineConnector secret with spaces, unknown command', '60123456789,moon,EURUSD,secret=pp secret 123,vol_lots=1', 'INVALID_ACTION', '60123456789,moon,EURUSD,secret=[REDACTED],vol_lots=1'],
    ['PineConnector SECRET = "…"', '60123456789,moon,EURUSD,vol_lots=1,SECRET = "pp-secret-123"', 'INVALID_ACTION', '60123456789,moon,EURUSD,vol_lots=1,SECRET = "[REDACTED]"'],
    ['key=value with an unclosed quote', 'ticker=ZZI action=buy passphrase="pp secret 123', 'UNRECOGNISED_FORMAT', 'ticker=ZZI action=buy passphrase="[REDACTED]'],
    ['key=value, the key given twice', 'ticker=ZZI passphrase=pp-secret-123 Passphrase=pp-secret-123', 'INVALID_FIELD', 'ticker=ZZI passphrase=[REDACTED] Passphrase=[REDACTED]'],
    ['key=value, a secret with & and =', 'ticker=ZZI action=moon secret=pp&secret=123', 'INVALID_ACTION', 'ticker=ZZI action=moon secret=[REDACTED]'],
  ])('%s', (_name, body, code, expected) => {
    const r = parseAlert(body);
    expect(r.ok ? 'ok' : r.code).toBe(code);
    for (const canary of [SECRET, 'pp secret 123', 'secret-123']) expect(JSON.stringify(r)).not.toContain(canary);
    expect(stored(body)).toBe(expected);
  });

  it('and from accepted bodies the parser read the passphrase from, in the spelling they wrote it', () => {
    expect(stored('{"ticker":"ZZI","action":"buy","passphrase":"pp\\"secret\\u002d123"}')).toBe('{"ticker":"ZZI","action":"buy","passphrase":"[REDACTED]"}');
    expect(stored('ticker=ZZI action=buy passphrase="pp"secret-123')).toBe('ticker=ZZI action=buy passphrase=[REDACTED]');
    expect(stored('60123456789,buy,EURUSD,vol_lots=1,secret=pp-secret-123')).toBe('60123456789,buy,EURUSD,vol_lots=1,secret=[REDACTED]');
  });

  it('leaves a body without a secret as it is, and other values that mention a secret field readable', () => {
    for (const body of ['{"ticker":"ZZI","action":"buy","time":"2026-03-02T14:31:00Z","note":"a: b"}', '{"ticker":"ZZI","action":"buy"', 'ticker=ZZI action=buy', '60123456789,buy,EURUSD,vol_lots=1', '', 'x']) {
      expect(stored(body)).toBe(body);
    }
    expect(stored('{"ticker":"ZZI","note":"token=abcd1234","action":"buy"}')).toBe('{"ticker":"ZZI","note":"token=[REDACTED]","action":"buy"}');
  });

  it('a quoted secret that starts with a bracket is a string, not a list: the names of the fields after it stay (found by the property below, seed 64863244)', () => {
    const body = '{"ticker":"ZZH","action":"buy","quantity":"1","secret":"[     \\\\","secret":"[     \\\\"}';
    const out = redactBody(body);
    expect(out.startsWith('{"ticker":"ZZH","action":"buy","quantity":"1","secret":"[REDACTED]')).toBe(true);
    expect(out).not.toContain('[     ');
  });

  it('takes time in proportion to the body, however it is built', () => {
    for (const body of [`{"passphrase":"${'\\'.repeat(60_000)}`, ':'.repeat(60_000), `"${'":'.repeat(30_000)}`, `{"secret":${' '.repeat(60_000)}`, `a${'=a'.repeat(30_000)}`, `{"token":"x"${',"token":"x"'.repeat(5_000)}`, `{${Array.from({ length: 4_000 }, (_, i) => `"token":"v${i + 10_000}"`).join(',')}}`]) {
      const t = performance.now();
      redactBody(body);
      // Tens of milliseconds here; a scan that went back over the body for each separator would take seconds.
      expect(performance.now() - t).toBeLessThan(1_000);
    }
  });
});

describe('property: a random secret in random malformed variants of an alert is never stored', () => {
  it('JSON: escaped, cut off anywhere after the value, extra whitespace, single quotes, other key spellings, twice', () => {
    let rejected = 0;
    fc.assert(
      fc.property(malformedJson(), ({ body, secretAt, spellings }) => {
        // A secret that is also part of the rest of the body (or of the marker) cannot be told apart from it.
        const rest = body.slice(0, secretAt) + REDACTED;
        fc.pre(spellings.every((f) => !rest.includes(f) && !'ticker action quantity comment ZZH buy'.includes(f)));
        const r = parseAlert(body);
        if (!r.ok) rejected++;
        const out = redactBody(body, r.ok ? r.passphrase : undefined);
        for (const f of spellings) {
          expect(out).not.toContain(f);
          if (!r.ok) expect(r.message).not.toContain(f);
        }
        // Only the secret is replaced: what comes before it is kept, and the marker is where it was.
        expect(out.startsWith(rest)).toBe(true);
      }),
      { numRuns: 5_000 },
    );
    expect(rejected).toBeGreaterThan(2_500);
  });

  const word = fc.string({ unit: fc.constantFrom(...PRINTABLE.filter((c) => !' ,;|"\''.includes(c))), minLength: 6, maxLength: 24 });

  it('key=value and PineConnector text: a secret in any case of its key, quoted or not, cut off after the value', () => {
    fc.assert(
      fc.property(
        fc.record({
          secret: word,
          words: fc.array(word, { minLength: 0, maxLength: 2 }),
          key: fc.constantFrom('passphrase', 'PASSPHRASE', 'Passphrase', 'secret', 'Secret'),
          q: fc.constantFrom('', '"', "'"),
          pine: fc.boolean(),
          command: fc.constantFrom('buy', 'moon'),
          cut: fc.option(fc.nat(), { nil: undefined }),
        }),
        (v) => {
          // PineConnector values run to the next comma, so they may hold spaces; key=value values are one token.
          const value = v.pine ? [v.secret, ...v.words].join(' ') : v.secret;
          const head = v.pine ? `60123456789,${v.command},EURUSD,vol_lots=1,${v.key}=${v.q}` : `ticker=ZZH action=${v.command} ${v.key}=${v.q}`;
          const whole = `${head}${value}${v.q}${v.pine ? ',comment="a, b"' : ' quantity=1'}`;
          const end = head.length + value.length;
          const body = v.cut === undefined ? whole : whole.slice(0, end + (v.cut % (whole.length - end + 1)));
          fc.pre(!head.includes(v.secret) && !REDACTED.includes(v.secret));
          const r = parseAlert(body);
          const out = redactBody(body, r.ok ? r.passphrase : undefined);
          expect(out).not.toContain(v.secret);
          if (!r.ok) expect(r.message).not.toContain(v.secret);
          // PineConnector keeps single quotes in the value it reads, and that value is replaced with them.
          expect(out.startsWith(head + REDACTED) || out.startsWith(head.slice(0, head.length - v.q.length) + REDACTED)).toBe(true);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
