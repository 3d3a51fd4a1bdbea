// Entry names say what a secret is for, so the keychain stays readable to the trader and a typo cannot
// silently create a second, unused entry. Names are not secret; values are.

const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._-]{0,63}';
const FIELD = '[A-Za-z][A-Za-z0-9_-]{0,31}';

const PATTERNS: readonly RegExp[] = [
  // broker:<account-id>:<field>   e.g. broker:alpaca-paper-1:apiKey
  new RegExp(`^broker:${SEGMENT}:${FIELD}$`),
  // tunnel:<provider>:<field>     e.g. tunnel:ngrok:authtoken, tunnel:cloudflared:token
  new RegExp(`^tunnel:(ngrok|cloudflared|localtunnel):${FIELD}$`),
  // notify:<channel>[:<field>]    e.g. notify:telegram, notify:discord:webhook
  new RegExp(`^notify:${FIELD}(:${FIELD})?$`),
];

export const SECRET_NAME_RULES =
  'broker:<account-id>:<field>, tunnel:<ngrok|cloudflared|localtunnel>:<field> or notify:<channel>[:<field>] ' +
  '(letters, digits, ".", "_", "-"; account id up to 64 characters, field up to 32)';

export function isSecretName(name: unknown): name is string {
  return typeof name === 'string' && PATTERNS.some((p) => p.test(name));
}

export class InvalidSecretNameError extends Error {
  readonly code = 'SECRET_NAME_INVALID';
  constructor(name: unknown) {
    // The rejected name is echoed shortened: a caller who passed a value by mistake must not see it in a log.
    super(`Not a valid credential name (${describeRejected(name)}). Use ${SECRET_NAME_RULES}.`);
    this.name = 'InvalidSecretNameError';
  }
}

export function assertSecretName(name: unknown): asserts name is string {
  if (!isSecretName(name)) throw new InvalidSecretNameError(name);
}

/** Fixed prefix of the environment variables the read-only fallback reads. */
export const ENV_PREFIX = 'VIEWZENIX_SECRET_';

/**
 * `broker:alpaca-1:apiKey` -> `VIEWZENIX_SECRET_BROKER_ALPACA_1_APIKEY`: upper-cased, every character that is
 * not A-Z or 0-9 becomes `_`. The mapping is one-way (case and punctuation are lost), which is why the
 * environment fallback can answer "what is X" but cannot list entries.
 */
export function envVarName(name: string): string {
  assertSecretName(name);
  return ENV_PREFIX + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function describeRejected(name: unknown): string {
  if (typeof name !== 'string') return `a ${name === null ? 'null' : typeof name}`;
  if (name.length === 0) return 'empty';
  const purpose = /^[a-z]{1,10}:/.exec(name)?.[0];
  return `${name.length} characters${purpose ? `, starting "${purpose}"` : ''}`;
}
