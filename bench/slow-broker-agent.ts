// The real agent with a slow broker: the paper broker, but every submit takes VIEWZENIX_PAPER_DELAY_MS (the
// benchmark sets 5,000). Same flags as `viewzenix start`. It exists so "a broker taking 5 s per order" is
// measured on the real pipeline without a delay knob inside the shipped paper broker.
import { parseArgs } from 'node:util';
import { resolveOptions, type StartFlags } from '../main/config.js';
import { startAgent } from '../main/agent.js';
import { PaperBroker } from '../main/brokers/paper/paper-broker.js';
import type { OrderRequest, BrokerOrder } from '../main/brokers/port.js';
import { paperDelayMs } from '../main/latency-trace.js';

class SlowPaperBroker extends PaperBroker {
  override async submit(req: OrderRequest): Promise<BrokerOrder> {
    await new Promise((r) => setTimeout(r, paperDelayMs()));
    return super.submit(req);
  }
}

const { values } = parseArgs({
  args: process.argv.slice(3),
  options: {
    'data-dir': { type: 'string' },
    'webhook-port': { type: 'string' },
    'control-port': { type: 'string' },
    'webhook-host': { type: 'string' },
    quiet: { type: 'boolean' },
  },
});
const options = resolveOptions(values as StartFlags);
const agent = await startAgent(options, {
  adapterFactory: (account, _credentials, { paperRepo }) => {
    if (account.broker !== 'paper') return undefined;
    return new SlowPaperBroker(account.id, paperRepo, account.config.paper as Record<string, never> | undefined);
  },
});
const shutdown = (): void => {
  void agent.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
