// Always visible: trading state with the kill switch and flatten-all, tunnel, brokers, P&L, live status.
import { TradingControls } from './TradingControls.js';
import { TunnelBadge } from './TunnelBadge.js';
import { BrokerHealthBadge } from './BrokerHealth.js';
import { PnlBadge } from './PnlBadge.js';
import { LiveBadge } from './LiveBadge.js';
import { ThemeToggle } from './ThemeToggle.js';
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
        <ThemeToggle />
      </div>
    </header>
  );
}
