// Small, single-purpose checks for the control listener, each tested on its own.
import crypto from 'node:crypto';

/** Constant-time comparison of a presented secret with the expected one (lengths leak nothing either:
 *  both sides are hashed first). */
export function safeEqual(presented: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** DNS-rebinding defence: the Host header must name the loopback address and our port. */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  return allowed.includes(host.toLowerCase());
}

/** A browser's Origin, when present, must be our own UI origin (or an Electron window loading it). */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true; // not a browser cross-origin request (curl, the CLI)
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`].includes(origin.toLowerCase());
}

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}

/**
 * The one forwarded-address header the webhook listener believes, and only from a loopback peer (the local tunnel
 * client): the header the running tunnel provider itself sets, never one a sender could have put in the request.
 * - Cloudflare's edge overwrites `CF-Connecting-IP` with the address that connected to it, so behind cloudflared
 *   that header is the sender; `X-Forwarded-For` is not read there.
 * - ngrok appends the sender's address to `X-Forwarded-For` (keeping whatever the sender put in it before) and passes
 *   any other header such as `CF-Connecting-IP` through unchanged; the public localtunnel server (nginx) and a
 *   reverse proxy behind the manual provider append to `X-Forwarded-For` likewise. So there only the right-most
 *   `X-Forwarded-For` entry, the one the tunnel appended, is the sender; `CF-Connecting-IP` is not read.
 */
export type ForwardedHeader = 'cf-connecting-ip' | 'x-forwarded-for';

/** The header to believe for a tunnel provider (none configured: `X-Forwarded-For`, as for a reverse proxy). */
export function forwardedHeaderFor(provider: string | null | undefined): ForwardedHeader {
  return provider === 'cloudflared' ? 'cf-connecting-ip' : 'x-forwarded-for';
}

/** Passphrases are stored as salted hashes, never as text. */
export function hashPassphrase(passphrase: string, salt = crypto.randomBytes(16).toString('hex')): string {
  const h = crypto.createHash('sha256').update(`${salt}\u0000${passphrase}`).digest('hex');
  return `sha256:${salt}:${h}`;
}

export function verifyPassphrase(passphrase: string, stored: string): boolean {
  const [, salt, expected] = stored.split(':');
  if (!salt || !expected) return false;
  const actual = crypto.createHash('sha256').update(`${salt}\u0000${passphrase}`).digest();
  return crypto.timingSafeEqual(actual, Buffer.from(expected, 'hex'));
}
