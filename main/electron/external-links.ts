// The one door from the app to the system browser. Everything that wants to open a link (window.open,
// target=_blank, the preload's openExternal) comes through openExternalSafely, so the rules live here once:
// only http(s) to a real, non-local host, no credentials, nothing the URL parser would have to guess about.

const MAX_URL_LENGTH = 2048;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export type ExternalUrlVerdict = { ok: true; href: string } | { ok: false; reason: string };

function isLocalHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  const v4 = IPV4.exec(hostname);
  if (v4) {
    const first = Number(v4[1]);
    return first === 127 || first === 0 || hostname === '255.255.255.255' || (first === 169 && Number(v4[2]) === 254);
  }
  if (hostname.startsWith('[')) {
    const v6 = hostname.slice(1, -1);
    return v6 === '::1' || v6 === '::' || v6.startsWith('::ffff:') || v6.startsWith('fe80:');
  }
  return false;
}

function isValidHost(hostname: string): boolean {
  if (hostname.length === 0 || hostname.length > 253) return false;
  if (hostname.startsWith('[') && hostname.endsWith(']')) return true; // the URL parser validated the IPv6 literal
  const v4 = IPV4.exec(hostname);
  if (v4) return v4.slice(1).every((octet) => Number(octet) <= 255);
  const labels = (hostname.endsWith('.') ? hostname.slice(0, -1) : hostname).split('.');
  // A bare single label ("intranet") is not a public host, and a numeric TLD means a mangled IP.
  if (labels.length < 2 || /^\d+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((label) => DNS_LABEL.test(label));
}

/** Whitespace, C0/C1 control characters and backslashes. */
function hasUnsafeCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f) || char === '\\' || /\s/u.test(char)) return true;
  }
  return false;
}

/** Decides whether a URL may be handed to the operating system. Pure; see openExternalSafely. */
export function checkExternalUrl(candidate: unknown): ExternalUrlVerdict {
  if (typeof candidate !== 'string') return { ok: false, reason: 'not a string' };
  if (candidate.length === 0 || candidate.length > MAX_URL_LENGTH) return { ok: false, reason: 'empty or too long' };
  // The WHATWG parser silently strips or rewrites these; refuse instead of guessing what was meant.
  if (hasUnsafeCharacter(candidate)) return { ok: false, reason: 'whitespace, control character or backslash' };
  if (!/^https?:\/\//i.test(candidate)) return { ok: false, reason: 'only http:// and https:// links are opened' };
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'only http and https' };
  const authority = candidate.replace(/^https?:\/\//i, '').split(/[/?#]/)[0] ?? '';
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
    return { ok: false, reason: 'credentials in the URL' };
  }
  if (!isValidHost(url.hostname)) return { ok: false, reason: 'not a valid host name' };
  // The control UI lives on loopback with its token in the fragment: it must never reach a browser history.
  if (isLocalHost(url.hostname)) return { ok: false, reason: 'local addresses are not opened externally' };
  return { ok: true, href: url.href };
}

/**
 * Opens `url` in the system browser if, and only if, checkExternalUrl accepts it. Resolves to whether it
 * was opened; never throws for a refused URL (a hostile page must not learn anything from an exception).
 */
export async function openExternalSafely(url: unknown, open: (href: string) => Promise<void>): Promise<boolean> {
  const verdict = checkExternalUrl(url);
  if (!verdict.ok) return false;
  try {
    await open(verdict.href);
    return true;
  } catch {
    return false;
  }
}
