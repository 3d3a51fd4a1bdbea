// Broker faults on 30% of submits, end to end: the agent as a child process trades an Alpaca account whose Trading API
// is the fake (main/brokers/alpaca/fake-server.ts, a real HTTP + WebSocket server on loopback in this process). Each
// order request the fake receives draws a fault at that rate: never answered, the connection reset, 429, 502, answered
// after 5 s, or taken and then its answer lost (never sent, or the connection reset). Each symbol is bought twice and
// then exited, over and over: an exit sent twice would sell short. Then every order must end and match the broker,
// the agent's positions must be the broker's, and: no order placed twice, no order shown rejected that the broker took.
import type { AccountView, OrderView } from '../../shared/api-types.js';
import { isTerminal } from '../../shared/order-status.js';
import { FakeAlpaca } from '../../main/brokers/alpaca/fake-server.js';
import type { FakeOrder } from '../../main/brokers/alpaca/fake-wire.js';
import { seededRandom, type RequestFault } from '../../main/brokers/contract/faults.js';
import { EVERY_ALERT_ORDERS, spawnAgent, waitProcessed, type AgentProcess } from '../lib/agent-process.js';
import { runTag } from '../lib/alerts.js';
import { burst } from '../lib/load.js';
import { check, info, type Figure } from '../lib/report.js';
import { sleep, suiteDataDir, type SuiteOptions, type SuiteResult } from './common.js';

const KEYS = { keyId: 'PKFAULTSUITE00000001', secretKey: 'fault-suite-secret-Zx9Cv8Bn7' };
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN', 'META', 'GOOGL', 'AMD', 'NFLX', 'INTC', 'ORCL', 'CRM', 'ADBE', 'AVGO', 'QCOM', 'CSCO', 'PEP', 'COST', 'TXN', 'INTU'];
const PRICE = '100';
const FAULTS: readonly RequestFault[] = ['timeout', 'connection_reset', 'rate_limit', 'server_error', 'slow', 'lost_answer_timeout', 'lost_answer_reset'];
/** The account's circuit breaker halts trading after 5 failed requests in a row (DEFAULT_BREAKER): at most this many
 *  faulted submits follow each other, so the suite measures the orders' handling, not the breaker (tested apart). */
const MAX_IN_A_ROW = 3;
const RATE = 0.3;

/**
 * Which of the first `n` submit requests fail: exactly `rate` × n of them, at random places, never more than
 * MAX_IN_A_ROW in a row (each place draws a fault with the chance of the faults left over the places left).
 */
export function schedule(n: number, rate: number, random: () => number): boolean[] {
  const out: boolean[] = [];
  let left = Math.round(n * rate);
  let inARow = 0;
  for (let i = 0; i < n; i++) {
    const must = left > 0 && left >= (n - i) * (MAX_IN_A_ROW / (MAX_IN_A_ROW + 1)); // the rest would not fit otherwise
    const fail = left > 0 && inARow < MAX_IN_A_ROW && (must || random() < left / (n - i));
    out.push(fail);
    if (fail) left--;
    inARow = fail ? inARow + 1 : 0;
  }
  return out;
}

/** What the fake says of an order, in the agent's words. */
const BROKER_STATUS: Record<string, string> = { filled: 'filled', canceled: 'canceled', expired: 'expired', rejected: 'rejected' };

