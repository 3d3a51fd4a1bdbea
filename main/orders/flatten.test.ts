// Flatten is the trader's emergency button: a slow or failing account, order or position must not hold up the rest.
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { flatten } from './flatten.js';
import type { OrderRouter } from './router.js';
import type { OrderRepo } from '../store/orders.js';
import type { OrderRequest, Position } from '../brokers/port.js';
import type { OrderView } from '../../shared/api-types.js';

interface FakeAccount {
  working?: string[];
  positions?: Record<string, string>;
  /** Held until the test releases it. */
  cancel?: (orderId: string) => Promise<void>;
  positionsFail?: Error;
  submitFails?: string;
  /** Held long and short at once, [long, short]: the adapter has closePosition (an OANDA hedging account). */
  pairs?: Record<string, [string, string]>;
  closeFails?: string;
}

/** A router and order book over fake accounts; `log` records the calls in the order they were made. */
function fakes(accounts: Record<string, FakeAccount | undefined>) {
  const log: string[] = [];
  const router = {
    adapter: (acct: string) =>
      accounts[acct] && {
        cancelAll: () => Promise.resolve([]),
        positions: (options?: { includeFlatPairs?: boolean }): Promise<Position[]> => {
          const a = accounts[acct]!;
          if (a.positionsFail) return Promise.reject(a.positionsFail);
          const single = Object.entries(a.positions ?? {}).map(([symbol, quantity]) => ({ symbol, quantity, marketPrice: '10' }) as Position);
          const pairs = Object.entries(a.pairs ?? {})
            .map(([symbol, [long, short]]) => ({ symbol, quantity: new Decimal(long).minus(short).toString(), averagePrice: '10', long, short }))
            .filter((p) => options?.includeFlatPairs || p.quantity !== '0');
          return Promise.resolve([...single, ...pairs]);
        },
        ...(accounts[acct]!.pairs && {
          closePosition: (symbol: string) => {
            log.push(`closePosition ${acct} ${symbol}`);
            if (accounts[acct]!.closeFails === symbol) return Promise.reject(new Error(`${symbol}: CLOSEOUT_POSITION_DOESNT_EXIST`));
            const [long, short] = accounts[acct]!.pairs![symbol]!;
            return Promise.resolve({ symbol, long, short, orders: [] });
          },
        }),
      },
    cancel: async (orderId: string) => {
      log.push(`cancel ${orderId}`);
      const acct = orderId.split(':')[0]!;
      await accounts[acct]!.cancel?.(orderId);
      log.push(`canceled ${orderId}`);
      return { id: orderId, status: 'canceled' } as OrderView;
    },
    submit: (req: OrderRequest, ctx: { accountId: string }) => {
      log.push(`close ${ctx.accountId} ${req.side} ${req.quantity} ${req.symbol}`);
      if (accounts[ctx.accountId]!.submitFails === req.symbol) return Promise.reject(new Error(`${req.symbol} is not tradable now`));
      return Promise.resolve({ id: `${ctx.accountId}:${req.symbol}`, symbol: req.symbol, side: req.side, quantity: req.quantity, status: 'submitting' } as OrderView);
    },
  } as unknown as OrderRouter;
  const orders = { withStatus: (_s: unknown, acct: string) => (accounts[acct]?.working ?? []).map((id) => ({ id })) } as unknown as OrderRepo;
  const run = (ids: string[]) =>
    flatten(router, orders, 'flat_1', ids, (acct) => ({ accountId: acct, code: 'ACCOUNT_UNAVAILABLE', message: `${acct} has no broker` }), (acct) => `Account "${acct}"`);
  return { log, run };
}

function held() {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}

