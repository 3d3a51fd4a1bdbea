// Always visible: trading state with the kill switch and flatten-all, tunnel, brokers, P&L, live status. One line from
// 1280 px wide, an account held by a state of its own included (e2e/ui-header.spec.ts): each badge's label sits above
// its value, and the theme toggle under the page list, not here; narrower, the badges wrap onto a second line.
import { TradingControls } from './TradingControls.js';
import { TunnelBadge } from './TunnelBadge.js';
import { BrokerHealthBadge } from './BrokerHealth.js';
import { PnlBadge } from './PnlBadge.js';
import { LiveBadge } from './LiveBadge.js';
import { ApprovalsBadge } from './ApprovalsBadge.js';

export function Header() {
  return (
    <header className="header">
      <div className="brand">
        <strong>Viewzenix</strong>
        <LiveBadge />
      </div>
      <TradingControls />
      <div className="badges">
        <ApprovalsBadge />
        <TunnelBadge />
        <BrokerHealthBadge />
        <PnlBadge />
      </div>
    </header>
  );
}
