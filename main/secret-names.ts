// The one rule for "this field name holds a secret": an alert's fields (dropped from extras, value redacted in the
// stored body) and a setting's keys (refused as configuration, main/export/credential-keys.ts) are judged alike,
// so a name the config guard refuses is never stored from an alert either. Pure: runs on every alert.
//
// A name is read in words (camelCase, snake_case, kebab-case, spaces, dots: "x-api-key" → x, api, key) and
// as one loose string (lower case, letters and digits only: "xapikey").
//   - A loose stem anywhere makes it secret: passphrase, password, secret, token, apikey, privatekey …
//   - Short words only count as a whole word: "pass", "pwd", "pin", "auth", "sig", "hmac" (so "bypass",
//     "passthrough", "author", "shipping", "signal" are ordinary names).
//   - "key" only as the whole name, or after api/access/private/secret/signing (caught by the stems): a field
//     named "key" is how several bot services take their credential, while "sortKey" is not a secret.
//   - A webhook URL (Discord, Slack) is a credential: names ending in the word "webhook" or holding
//     "webhookurl"/"hookurl"; "webhookId" (the agent's own public id) is not.

/** Stems that make a name secret wherever they appear in its loose form. */
const LOOSE_STEMS = /passphrase|password|passwd|secret|token|apikey|privatekey|accesskey|signingkey|credential|authori[sz]ation|bearer|cookie|signature|hmac|hookurl/;

/** Words that make a name secret only as a whole word of it. */
const SECRET_WORDS = new Set(['pass', 'pwd', 'pw', 'pin', 'auth', 'sig', 'hmac']);

/** Words that end a name as a credential. */
const SECRET_LAST_WORDS = new Set(['webhook']);

/** The words of a name, lower case: "basicAuth" → basic, auth; "HTTPAuth" → http, auth; "x-api-key" → x, api, key. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** Answers for names already judged: alerts repeat the same few names, and the body scan asks for every key. */
const judged = new Map<string, boolean>();
const JUDGED_MAX = 4096;

/** True when a field or setting named `name` holds a secret (see the rules above). */
export function isSecretName(name: string): boolean {
  let secret = judged.get(name);
  if (secret === undefined) {
    secret = judge(name);
    if (judged.size >= JUDGED_MAX) judged.clear();
    judged.set(name, secret);
  }
  return secret;
}

function judge(name: string): boolean {
  const loose = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (loose === '') return false;
  if (LOOSE_STEMS.test(loose)) return true;
  if (loose === 'key') return true;
  const words = nameWords(name);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    // "pass_through" is TradersPost-style pass-through data, not a password.
    if (SECRET_WORDS.has(w) && !(w === 'pass' && words[i + 1] === 'through')) return true;
  }
  const last = words[words.length - 1];
  return last !== undefined && SECRET_LAST_WORDS.has(last);
}

/** "Bearer <token>" in free text: the token is a credential wherever it is pasted. */
export const BEARER_VALUE = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** The text with every "Bearer <token>" token replaced by `marker`. */
export function withoutBearerTokens(text: string, marker: string): string {
  return text.includes('earer') || text.includes('EARER') ? text.replace(BEARER_VALUE, `$1 ${marker}`) : text;
}
