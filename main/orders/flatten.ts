// Flatten: cancel every open order and close every position, for one account or all. Closing orders only
// reduce exposure, so they are allowed in any trading state (it is the trader's deliberate action). A symbol held long
// and short at once (an OANDA hedging account, the pair opened outside the agent) is closed whole, both sides, by the
// broker's own close request (BrokerAdapter.closePosition), even when its net is zero: an order for the net would
// leave both sides' remaining units open. The broker's closing orders are not the agent's; reconciliation books their
// fills as trades the agent did not place, as it does for any trade made at the broker.
// An account that cannot be flattened (no adapter: its keys were not available at start; a broker that fails) is
// reported in `errors` with its code: a trader must never read "nothing went wrong" while a position may be open.
import { Decimal } from 'decimal.js';
import type { OrderRouter } from './router.js';
import type { OrderRepo } from '../store/orders.js';
import type { OrderView } from '../../shared/api-types.js';
import { clientOrderId } from '../ids.js';
import { codeForBrokerError } from '../brokers/http/codes.js';
import { scrubText } from '../log.js';

export interface FlattenError {
  accountId: string;
  /** A code of shared/codes.ts: ACCOUNT_UNAVAILABLE when the account has no connected adapter, else the broker's. */
  code: string;
  /** Names the account (`Account "Paper" (acc_…) …`): the trader knows accounts by name. */
  message: string;
}

/** A position held long and short at once that Flatten closed at the broker with the broker's own request
 *  (BrokerAdapter.closePosition): the units closed on each side, both positive. */
export interface FlattenClosed {
  accountId: string;
  symbol: string;
  long: string;
  short: string;
}

export interface FlattenResult {
  canceled: number;
  closing: OrderView[];
  /** Positions held long and short at once (an OANDA hedging account), each closed whole by the broker. */
  closed: FlattenClosed[];
  errors: FlattenError[];
}

/**
 * Flattens the given accounts (every account in the store, or the one the trader named), all at once and each on its
 * own: one that fails, or whose broker is slow, never stops or delays the others. Within an account the working
 * orders are canceled together (the account's pacing still spaces the requests), and once they are, each position is
 * closed by an order of its own (`closing`), or one held long and short at once by the broker's close request
 * (`closed`): one that cannot be closed is reported, and the others are closed all the same.
 * `unavailable` explains an account the router has no adapter for; `label` names an account in a message
 * (`Account "Paper" (acc_…)`). The result lists accounts in the order given.
 */
export async function flatten(
  router: OrderRouter,
  orders: OrderRepo,
  flattenId: string,
  accountIds: readonly string[],
  unavailable: (accountId: string) => FlattenError,
  label: (accountId: string) => string,
): Promise<FlattenResult> {
  const each = await Promise.all(accountIds.map((acct) => flattenAccount(router, orders, flattenId, acct, unavailable, label)));
  const result: FlattenResult = { canceled: 0, closing: [], closed: [], errors: [] };
  for (const r of each) {
    result.canceled += r.canceled;
    result.closing.push(...r.closing);
    result.closed.push(...r.closed);
    result.errors.push(...r.errors);
  }
  return result;
}

async function flattenAccount(
  router: OrderRouter,
  orders: OrderRepo,
  flattenId: string,
  acct: string,
  unavailable: (accountId: string) => FlattenError,
  label: (accountId: string) => string,
): Promise<FlattenResult> {
  const result: FlattenResult = { canceled: 0, closing: [], closed: [], errors: [] };
  const adapter = router.adapter(acct);
  if (!adapter) {
    result.errors.push(unavailable(acct));
    return result;
  }
  const failed = (err: unknown, what: string): void => {
    const message = `${label(acct)} could not be flattened, so ${what}: ${scrubText((err as Error).message)}`;
    result.errors.push({ accountId: acct, code: codeForBrokerError(err), message });
  };
  let positions;
  try {
    const cancels = await Promise.allSettled(orders.withStatus(['accepted', 'partially_filled'], acct).map((o) => router.cancel(o.id, { next: 'position_closes' })));
    result.canceled += cancels.filter((c) => c.status === 'fulfilled').length;
    const refused = cancels.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    // A working order left open could fill after the closing orders and open a position again: stop here.
    if (refused) throw refused.reason;
    await adapter.cancelAll();
    // A symbol held long and short at once (flat pairs too) is closed whole by the broker where the adapter can.
    positions = await adapter.positions(adapter.closePosition ? { includeFlatPairs: true } : undefined);
  } catch (err) {
    failed(err, 'its positions at the broker may still be open');
    return result;
  }
  const pairs = adapter.closePosition ? positions.filter((p) => p.long !== undefined && p.short !== undefined) : [];
  const open = positions.filter((p) => !pairs.includes(p) && !new Decimal(p.quantity).isZero());
  const [pairCloses, closes] = await Promise.all([
    Promise.allSettled(pairs.map((p) => adapter.closePosition!(p.symbol))),
    Promise.allSettled(
      open.map((p) => {
        const qty = new Decimal(p.quantity);
        return router.submit(
          {
            clientOrderId: clientOrderId(flattenId, acct, `flatten:${p.symbol}`),
            symbol: p.symbol,
            side: qty.isPositive() ? 'sell' : 'buy',
            type: 'market',
            quantity: qty.abs().toString(),
            timeInForce: 'day',
            reduceOnly: true,
            referencePrice: p.marketPrice,
          },
          { accountId: acct, leg: 'flatten' },
        );
      }),
    ),
  ]);
  pairCloses.forEach((c, i) => {
    if (c.status === 'fulfilled') result.closed.push({ accountId: acct, symbol: c.value.symbol, long: c.value.long, short: c.value.short });
    else failed(c.reason, `its ${pairs[i]!.symbol} position (held long ${pairs[i]!.long} and short ${pairs[i]!.short}) at the broker may still be open`);
  });
  closes.forEach((c, i) => {
    if (c.status === 'fulfilled') result.closing.push(c.value);
    else failed(c.reason, `its ${open[i]!.symbol} position at the broker may still be open`);
  });
  return result;
}
