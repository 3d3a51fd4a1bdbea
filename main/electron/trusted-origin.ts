// The window trusts exactly one origin: the agent's control UI on loopback. Navigation, IPC and the CSP all
// compare against it, so it is parsed once here and anything that is not plain http on loopback is refused.

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export interface AgentUi {
  /** e.g. http://127.0.0.1:4781 */
  readonly origin: string;
  /** The URL the window loads, fragment (with the token) included. */
  readonly url: string;
  /** The control token from the `#token=` fragment, if present. */
  readonly token: string | null;
}

export function parseAgentUiUrl(candidate: unknown): AgentUi | null {
  if (typeof candidate !== 'string' || candidate.length > 4096) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || url.port === '') return null;
  if (url.username !== '' || url.password !== '') return null;
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  return { origin: url.origin, url: url.href, token: token === null || token === '' ? null : token };
}

/** True when `url` is on exactly `origin` (scheme, host and port). A null on either side is never trusted. */
export function isOnOrigin(url: string | null | undefined, origin: string | null | undefined): boolean {
  if (typeof url !== 'string' || typeof origin !== 'string' || origin === 'null') return false;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
