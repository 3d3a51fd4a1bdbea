// Tunnel state and the public URL TradingView posts to, with copy. Links to the settings when it is not up. The URL
// itself is shown only in a wide window (styles.css .header-url); in a narrower one it is the copy button's tooltip.
import { useTunnel } from '../api/hooks.js';
import { StatusPill } from './StatusPill.js';
import { CopyButton } from './CopyButton.js';
import { Link } from '../lib/router.js';
import { HeaderBadge } from './HeaderBadge.js';

export function TunnelBadge() {
  const t = useTunnel();
  if (t.notAvailable) {
    return (
      <HeaderBadge label="Tunnel" ariaLabel="Tunnel">
        <span className="muted small">not available in this version</span>
      </HeaderBadge>
    );
  }
  const s = t.data;
  return (
    <HeaderBadge label="Tunnel" ariaLabel="Tunnel">
      {s ? <StatusPill value={s.state} testId="tunnel-state" /> : <span className="muted">…</span>}
      {s?.publicUrl && (
        <>
          <code className="url header-url" title={s.publicUrl}>
            {s.publicUrl}
          </code>
          <span title={s.publicUrl}>
            <CopyButton text={s.publicUrl} label="Copy URL" />
          </span>
        </>
      )}
      {s && s.state !== 'up' && (
        <Link to="/settings" className="small">
          {s.state === 'stopped' ? 'Set up' : 'Details'}
        </Link>
      )}
    </HeaderBadge>
  );
}
