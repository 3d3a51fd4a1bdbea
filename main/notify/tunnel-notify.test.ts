import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../test-support/agent.js';
import { fakeDiscord } from './testing/fake-services.js';
import { harness, runCleanups, withFake } from './testing/harness.js';
import type { TunnelStatusView } from '../../shared/api-types.js';

const DISCORD_TOKEN = 'dWebhookTokenCanary_tunnel_flood_42';
afterEach(runCleanups);

function status(state: TunnelStatusView['state'], since: string, extra: Partial<TunnelStatusView> = {}): TunnelStatusView {
  return { state, provider: 'ngrok', publicUrl: null, since, lastCheck: null, consecutiveFailures: 0, lastError: null, reconnectAttempts: 0, nextRetryAt: null, lastPublicUrl: null, autoStart: false, settings: {} as TunnelStatusView['settings'], ...extra };
}

describe('tunnel notifications: one per transition, not per retry', () => {
  it('a tunnel that keeps failing to connect sends one "Tunnel down", and one "Tunnel up" when it is back', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ['tunnel-down', 'tunnel-up'], baseUrl: discord.base } });
    const t0 = '2026-01-02T10:00:00.000Z';
    h.bus.publish({ type: 'tunnel', status: status('starting', t0) });
    // The supervisor publishes `down` twice per failed attempt (the failure, then the scheduled retry), for ever.
    for (let attempt = 1; attempt <= 6; attempt++) {
      const lastError = { code: 'TUNNEL_AUTH_MISSING', message: 'No ngrok authtoken in the vault.', fix: null };
      h.bus.publish({ type: 'tunnel', status: status('down', '2026-01-02T10:00:01.000Z', { reconnectAttempts: attempt - 1, lastError }) });
      h.bus.publish({ type: 'tunnel', status: status('down', '2026-01-02T10:00:01.000Z', { reconnectAttempts: attempt, lastError, nextRetryAt: `2026-01-02T10:0${attempt}:00.000Z` }) });
    }
    const up = (since: string) => status('up', since, { publicUrl: 'https://my-desk.ngrok-free.app' });
    h.bus.publish({ type: 'tunnel', status: up('2026-01-02T10:07:00.000Z') });
    h.bus.publish({ type: 'tunnel', status: up('2026-01-02T10:07:00.000Z') }); // the next health check
    h.bus.publish({ type: 'tunnel', status: status('degraded', '2026-01-02T10:08:00.000Z', { publicUrl: 'https://my-desk.ngrok-free.app' }) });
    h.bus.publish({ type: 'tunnel', status: up('2026-01-02T10:09:00.000Z') }); // degraded → up: it never went down
    await eventually(() => h.rows().filter((r) => r.status === 'sent').length, (n) => n === 2);
    expect(h.db.prepare('SELECT kind FROM notify_outbox ORDER BY id').all()).toEqual([{ kind: 'tunnel-down' }, { kind: 'tunnel-up' }]);
    expect(discord.received.map((r) => r.body.content)).toEqual(['Tunnel down: alerts cannot reach the agent', 'Tunnel up']);
    // A second outage is a new message.
    h.bus.publish({ type: 'tunnel', status: status('down', '2026-01-02T11:00:00.000Z') });
    h.bus.publish({ type: 'tunnel', status: status('down', '2026-01-02T11:00:00.000Z', { reconnectAttempts: 1 }) });
    await eventually(() => h.rows().filter((r) => r.status === 'sent').length, (n) => n === 3);
    expect(h.rows()).toHaveLength(3);
  });
});
