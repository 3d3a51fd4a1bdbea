// Each exchange's own rule for the client order id, and how an order is found by it.
//
// The agent's id (`vz-` + 32 lowercase hex digits, main/ids.ts) is valid as it is at Binance, Bybit, KuCoin and
// Coinbase. OKX takes 1-32 letters and digits; Bitget's rule is documented differently per API version, so it
// gets the form valid under the strictest one (letters and digits, at most 32); Kraken takes a UUID, 32 hex
// digits or at most 18 characters of free text. There the agent's id travels as its 32 hex digits.
//
// Every rule is deterministic (a lookup after a lost answer asks for exactly what was sent) and one-to-one:
// the agent's ids map to one family of exchange ids, and any other id passes only if it cannot be mistaken for
// that family, so two different agent ids never share an exchange id. The way back needs no memory, so it still
// works after a restart: what the exchange reports is mapped to the agent's own id before the router sees it.

const AGENT_ID = /^vz-([0-9a-f]{32})$/;
const HEX32 = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** How an order is found by its client id at this exchange. */
export type ClientIdLookup =
  /** CCXT's fetchOrder with params.clientOrderId reaches the exchange's own lookup by client id. */
  | { kind: 'fetchOrder' }
  /** No usable lookup by client id: these CCXT list methods are read in turn and searched for the id.
   *  `filter` narrows the list at the exchange when it can filter by client id. */
  | { kind: 'scan'; methods: readonly ScanMethod[]; filter?: (exchangeId: string) => Record<string, unknown> };

export type ScanMethod = 'fetchOpenOrders' | 'fetchClosedOrders' | 'fetchCanceledOrders' | 'fetchCanceledAndClosedOrders';

export interface ClientIdRule {
  /** Rule name (the exchange family), for messages and tests. */
  readonly name: string;
  /** What the exchange accepts, in the trader's words, for a refusal before sending. */
  readonly accepts: string;
  /** The id sent to the exchange, or undefined when this id cannot be expressed there. */
  toExchange(agentId: string): string | undefined;
  /** The agent's id for an id the exchange reports (an id the agent never issued comes back unchanged). */
  toAgent(exchangeId: string): string;
  /** Whether two ids as the exchange writes them name the same order. */
  same(a: string, b: string): boolean;
  /** CCXT createOrder params that carry the id. */
  createParams(exchangeId: string): Record<string, unknown>;
  readonly lookup: ClientIdLookup;
}

/** Sent unchanged when `valid` accepts it (the agent's id always does at these exchanges). */
function unchanged(name: string, valid: RegExp | undefined, accepts: string, lookup: ClientIdLookup, field = 'clientOrderId'): ClientIdRule {
  return {
    name,
    accepts,
    toExchange: (id) => (valid === undefined || valid.test(id) ? id : undefined),
    toAgent: (id) => id,
    same: (a, b) => a === b,
    createParams: (id) => ({ [field]: id }),
    lookup,
  };
}

/** The agent's id travels as its 32 hex digits; another id passes when `valid` accepts it and it is not 32 hex
 *  digits (nor, where `normalise` folds UUIDs, a UUID), so it cannot collide with an agent's id. */
function hexForm(name: string, valid: RegExp, accepts: string, lookup: ClientIdLookup, normalise: (id: string) => string = (id) => id): ClientIdRule {
  return {
    name,
    accepts,
    toExchange: (id) => {
      const agent = AGENT_ID.exec(id);
      if (agent) return agent[1]!;
      return valid.test(id) && !HEX32.test(normalise(id)) ? id : undefined;
    },
    toAgent: (id) => {
      const n = normalise(id);
      return HEX32.test(n) ? `vz-${n}` : id;
    },
    same: (a, b) => normalise(a) === normalise(b),
    createParams: (id) => ({ clientOrderId: id }),
    lookup,
  };
}

/** Kraken may write a client id as a UUID or as 32 hex digits, in either case: compare them folded. */
const foldUuid = (id: string): string => (UUID.test(id) || /^[0-9a-fA-F]{32}$/.test(id) ? id.replace(/-/g, '').toLowerCase() : id);

const FETCH_ORDER: ClientIdLookup = { kind: 'fetchOrder' };

const BINANCE = unchanged('binance', /^[.A-Z:/a-z0-9_-]{1,36}$/, '1-36 characters of A-Z a-z 0-9 . : / _ -', FETCH_ORDER);

const OKX = hexForm('okx', /^[A-Za-z0-9]{1,32}$/, '1-32 letters and digits', FETCH_ORDER);

const BITGET = hexForm('bitget', /^[A-Za-z0-9]{1,32}$/, '1-32 letters and digits', FETCH_ORDER);

// CCXT's kraken fetchOrder sends a client id as `userref` (an integer) beside a required txid, so it cannot find
// an order by cl_ord_id. OpenOrders and ClosedOrders filter by cl_ord_id (CCXT sends params.clientOrderId as it).
const KRAKEN = hexForm('kraken', /^[A-Za-z0-9_-]{1,18}$/, '32 hex digits, or 1-18 characters of A-Z a-z 0-9 _ -', {
  kind: 'scan',
  methods: ['fetchOpenOrders', 'fetchClosedOrders'],
  filter: (id) => ({ clientOrderId: id }),
}, foldUuid);

// CCXT's bybit fetchOrder takes only the exchange's order id (and on unified accounts only the last 500 orders);
// /v5/order/realtime and /v5/order/history both filter by orderLinkId.
const BYBIT = unchanged('bybit', /^[A-Za-z0-9_-]{1,36}$/, '1-36 characters of A-Z a-z 0-9 _ -', {
  kind: 'scan',
  methods: ['fetchOpenOrders', 'fetchCanceledAndClosedOrders'],
  filter: (id) => ({ orderLinkId: id }),
});

const KUCOIN = unchanged('kucoin', /^[A-Za-z0-9_-]{1,40}$/, '1-40 characters of A-Z a-z 0-9 _ -', FETCH_ORDER);

// CCXT's coinbase createOrder drops params.clientOrderId and makes up its own client_order_id, so the id is sent
// as client_order_id itself. Its fetchOrder takes only the exchange's order id, and the order list has no
// client-id filter: the lookup reads the newest orders of the symbol (CCXT's default page).
const COINBASE = unchanged('coinbase', undefined, 'any id', {
  kind: 'scan',
  methods: ['fetchOpenOrders', 'fetchClosedOrders', 'fetchCanceledOrders'],
}, 'client_order_id');

/** Any other exchange: the id is sent as CCXT's params.clientOrderId and looked up with fetchOrder. */
const DEFAULT = unchanged('default', undefined, 'any id', FETCH_ORDER);

const BY_EXCHANGE: Record<string, ClientIdRule> = {
  binance: BINANCE,
  binanceus: BINANCE,
  binanceusdm: BINANCE,
  binancecoinm: BINANCE,
  okx: OKX,
  okxus: OKX,
  myokx: OKX,
  bitget: BITGET,
  kraken: KRAKEN,
  bybit: BYBIT,
  bybiteu: BYBIT,
  bybitid: BYBIT,
  kucoin: KUCOIN,
  coinbase: COINBASE,
};

/** The client-id rule for a CCXT exchange id. */
export function clientIdRule(exchange: string): ClientIdRule {
  return BY_EXCHANGE[exchange] ?? DEFAULT;
}
