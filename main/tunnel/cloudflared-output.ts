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

/** Lines that mean the tunnel cannot work, turned into plain words. */
export function explainCloudflaredLine(line: string): string | null {
  const lower = line.toLowerCase();
  if (lower.includes('failed to request quick tunnel')) return 'Cloudflare did not hand out a quick tunnel (offline, or the service refused).';
  if (lower.includes('provided tunnel token is not valid') || lower.includes('invalid tunnel token') || lower.includes('unauthorized')) {
    return 'Cloudflare refused the tunnel token.';
  }
  if (lower.includes('no such host') || lower.includes('network is unreachable') || lower.includes('dial tcp')) {
    return 'cloudflared cannot reach Cloudflare (offline, or a firewall blocks it).';
  }
  return null;
}
