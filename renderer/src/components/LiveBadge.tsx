// Whether live updates are flowing. When not, the window polls every 5 s and says so.
import { useLive } from '../api/context.js';

export function LiveBadge() {
  const { stream, detail } = useLive();
  const text = stream === 'open' ? 'Live' : stream === 'connecting' ? 'Connecting…' : 'Reconnecting (polling)';
  return (
    <span className={`live ${stream}`} role="status" title={detail} data-testid="live">
      <span aria-hidden="true" className="dot" /> {text}
    </span>
  );
}
