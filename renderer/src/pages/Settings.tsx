// Settings: the tunnel (how TradingView reaches this agent), where notifications go, and what the agent reports
// about itself.
import { useStatus } from '../api/hooks.js';
import { TunnelSettingsForm } from './TunnelSettings.js';
import { TunnelStatusCard } from './TunnelStatusCard.js';
import { NotificationSettings } from './NotificationSettings.js';

export function Settings() {
  const status = useStatus();
  const s = status.data;
  return (
    <div className="page">
      <h1>Settings</h1>
      <TunnelStatusCard />
      <TunnelSettingsForm />
      <NotificationSettings />
      <section aria-labelledby="agent" className="card">
        <h2 id="agent">Agent</h2>
        {s && (
          <dl className="facts">
            <dt>Process</dt>
            <dd>pid {s.pid}</dd>
            <dt>Webhook listener</dt>
            <dd>
              <code>0.0.0.0:{s.webhookPort}</code> (the tunnel points here)
            </dd>
            <dt>Control listener</dt>
            <dd>
              <code>127.0.0.1:{s.controlPort}</code> (this window; never exposed)
            </dd>
            <dt>Signals</dt>
            <dd>
              {Object.entries(s.signals)
                .map(([k, v]) => `${k} ${v}`)
                .join(' · ') || 'none yet'}
            </dd>
            {s.webhook && (
              <>
                <dt>Webhook requests</dt>
                <dd>
                  {Object.entries(s.webhook)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(' · ')}
                </dd>
              </>
            )}
          </dl>
        )}
      </section>
    </div>
  );
}
