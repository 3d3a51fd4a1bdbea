// Generators for the secret-redaction properties: an alert whose secret field holds a random secret, written
// the ways a trader's alert goes wrong (backslash-escaped copy-pastes, cut-off messages, extra white space,
// single quotes, the key in another spelling the parsers accept, the secret given twice or pasted elsewhere).
import fc from 'fast-check';

export const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

/** Any printable ASCII, quotes and backslashes included. */
export const secretText = fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 6, maxLength: 24 });

/** Every spelling of a secret field the parsers read: native (any case, "_", "-" and spaces), 3Commas, others. */
const secretKey = fc.constantFrom('passphrase', 'Passphrase', 'PASSPHRASE', 'pass_phrase', 'Pass-Phrase', 'pass phrase', 'passPhrase', 'secret', 'email_token', 'password', 'api_key', 'token');
const space = fc.constantFrom('', ' ', '  ', '\t', '\n', ' \n\t ');

type Quote = '"' | "'";

/** The text as a copy-paste that escaped it `level` times. */
export function escape(s: string, level: number): string {
  return level === 0 ? s : escape(JSON.stringify(s).slice(1, -1), level - 1);
}

/** A value written as a string in quotes `q`. */
function quoted(value: string, q: Quote): string {
  return q === '"' ? JSON.stringify(value) : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export interface MalformedJson {
  /** The secret in the body. */
  secret: string;
  /** Every way the secret can be written in this body (as is, in its quotes, escaped up to the body's level). */
  spellings: string[];
  body: string;
  /** Where the first copy of the secret starts in the body: everything before it must be kept as it is. */
  secretAt: number;
}

/**
 * An alert with `secret` in a secret field, at escape level 0 (valid JSON unless cut or single-quoted) to 2,
 * possibly wrapped in quotes, and possibly cut anywhere after the last copy of the secret.
 */
export function malformedJson(secret: fc.Arbitrary<string> = secretText): fc.Arbitrary<MalformedJson> {
  return fc
    .record({
      secret,
      key: secretKey,
      q: fc.constantFrom<Quote>('"', '"', "'"),
      before: space,
      after: space,
      between: space,
      position: fc.nat({ max: 3 }),
      again: fc.option(secretKey, { nil: undefined }),
      pasted: fc.boolean(),
      level: fc.constantFrom(0, 1, 1, 2),
      wrapped: fc.boolean(),
      cut: fc.option(fc.nat(), { nil: undefined }),
    })
    .map((v) => {
      const field = (k: string, value: string): string => `${quoted(k, v.q)}${v.before}:${v.after}${quoted(value, v.q)}`;
      const fields = [field('ticker', 'ZZH'), field('action', 'buy'), field('quantity', '1')];
      const keyed = field(v.key, v.secret);
      fields.splice(1 + v.position, 0, keyed);
      if (v.pasted) fields.push(field('comment', v.secret));
      if (v.again !== undefined) fields.push(field(v.again, v.secret));
      const whole = `{${v.between}${fields.join(`,${v.between}`)}${v.between}}`;
      const value = quoted(v.secret, v.q);
      const valueEnd = whole.indexOf(keyed) + keyed.length - 1;
      const lastEnd = whole.lastIndexOf(value) + value.length - 1;
      // Escaping is character by character, so positions carry over.
      let body = escape(whole, v.level);
      let secretAt = escape(whole.slice(0, valueEnd - value.length + 2), v.level).length;
      let secretEnd = escape(whole.slice(0, Math.max(valueEnd, lastEnd)), v.level).length;
      if (v.wrapped && v.level > 0) {
        body = `"${body}"`;
        secretAt++;
        secretEnd++;
      }
      if (v.cut !== undefined) body = body.slice(0, secretEnd + (v.cut % (body.length - secretEnd + 1)));
      const inner = value.slice(1, -1);
      const spellings = [...new Set([v.secret, inner, ...[1, 2].filter((l) => l <= v.level).map((l) => escape(inner, l))])];
      return { secret: v.secret, spellings, body, secretAt };
    });
}
