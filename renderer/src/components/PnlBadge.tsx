// The day's P&L as the agent reports it per account (the figure the daily loss limit measures); the open positions'
// unrealised P&L only when the agent cannot know the day's, labelled as such (lib/day-pnl.ts).
import { useAccounts, usePositionsView } from '../api/hooks.js';
import { pnlBadge } from '../lib/day-pnl.js';
import { HeaderBadge } from './HeaderBadge.js';

export function PnlBadge() {
  const positions = usePositionsView();
  const accounts = useAccounts();
  const names = Object.fromEntries((accounts.data ?? []).map((a) => [a.id, a.name]));
  const badge = pnlBadge(positions.data, names);
  return (
    <HeaderBadge label={badge.label} ariaLabel={badge.label} title={badge.title}>
      {badge.value === undefined ? <span className="muted small">—</span> : <strong className={`pnl ${badge.tone}`} data-testid="pnl">{badge.value}</strong>}
    </HeaderBadge>
  );
}
