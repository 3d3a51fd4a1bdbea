// `viewzenix alert check FILE` through the CLI against a running agent: a strategy's template passes once the CLI is
// told it is a strategy alert, and is reported otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startTestAgent, tempDir, type TestAgent } from './test-support/agent.js';
import { CLI_TEST_TIMEOUT_MS, runCli } from './test-support/cli.js';

// The native template of docs/alerts.md, as a trader pastes it into a strategy alert.
const TEMPLATE = JSON.stringify({
  ticker: '{{ticker}}',
  exchange: '{{exchange}}',
  action: '{{strategy.order.action}}',
  sentiment: '{{strategy.market_position}}',
  quantity: '{{strategy.order.contracts}}',
  price: '{{close}}',
  time: '{{timenow}}',
  id: '{{strategy.order.id}} {{timenow}}',
  positionSize: '{{strategy.position_size}}',
  marketPosition: '{{strategy.market_position}}',
  prevMarketPosition: '{{strategy.prev_market_position}}',
});

let agent: TestAgent;
let file: string;
beforeAll(async () => {
  agent = await startTestAgent();
  file = path.join(tempDir(), 'template.json');
  fs.writeFileSync(file, TEMPLATE);
});
afterAll(async () => agent.stop());

const cli = (...args: string[]) => runCli(agent, ...args);

describe('viewzenix alert check', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('passes the documented strategy template with --alert-type strategy, and reports its placeholders without', async () => {
    const asStrategy = await cli('alert', 'check', file, '--alert-type', 'strategy', '--json');
    expect(asStrategy.stderr).toBe('');
    expect(asStrategy.code).toBe(0);
    const result = JSON.parse(asStrategy.stdout) as { problems: unknown[]; signal?: { symbol?: string; action?: string } };
    expect(result.problems).toEqual([]);
    expect(result.signal).toMatchObject({ symbol: 'AAPL', action: 'buy' });

    const plain = await cli('alert', 'check', file);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^UNFILLED_PLACEHOLDER/m);

    const wrong = await cli('alert', 'check', file, '--alert-type', 'study');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/--alert-type is strategy/);
  }, 180_000);
});
