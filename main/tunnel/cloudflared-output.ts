// What cloudflared prints (on stderr, one log line per event) and what the agent needs from it.

/** The quick-tunnel URL, e.g. https://random-words.trycloudflare.com (the API host is not a tunnel URL). */
export function parseQuickTunnelUrl(line: string): string | null {
  const match = /https:\/\/([a-z0-9-]+)\.trycloudflare\.com\b/i.exec(line);
  if (!match || match[1]?.toLowerCase() === 'api') return null;
  return match[0].toLowerCase();
}

/** cloudflared logs this once per edge connection; the first one means requests can flow. */
export function isConnectionRegistered(line: string): boolean {
  return /Registered tunnel connection/i.test(line);
}

export const QUICK_TUNNEL_RATE_LIMITED =
  'Cloudflare refused to hand out another quick tunnel for now (429 Too Many Requests, error 1015: too many quick tunnels were requested from this address).';

export const TUNNEL_TOKEN_REFUSED = 'Cloudflare refused the tunnel token.';

/**
 * Lines that mean the tunnel cannot work, turned into plain words; `previous` is what earlier lines said.
 * When the quick-tunnel service answers with an error page, cloudflared logs
 *   ERR Error unmarshaling QuickTunnel response: error code: 1015 error="invalid character 'e' …" status_code="429 Too Many Requests"
 * and then exits with the bare wrapper "failed to unmarshal quick Tunnel: invalid character 'e' …" (older versions print
 * only the wrapper). The wrapper never replaces the more precise reason before it.
 */
export function explainCloudflaredLine(line: string, previous: string | null = null): string | null {
  const lower = line.toLowerCase();
  if (lower.includes('error unmarshaling quicktunnel response')) {
    if (/\b429\b|too many requests|error code: 1015\b/.test(lower)) return QUICK_TUNNEL_RATE_LIMITED;
    const status = /status_code="([^"]+)"/.exec(line)?.[1] ?? /error code: (\d+)/.exec(line)?.[1];
    return `Cloudflare's quick-tunnel service answered with an error${status ? ` (${status})` : ''} instead of a tunnel.`;
  }
  if (lower.includes('failed to unmarshal quick tunnel')) return previous ?? 'Cloudflare\'s quick-tunnel service answered with an error instead of a tunnel.';
  if (lower.includes('failed to request quick tunnel')) return previous ?? 'Cloudflare did not hand out a quick tunnel (offline, or the service refused).';
  if (lower.includes('provided tunnel token is not valid') || lower.includes('invalid tunnel token') || lower.includes('unauthorized')) {
    return TUNNEL_TOKEN_REFUSED;
  }
  if (lower.includes('no such host') || lower.includes('network is unreachable') || lower.includes('dial tcp')) {
    return 'cloudflared cannot reach Cloudflare (offline, or a firewall blocks it).';
  }
  return null;
}