export async function faultsSuite(o: SuiteOptions): Promise<SuiteResult> {
  const n = o.quick ? 100 : 500;
  const seed = Number(process.env.VIEWZENIX_FAULT_SEED) || Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const planned = schedule(n, RATE, random);
  const prices = Object.fromEntries(SYMBOLS.map((s) => [s, PRICE]));
  const fake = await new FakeAlpaca({ ...KEYS, cash: '100000000', prices }).start();
  const dataDir = suiteDataDir('vz-faults-', o.onDisk);
  const tag = runTag();
  let agent: AgentProcess | undefined;
  const injected: Record<string, number> = {};
  let submits = 0;
  let inARow = 0;
  try {
    // The account is made without keys (no keychain needed), then the agent restarts with them as VIEWZENIX_SECRET_*
    // variables, as docs/credentials.md tells a server without a keychain to do.
    agent = await spawnAgent({ dataDir });
    const made = await agent.api<AccountView & { code?: string; message?: string }>('POST', '/api/accounts', {
      name: 'Alpaca (fake, faults)',
      broker: 'alpaca',
      environment: 'paper',
      baseUrl: fake.baseUrl,
      // A request unanswered for 7 s is a timeout (the adapter's default is 10 s): a slow answer (5 s) still counts.
      config: { requestsPerMinute: 100_000, burst: 1_000, timeoutMs: 7_000, risk: { enforceMarketHours: false } },
    });
    if (made.status !== 201 || !made.body.credentialVariables) throw new Error(`creating the Alpaca account failed: ${made.status} ${JSON.stringify(made.body)}`);
    const account = made.body;
    const vars = account.credentialVariables as Record<string, string>;
    await agent.stop();
    agent = await spawnAgent({ dataDir, env: { [vars.keyId!]: KEYS.keyId, [vars.secretKey!]: KEYS.secretKey } });
    const strategy = await agent.api<{ id: string; webhookId: string }>('POST', '/api/strategies', {
      name: 'faults',
      accountIds: [account.id],
      config: { intake: { rateLimit: { perSecond: 100_000, burst: 100_000 } }, ...EVERY_ALERT_ORDERS },
    });
    if (strategy.status !== 201) throw new Error(`creating the strategy failed: ${strategy.status} ${JSON.stringify(strategy.body)}`);

    fake.faults.chooseEach((op) => {
      if (op !== 'submit') return undefined;
      const i = submits++;
      // The first n submits follow the schedule; re-sends past them fail at the same rate.
      if (i < planned.length ? !planned[i] : inARow >= MAX_IN_A_ROW || random() >= RATE) {
        inARow = 0;
        return undefined;
      }
      inARow++;
      const fault = FAULTS[Math.floor(random() * FAULTS.length)]!;
      injected[fault] = (injected[fault] ?? 0) + 1;
      return { fault, options: fault === 'server_error' ? { status: 502 } : fault === 'rate_limit' ? { retryAfterSeconds: 1 } : { delayMs: 5_000 } };
    });

    const t0 = Date.now();
    // Per symbol: buy 1, buy 1, exit (the whole position), again and again.
    const action = (i: number): string => (Math.floor(i / SYMBOLS.length) % 3 === 2 ? 'exit' : 'buy');
    const bodies = Array.from({ length: n }, (_, i) => JSON.stringify({ ticker: `NASDAQ:${SYMBOLS[i % SYMBOLS.length]!}`, action: action(i), quantity: '1', price: PRICE, id: `${tag}-fault-${i}` }));
    const answers = await burst({ url: agent.webhookUrl(strategy.body.webhookId), bodies, connections: 10 });
    const acked = answers.filter((a) => a.status === 202).length;
    await waitProcessed(agent, o.quick ? 240_000 : 600_000, 100);

    // Every order ends (or is reconciled with the broker) within the deadline; the agent's lookups of an order whose
    // answer was lost, and the re-send of one the broker never got, take their time (absentGraceMs, 20 s).
    const deadline = Date.now() + (o.quick ? 180_000 : 300_000);
    let orders = await accountOrders(agent, account.id);
    while (orders.some((x) => !isTerminal(x.status)) && Date.now() < deadline) {
      await sleep(500);
      orders = await accountOrders(agent, account.id);
    }
    const seconds = (Date.now() - t0) / 1000;
    fake.faults.chooseEach(undefined);

    const atBroker = [...fake.orders.values()];
    const byClientId = new Map<string, FakeOrder[]>();
    for (const b of atBroker) byClientId.set(b.client_order_id, [...(byClientId.get(b.client_order_id) ?? []), b]);
    const ours = new Map(orders.map((x) => [x.clientOrderId, x]));
    const unknownToUs = atBroker.filter((b) => !ours.has(b.client_order_id)).length;
    const twice = [...byClientId.values()].filter((list) => list.length > 1).length;
    // Orders per alert at the broker: each alert here is one entry leg.
    const perSignal = new Map<string, number>();
    for (const b of atBroker) {
      const signalId = ours.get(b.client_order_id)?.signalId;
      if (signalId) perSignal.set(signalId, (perSignal.get(signalId) ?? 0) + 1);
    }
    const moreThanOne = [...perSignal.values()].filter((c) => c > 1).length;
    const shownRejectedButTaken = orders.filter((x) => x.status === 'rejected' && byClientId.has(x.clientOrderId)).length;
    const notEnded = orders.filter((x) => !isTerminal(x.status));
    const mismatched = orders.filter((x) => {
      if (!isTerminal(x.status)) return false;
      const b = byClientId.get(x.clientOrderId)?.[0];
      if (!b) return x.status !== 'rejected'; // ended without reaching the broker: only a refusal may say so
      return BROKER_STATUS[b.status] !== x.status || Number(b.filled_qty) !== Number(x.filledQuantity);
    });
    const byStatus: Record<string, number> = {};
    for (const x of orders) byStatus[x.status] = (byStatus[x.status] ?? 0) + 1;
    const faultsTotal = Object.values(injected).reduce((a, b) => a + b, 0);
    const state = await agent.api<{ state: string }>('GET', '/api/trading-state');
    // Positions: what the agent's orders filled, per symbol, against the broker's books; and the agent's own
    // reconciliation, which compares them the same way and halts trading on a mismatch.
    const ourPositions = new Map<string, number>();
    for (const x of orders) ourPositions.set(x.symbol, (ourPositions.get(x.symbol) ?? 0) + (x.side === 'buy' ? 1 : -1) * Number(x.filledQuantity));
    const reconciled = await agent.api<{ reports: { accountId: string; mismatches: unknown[]; halted: boolean }[] }>('POST', '/api/reconcile', {});
    const report = reconciled.body.reports.find((r) => r.accountId === account.id);
    const positionsDiffer = SYMBOLS.filter((s) => (ourPositions.get(s) ?? 0) !== Number(fake.positions.get(s)?.qty ?? 0));
    const short = SYMBOLS.filter((s) => Number(fake.positions.get(s)?.qty ?? 0) < 0);
    // Alerts that ended without an order: a denial with its code (an exit while the buys before it were still being
    // looked up has nothing to sell yet) is the agent working; a failure is not.
    const signals = (await agent.api<{ items: { id: string; status: string; code?: string }[] }>('GET', `/api/signals?strategyId=${encodeURIComponent(strategy.body.id)}&limit=5000`)).body.items;
    const withOrder = new Set(orders.map((x) => x.signalId));
    const denied: Record<string, number> = {};
    let unexplained = 0;
    for (const s of signals) {
      if (withOrder.has(s.id)) continue;
      if (s.status === 'denied' && s.code) denied[s.code] = (denied[s.code] ?? 0) + 1;
      else unexplained++;
    }

    const figures: Figure[] = [
      info('broker faults: submit requests at the broker / faulted', `${submits} / ${faultsTotal}`, '', `${planned.filter(Boolean).length} of the first ${n} (seed ${seed}): ${JSON.stringify(injected)}; ${n} alerts, ${acked} acknowledged, ${orders.length} orders, ${atBroker.length} at the broker, ${seconds.toFixed(1)} s`),
      check('broker faults on 30% of submits: duplicate orders at the broker (a client order id twice, or an alert with two orders)', twice + moreThanOne, '', { max: 0, text: '0' }),
      check('broker faults on 30% of submits: orders at the broker the agent does not know', unknownToUs, '', { max: 0, text: '0' }),
      check('broker faults on 30% of submits: orders shown rejected that the broker took', shownRejectedButTaken, '', { max: 0, text: '0' }),
      check('broker faults on 30% of submits: orders not ended (terminal) when the suite ends', notEnded.length, '', { max: 0, text: '0' }, notEnded.length ? notEnded.slice(0, 5).map((x) => `${x.clientOrderId}: ${x.status}`).join('; ') : undefined),
      check('broker faults on 30% of submits: ended orders whose status or filled quantity differs from the broker', mismatched.length, '', { max: 0, text: '0' }, mismatched.length ? mismatched.slice(0, 5).map((x) => `${x.clientOrderId}: ${x.status} ${x.filledQuantity} vs ${byClientId.get(x.clientOrderId)?.[0]?.status ?? 'absent'}`).join('; ') : undefined),
      check('broker faults on 30% of submits: symbols whose position at the agent differs from the broker\'s', positionsDiffer.length, '', { max: 0, text: '0' }, positionsDiffer.length ? positionsDiffer.map((s) => `${s}: ${ourPositions.get(s) ?? 0} vs ${fake.positions.get(s)?.qty.toString() ?? '0'}`).join('; ') : undefined),
      check('broker faults on 30% of submits: symbols sold short at the broker (an exit sent twice)', short.length, '', { max: 0, text: '0' }),
      check('broker faults on 30% of submits: mismatches found by the agent\'s reconciliation afterwards', report ? report.mismatches.length : Number.NaN, '', { max: 0, text: '0' }, report ? `halted: ${report.halted}` : `no report for the account (${reconciled.status})`),
      check('broker faults on 30% of submits: acknowledged alerts with neither an order nor a denial with its code', acked - signals.length + unexplained, '', { max: 0, text: '0' }, `orders by status ${JSON.stringify(byStatus)}; denied ${JSON.stringify(denied)}; trading state at the end: ${state.body.state}`),
    ];
    return { suite: 'faults', figures, details: { seed, submits, injected, byStatus, denied, seconds, tradingState: state.body.state } };
  } finally {
    fake.faults.chooseEach(undefined);
    await agent?.stop();
    await fake.close();
  }
}

async function accountOrders(agent: AgentProcess, accountId: string): Promise<OrderView[]> {
  const res = await agent.api<{ items: OrderView[] }>('GET', `/api/orders?accountId=${encodeURIComponent(accountId)}&limit=5000`);
  return res.body.items;
}
