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
 * Flattens the given accounts (every account in the store, or the one the trader named), each on its own: one that
 * fails never stops the others. `unavailable` explains an account the router has no adapter for; `label` names an
 * account in a message (`Account "Paper" (acc_…)`).
 */
export async function flatten(
  router: OrderRouter,
  orders: OrderRepo,
  flattenId: string,
  accountIds: readonly string[],
  unavailable: (accountId: string) => FlattenError,
  label: (accountId: string) => string,
): Promise<FlattenResult> {
  const result: FlattenResult = { canceled: 0, closing: [], errors: [] };
  for (const acct of accountIds) {
    const adapter = router.adapter(acct);
    if (!adapter) {
      result.errors.push(unavailable(acct));
      continue;
    }
    try {
      for (const o of orders.withStatus(['accepted', 'partially_filled'], acct)) {
        await router.cancel(o.id, { next: 'position_closes' });
        result.canceled++;
      }
      await adapter.cancelAll();
      for (const p of await adapter.positions()) {
        const qty = new Decimal(p.quantity);
        if (qty.isZero()) continue;
        const order = await router.submit(
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
        result.closing.push(order);
      }
    } catch (err) {
      const message = `${label(acct)} could not be flattened, so its positions at the broker may still be open: ${scrubText((err as Error).message)}`;
      result.errors.push({ accountId: acct, code: codeForBrokerError(err), message });
    }
  }
  return result;
}
