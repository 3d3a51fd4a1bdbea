// Flatten: cancel every open order and close every position, for one account or all. Closing orders only
// reduce exposure, so they are allowed in any trading state (it is the trader's deliberate action).
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

export interface FlattenResult {
  canceled: number;
  closing: OrderView[];
  errors: FlattenError[];
}

/**
 * Flattens the given accounts (every account in the store, or the one the trader named), all at once and each on its
 * own: one that fails, or whose broker is slow, never stops or delays the others. Within an account the working
 * orders are canceled together (the account's pacing still spaces the requests), and once they are, each position is
 * closed by an order of its own: one that cannot be closed is reported, and the others are closed all the same.
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
  const result: FlattenResult = { canceled: 0, closing: [], errors: [] };
  for (const r of each) {
    result.canceled += r.canceled;
    result.closing.push(...r.closing);
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
  const result: FlattenResult = { canceled: 0, closing: [], errors: [] };
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
    positions = await adapter.positions();
  } catch (err) {
    failed(err, 'its positions at the broker may still be open');
    return result;
  }
  const open = positions.filter((p) => !new Decimal(p.quantity).isZero());
  const closes = await Promise.allSettled(
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
  );
  closes.forEach((c, i) => {
    if (c.status === 'fulfilled') result.closing.push(c.value);
    else failed(c.reason, `its ${open[i]!.symbol} position at the broker may still be open`);
  });
  return result;
}
