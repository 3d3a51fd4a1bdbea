// A Pine strategy often fills two orders on one bar, and TradingView then sends two alerts within milliseconds:
// two take-profit levels, or an exit followed by a reversal. With the default rules both alerts are acted on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settledSignal, startTestAgent, type TestAgent } from '../test-support/agent.js';
import type { StrategyView } from '../../shared/api-types.js';

let agent: TestAgent;
let hook: string;
let accountId: string;
beforeAll(async () => {
  agent = await startTestAgent();
  const account = await agent.api<{ id: string }>('POST', '/api/accounts', { name: 'Same bar', broker: 'paper', environment: 'paper' }); // default risk rules
  accountId = account.body.id;
  const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Same bar', accountIds: [accountId] });
  hook = new URL(strategy.body.webhookUrl).pathname;
});
afterAll(async () => agent.stop());

/** Posts the alerts back to back (both answered before either is processed), then waits for each. */
async function sameBar(...alerts: Record<string, unknown>[]): Promise<{ status: string; code?: string }[]> {
  const answers = await Promise.all(alerts.map((a) => agent.post(hook, JSON.stringify(a))));
  for (const a of answers) expect(a.status).toBe(202);
  return Promise.all(answers.map((a) => settledSignal(agent, a.body.signalId as string)));
}

const position = async (symbol: string) =>
  (await agent.api<{ items: { accountId: string; symbol: string; quantity: string }[] }>('GET', '/api/positions')).body.items.find((p) => p.accountId === accountId && p.symbol === symbol)?.quantity ?? '0';

describe('two alerts of one bar', () => {
  it('two take-profit levels filled on one bar both close their part: the account ends flat', async () => {
    const [entry] = await sameBar({ ticker: 'NASDAQ:TPA', action: 'buy', quantity: '10', positionSize: '10', marketPosition: 'long', prevMarketPosition: 'flat', price: '100' });
    expect(entry!.status).toBe('done');
    const exits = await sameBar(
      { ticker: 'NASDAQ:TPA', action: 'sell', quantity: '5', positionSize: '5', marketPosition: 'long', prevMarketPosition: 'long', price: '104', id: 'TP1-1' },
      { ticker: 'NASDAQ:TPA', action: 'sell', quantity: '5', positionSize: '0', marketPosition: 'flat', prevMarketPosition: 'long', price: '104', id: 'TP2-1' },
    );
    expect(exits.map((s) => [s.status, s.code])).toEqual([
      ['done', undefined],
      ['done', undefined],
    ]);
    expect(await position('TPA')).toBe('0');
  });

  it('two exits in action mode (a partial exit, then the rest) are both sent', async () => {
    await sameBar({ ticker: 'TPB', action: 'buy', quantity: '10', price: '50' });
    const exits = await sameBar({ ticker: 'TPB', action: 'sell', quantity: '4', sentiment: 'long', price: '51', id: 'x1' }, { ticker: 'TPB', action: 'exit', price: '51', id: 'x2' });
    expect(exits.map((s) => s.status)).toEqual(['done', 'done']);
    expect(await position('TPB')).toBe('0');
  });
});
