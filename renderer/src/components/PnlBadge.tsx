// Today's P&L: the agent's own figure when it reports one; otherwise the open positions' unrealised P&L,
// labelled as such so the number is never mistaken for the day's result.
import { usePositions, useStatus } from '../api/hooks.js';
import { formatSigned, signOf, sumDecimals } from '../lib/format.js';

export function PnlBadge() {
  const status = useStatus();
  const positions = usePositions();
  const today = status.data?.pnlToday;
  const open = sumDecimals((positions.data ?? []).map((p) => p.unrealizedPnl));
  const value = today ?? open;
  const label = today !== undefined ? "Today's P&L" : 'Open P&L';
  return (
    <div className="badge" aria-label={label} title={today === undefined ? "This agent does not report today's realised P&L yet; this is the unrealised P&L of open positions." : undefined}>
      <span className="label">{label}</span>
      {value === undefined ? <span className="muted small">—</span> : <strong className={`pnl ${signOf(value)}`} data-testid="pnl">{formatSigned(value)}</strong>}
    </div>
  );
}
