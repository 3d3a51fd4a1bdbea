// The tunnel settings form as plain data, and what saving it sends: PUT /api/tunnel gets only the fields it accepts
// (provider and that provider's section), and a token goes to the keychain under its own provider's name, only
// when the trader typed one. A token is never part of the settings.
import type { TunnelProviderKind, TunnelSettings, TunnelSettingsRequest } from '../api/types.js';

/** The keychain entry each provider reads its token from (main/tunnel/ngrok-provider.ts, cloudflared-provider.ts). */
export const NGROK_AUTHTOKEN_NAME = 'tunnel:ngrok:authtoken';
export const CLOUDFLARED_TOKEN_NAME = 'tunnel:cloudflared:token';

export interface TunnelForm {
  provider: TunnelProviderKind | undefined;
  ngrokDomain: string;
  ngrokRestrictToTradingView: boolean;
  /** Typed this time only; empty keeps the stored one. */
  ngrokToken: string;
  cloudflaredMode: 'quick' | 'named';
  cloudflaredPublicUrl: string;
  cloudflaredToken: string;
  manualPublicUrl: string;
  localtunnelHost: string;
  localtunnelSubdomain: string;
}

/** The form as the saved settings fill it (token fields always start empty: tokens never come back). */
export function formFromSettings(s: TunnelSettings | undefined): TunnelForm {
  return {
    provider: s?.provider,
    ngrokDomain: s?.ngrok?.domain ?? '',
    ngrokRestrictToTradingView: s?.ngrok?.restrictToTradingView === true,
    ngrokToken: '',
    cloudflaredMode: s?.cloudflared?.mode === 'named' ? 'named' : 'quick',
    cloudflaredPublicUrl: s?.cloudflared?.publicUrl ?? '',
    cloudflaredToken: '',
    manualPublicUrl: s?.manual?.publicUrl ?? '',
    localtunnelHost: s?.localtunnel?.host ?? '',
    localtunnelSubdomain: s?.localtunnel?.subdomain ?? '',
  };
}

/** A text field's value to send: trimmed, and left out when empty (the agent refuses empty domains and URLs). */
function text(v: string): string | undefined {
  const t = v.trim();
  return t === '' ? undefined : t;
}

function withText<K extends string>(key: K, v: string): { [P in K]?: string } {
  const t = text(v);
  return (t === undefined ? {} : { [key]: t }) as { [P in K]?: string };
}

/** The body of PUT /api/tunnel: the chosen provider and its own section only, so the other providers' saved
 *  sections stay as they are. Nothing else (no token, no autoStart: the agent refuses unknown fields). */
export function tunnelRequest(f: TunnelForm): TunnelSettingsRequest {
  switch (f.provider) {
    case 'ngrok':
      return { provider: 'ngrok', ngrok: { ...withText('domain', f.ngrokDomain), restrictToTradingView: f.ngrokRestrictToTradingView } };
    case 'cloudflared':
      return { provider: 'cloudflared', cloudflared: f.cloudflaredMode === 'named' ? { mode: 'named', ...withText('publicUrl', f.cloudflaredPublicUrl) } : { mode: 'quick' } };
    case 'manual':
      return { provider: 'manual', manual: withText('publicUrl', f.manualPublicUrl) };
    case 'localtunnel':
      return { provider: 'localtunnel', localtunnel: { ...withText('host', f.localtunnelHost), ...withText('subdomain', f.localtunnelSubdomain) } };
    default:
      return {};
  }
}

export interface CredentialWrite {
  name: string;
  value: string;
}

/** The tokens to store with PUT /api/credentials/:name: the chosen provider's, only when one was typed (a quick
 *  Cloudflare tunnel needs none). A token typed for another provider is never sent. */
export function tokenWrites(f: TunnelForm): CredentialWrite[] {
  if (f.provider === 'ngrok') {
    const v = f.ngrokToken.trim();
    return v ? [{ name: NGROK_AUTHTOKEN_NAME, value: v }] : [];
  }
  if (f.provider === 'cloudflared' && f.cloudflaredMode === 'named') {
    const v = f.cloudflaredToken.trim();
    return v ? [{ name: CLOUDFLARED_TOKEN_NAME, value: v }] : [];
  }
  return [];
}
