// Reading Alpaca's orders back as the port's, and remembering what they tell: both ids of each order, and the parent
// of each leg of a bracket, OTO or OCO (Alpaca names no parent in a leg: it is found in the nested order list).
import { BrokerError, type BrokerOrder, type Fill } from '../port.js';
import type { RestClient } from '../http/client.js';
import { fillId, fromAlpacaOrder, mayBeLeg } from './mapping.js';
import type { AlpacaFillActivity, AlpacaOrder } from './wire.js';

/** How long before a leg's creation its parent may have been submitted (the lower bound of the lookup; Alpaca
 *  creates the legs with the parent, so this only absorbs clock granularity). */
const LEG_PARENT_LOOKBACK_MS = 60_000;

export class AlpacaOrderReader {
  readonly #rest: RestClient;
  readonly #brokerIds = new Map<string, string>();
  readonly #clientIds = new Map<string, string>();
  /** Leg broker order id → the parent's client order id (from the submit answer, nested lists and lookups). */
  readonly #legParent = new Map<string, string>();
  /** Broker order ids looked up and found not to be legs (each is asked once). */
  readonly #notLegs = new Set<string>();

  constructor(rest: RestClient) {
    this.#rest = rest;
  }

  /** The Alpaca order id of a client order id, where an answer or a list has shown it. */
  brokerId(clientOrderId: string): string | undefined {
    return this.#brokerIds.get(clientOrderId);
  }

  /** The parent's client order id of a leg, where known. */
  legParent(brokerOrderId: string): string | undefined {
    return this.#legParent.get(brokerOrderId);
  }

  /** A leg-like order looked up and found not to be a leg. */
  notLeg(brokerOrderId: string): boolean {
    return this.#notLegs.has(brokerOrderId);
  }

  /** Keeps both ids of an order, and the parent of each of its legs. */
  remember(o: AlpacaOrder): void {
    this.#brokerIds.set(o.client_order_id, o.id);
    this.#clientIds.set(o.id, o.client_order_id);
    for (const leg of o.legs ?? []) {
      this.#legParent.set(leg.id, o.client_order_id);
      this.remember(leg);
    }
  }

  /**
   * The client order id of the parent of a leg Alpaca created (a bracket's, OTO's or OCO's take-profit or
   * stop-loss), or undefined for an order that is not a leg. A leg names no parent and has an Alpaca-generated
   * client order id; a leg not seen in a submit answer or a nested list (after a restart) is found in the nested
   * order list from just before it was created.
   */
  async parentOf(o: AlpacaOrder): Promise<string | undefined> {
    const known = this.#legParent.get(o.id);
    if (known !== undefined || !mayBeLeg(o) || this.#notLegs.has(o.id)) return known;
    const after = new Date(Date.parse(o.created_at) - LEG_PARENT_LOOKBACK_MS).toISOString();
    await this.rawOrders('all', { nested: 'true', symbols: o.symbol, after });
    const found = this.#legParent.get(o.id);
    if (found === undefined) this.#notLegs.add(o.id);
    return found;
  }

  /** The port's view of an order, a leg linked to its parent. */
  async toBrokerOrder(o: AlpacaOrder): Promise<BrokerOrder> {
    return fromAlpacaOrder(o, undefined, await this.parentOf(o));
  }

  /** Every order of a nested list, each leg after its parent. */
  static flatten(list: AlpacaOrder[]): AlpacaOrder[] {
    return list.flatMap((o) => [o, ...(o.legs ?? [])]);
  }

  async rawByClientId(clientOrderId: string): Promise<AlpacaOrder | undefined> {
    try {
      const { data } = await this.#rest.call<AlpacaOrder>('GET', '/v2/orders:by_client_order_id', { query: { client_order_id: clientOrderId } });
      this.remember(data);
      return data;
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'not_found') return undefined;
      throw err;
    }
  }

  async rawOrders(status: 'open' | 'closed' | 'all', extra: Record<string, string | number> = {}): Promise<AlpacaOrder[]> {
    const { data } = await this.#rest.call<AlpacaOrder[]>('GET', '/v2/orders', { query: { status, limit: 500, direction: 'asc', nested: 'true', ...extra } });
    for (const o of data) this.remember(o);
    return data;
  }

  async fillFromActivity(a: AlpacaFillActivity): Promise<Fill> {
    let clientOrderId = this.#clientIds.get(a.order_id);
    if (clientOrderId === undefined) {
      const { data } = await this.#rest.call<AlpacaOrder>('GET', `/v2/orders/${a.order_id}`);
      this.remember(data);
      clientOrderId = data.client_order_id;
    }
    return { tradeId: fillId(a.order_id, a.cum_qty), clientOrderId, brokerOrderId: a.order_id, symbol: a.symbol, side: a.side, quantity: a.qty, price: a.price, time: a.transaction_time };
  }
}
