import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../test-support/agent.js';
import { TradingStateRepo } from '../store/settings.js';
import { TradingStateService } from '../trading-state.js';
import { fakeDiscord, fakeSlack } from './testing/fake-services.js';
import { ALL_KINDS, harness, runCleanups, withFake } from './testing/harness.js';

const DISCORD_TOKEN = 'dWebhookTokenCanary_tradingState_0123';
const SLACK_PATH = '/services/T0TS/B0TS/tradingStateSlackPath';

afterEach(runCleanups);

async function setup() {
  const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
  const slack = await withFake(fakeSlack({ path: SLACK_PATH }));
  const h = await harness(
    { 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}`, 'notify:slack': `https://hooks.slack.com${SLACK_PATH}` },
    // Discord wants every kind; Slack only halts (as the email channel's defaults would, without daily-loss).
    { discord: { enabled: true, events: ALL_KINDS, baseUrl: discord.base }, slack: { enabled: true, events: ['halt'], baseUrl: slack.base } },
  );
  const state = new TradingStateService(new TradingStateRepo(h.db), h.bus);
  const sent = () => h.rows().filter((r) => r.status === 'sent').length;
  return { discord, slack, h, state, sent };
}

describe('an account whose trading state changes notifies once per change', () => {
  it('a daily loss limit that halts an account sends daily-loss (halt where only halts are wanted), with the code and detail, once', async () => {
    const { discord, slack, h, state, sent } = await setup();
    // As the signal worker does when the risk engine moves the account: the detail leads with the code.
    state.set('halted', 'DAILY_LOSS_LIMIT: loss=500, max=10', 'ACC');
    await eventually(sent, (n) => n === 2);
    expect(h.rows().map((r) => [r.channel, r.status])).toEqual([['discord', 'sent'], ['slack', 'sent']]);
    expect(h.db.prepare('SELECT channel, kind FROM notify_outbox ORDER BY id').all()).toEqual([{ channel: 'discord', kind: 'daily-loss' }, { channel: 'slack', kind: 'halt' }]);
    expect(discord.received[0]!.body.content).toBe('Daily loss limit reached: trading halted for account ACC');
    expect(JSON.stringify(discord.received[0]!.body)).toContain('DAILY_LOSS_LIMIT: loss=500, max=10');
    expect(slack.received[0]!.body.text).toContain('Daily loss limit reached: trading halted for account ACC');
    // The next alerts find the account halted again: no second message.
    state.set('halted', 'DAILY_LOSS_LIMIT: loss=520, max=10', 'ACC');
    state.set('halted', 'DAILY_LOSS_LIMIT: loss=530, max=10', 'ACC');
    expect(h.rows()).toHaveLength(2);
  });

  it('a drawdown limit that only reduces an account still notifies (daily-loss, code named)', async () => {
    const { discord, h, state, sent } = await setup();
    state.set('reducing', 'DRAWDOWN_LIMIT: drawdown=300, max=200', 'ACC');
    await eventually(sent, (n) => n === 2);
    expect(discord.received[0]!.body.content).toBe('Drawdown limit reached: trading reduced to closing orders for account ACC');
    expect(h.db.prepare('SELECT channel, kind FROM notify_outbox ORDER BY id').all()).toEqual([{ channel: 'discord', kind: 'daily-loss' }, { channel: 'slack', kind: 'halt' }]);
  });

  it('a halt of one account set by the trader sends a halt with the reason; resuming and halting again is a new message', async () => {
    const { discord, slack, h, state, sent } = await setup();
    state.set('halted', 'account halt test', 'ACC');
    await eventually(sent, (n) => n === 2);
    expect(h.db.prepare('SELECT channel, kind FROM notify_outbox ORDER BY id').all()).toEqual([{ channel: 'discord', kind: 'halt' }, { channel: 'slack', kind: 'halt' }]);
    expect(discord.received[0]!.body.content).toBe('Trading halted for account ACC');
    expect(slack.received[0]!.raw).toContain('account halt test');
    state.set('active', 'resumed', 'ACC'); // shown in the UI; no message
    expect(h.rows()).toHaveLength(2);
    state.set('halted', 'again', 'ACC');
    await eventually(sent, (n) => n === 4);
    state.set('halted', 'global stop'); // the global scope is its own change
    await eventually(sent, (n) => n === 6);
    expect(discord.received.map((r) => r.body.content)).toEqual(['Trading halted for account ACC', 'Trading halted for account ACC', 'Trading halted']);
  });
});