describe('flatten', () => {
  it('does not wait for a slow account before closing the others', async () => {
    const slow = held();
    const { log, run } = fakes({
      A: { working: ['A:1'], positions: { AAPL: '5' }, cancel: () => slow.promise },
      B: { positions: { MSFT: '-3' } },
    });
    const done = run(['A', 'B']);
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(['cancel A:1', 'close B buy 3 MSFT']); // A's cancel still waits at its broker
    slow.release();
    const result = await done;
    expect(log).toEqual(['cancel A:1', 'close B buy 3 MSFT', 'canceled A:1', 'close A sell 5 AAPL']);
    // Accounts in the order given, whatever finished first.
    expect(result.closing.map((o) => o.id)).toEqual(['A:AAPL', 'B:MSFT']);
    expect(result).toMatchObject({ canceled: 1, errors: [] });
  });

  it("cancels an account's working orders together, and closes positions only once they are all canceled", async () => {
    const gates = new Map([1, 2, 3].map((n) => [`A:${n}`, held()]));
    const { log, run } = fakes({ A: { working: [...gates.keys()], positions: { AAPL: '5' }, cancel: (id) => gates.get(id)!.promise } });
    const done = run(['A']);
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(['cancel A:1', 'cancel A:2', 'cancel A:3']);
    gates.get('A:2')!.release();
    gates.get('A:1')!.release();
    await new Promise((r) => setTimeout(r, 20));
    expect(log.some((l) => l.startsWith('close'))).toBe(false); // A:3 may still fill
    gates.get('A:3')!.release();
    expect(await done).toMatchObject({ canceled: 3, errors: [] });
    expect(log.at(-1)).toBe('close A sell 5 AAPL');
  });

  it('closes every other position when one cannot be closed, and says which one is still open', async () => {
    const { run } = fakes({ A: { positions: { AAPL: '5', TSLA: '2', MSFT: '-1' }, submitFails: 'TSLA' } });
    const result = await run(['A']);
    expect(result.closing.map((o) => o.symbol)).toEqual(['AAPL', 'MSFT']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toBe('Account "A" could not be flattened, so its TSLA position at the broker may still be open: TSLA is not tradable now');
  });

  it('reports an account without a broker or whose positions cannot be read, and flattens the rest', async () => {
    const { run } = fakes({ B: { positions: { AAPL: '1' }, positionsFail: new Error('positions: HTTP 500') }, C: { positions: { AAPL: '2' } } });
    const result = await run(['A', 'B', 'C']);
    expect(result.errors.map((e) => [e.accountId, e.message])).toEqual([
      ['A', 'A has no broker'],
      ['B', 'Account "B" could not be flattened, so its positions at the broker may still be open: positions: HTTP 500'],
    ]);
    expect(result.closing.map((o) => o.id)).toEqual(['C:AAPL']);
  });

  it('does not close positions while a working order could not be canceled', async () => {
    const { log, run } = fakes({ A: { working: ['A:1', 'A:2'], positions: { AAPL: '5' }, cancel: (id) => (id === 'A:2' ? Promise.reject(new Error('cancel refused')) : Promise.resolve()) } });
    const result = await run(['A']);
    expect(result.canceled).toBe(1);
    expect(result.errors.map((e) => e.message)).toEqual(['Account "A" could not be flattened, so its positions at the broker may still be open: cancel refused']);
    expect(log.some((l) => l.startsWith('close'))).toBe(false);
  });

  it('closes a symbol held long and short at once with the broker\'s close, both sides, its net zero or not; the others by orders', async () => {
    const { log, run } = fakes({ A: { positions: { GBP_USD: '-5' }, pairs: { EUR_USD: ['1000', '400'], USD_JPY: ['500', '500'] } } });
    const result = await run(['A']);
    expect(log.sort()).toEqual(['close A buy 5 GBP_USD', 'closePosition A EUR_USD', 'closePosition A USD_JPY']);
    expect(result.closed).toEqual([
      { accountId: 'A', symbol: 'EUR_USD', long: '1000', short: '400' },
      { accountId: 'A', symbol: 'USD_JPY', long: '500', short: '500' },
    ]);
    expect(result.closing.map((o) => o.symbol)).toEqual(['GBP_USD']);
    expect(result.errors).toEqual([]);
  });

  it('reports a pair the broker would not close, with both sides, and closes the rest', async () => {
    const { run } = fakes({ A: { positions: { GBP_USD: '2' }, pairs: { EUR_USD: ['1000', '400'], USD_JPY: ['500', '500'] }, closeFails: 'USD_JPY' } });
    const result = await run(['A']);
    expect(result.closed.map((c) => c.symbol)).toEqual(['EUR_USD']);
    expect(result.closing.map((o) => o.symbol)).toEqual(['GBP_USD']);
    expect(result.errors.map((e) => e.message)).toEqual(['Account "A" could not be flattened, so its USD_JPY position (held long 500 and short 500) at the broker may still be open: USD_JPY: CLOSEOUT_POSITION_DOESNT_EXIST']);
  });
});
