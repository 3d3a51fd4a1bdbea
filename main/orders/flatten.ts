// Flatten: cancel every open order and close every position, for one account or all. Closing orders only
// reduce exposure, so they are allowed in any trading state (it is the trader's deliberate action).
import { Decimal } from 'decimal.js';
import type { OrderRouter } from './router.js';
import type { OrderRepo } from '../store/orders.js';
import type { OrderView } from '../../shared/api-types.js';
import { clientOrderId } from '../ids.js';

export interface FlattenResult {
  canceled: number;
  closing: OrderView[];
  errors: { accountId: string; message: string }[];
}

export async function flatten(router: OrderRouter, orders: OrderRepo, flattenId: string, accountId?: string): Promise<FlattenResult> {
  const result: FlattenResult = { canceled: 0, closing: [], errors: [] };
  const accounts = accountId ? [accountId] : router.accountIds();
  for (const acct of accounts) {
    const adapter = router.adapter(acct);
    if (!adapter) continue;
    try {
      for (const o of orders.withStatus(['accepted', 'partially_filled'], acct)) {
        await router.cancel(o.id);
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
      result.errors.push({ accountId: acct, message: (err as Error).message });
    }
  }
  return result;
}
