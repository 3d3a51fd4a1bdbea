// Each exchange's own rule for the client order id, and how an order is found by it.
//
// The agent's id (`vz-` + 32 lowercase hex digits, main/ids.ts) is valid as it is at Binance, Bybit, KuCoin and
// Coinbase. OKX takes 1-32 letters and digits; Bitget's rule is documented differently per API version, so it
// gets the form valid under the strictest one (letters and digits, at most 32); Kraken takes a UUID, 32 hex
// digits or at most 18 characters of free text. There the agent's id travels as its 32 hex digits.
//
// Every rule is deterministic (a lookup after a lost answer asks for exactly what was sent) and keeps distinct
// ids distinct. Three families of exchange ids never overlap: the agent's ids in their exchange form; other ids
// the exchange accepts as they are, sent unchanged; and any other id, sent as a hash in a reserved shape. The
// agent's ids map back without memory, so orders read after a restart still carry the agent's id; a hashed id
// maps back only through the adapter's memory of what it sent (the agent itself issues none).
import { createHash } from 'node:crypto';

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
  /** The id sent to the exchange: the same for the same id, different for different ids. */
  toExchange(agentId: string): string;
  /** The agent's id for an id the exchange reports, when it can be known without memory: the agent's own ids
   *  come back whole; anything else comes back unchanged. */
  toAgent(exchangeId: string): string;
  /** Whether two ids as the exchange writes them name the same order. */
  same(a: string, b: string): boolean;
  /** CCXT createOrder params that carry the id. */
  createParams(exchangeId: string): Record<string, unknown>;
  readonly lookup: ClientIdLookup;
}

const sha256hex = (text: string): string => createHash('sha256').update(text).digest('hex');

interface Shape {
  name: string;
  /** What the exchange accepts as it is; undefined: no format is known, every id is sent unchanged. */
  valid?: RegExp;
  /** The agent's ids travel as their 32 hex digits (else unchanged: they are valid there as they are). */
  hexForm: boolean;
  /** The reserved shape of a hashed id: prefix + `hashLength` hex digits. */
  hashPrefix: string;
  hashLength: number;
  /** Folds the ways the exchange may write one id (case, UUID hyphens) to one form, for comparison. */
  fold?: (id: string) => string;
  field?: string;
  lookup: ClientIdLookup;
}

function rule(shape: Shape): ClientIdRule {
  const fold = shape.fold ?? ((id: string) => id);
  const hashed = new RegExp(`^${shape.hashPrefix}[0-9a-f]{${shape.hashLength}}$`);
  /** Ids sent unchanged must not look like an agent id's exchange form nor like a hashed id. */
  const reserved = (id: string): boolean => hashed.test(id) || (shape.hexForm && HEX32.test(fold(id)));
  return {
    name: shape.name,
    toExchange: (id) => {
      const agent = AGENT_ID.exec(id);
      if (agent) return shape.hexForm ? agent[1]! : id;
      if (shape.valid === undefined || (shape.valid.test(id) && !reserved(id))) return id;
      return shape.hashPrefix + sha256hex(id).slice(0, shape.hashLength);
    },
    toAgent: (id) => {
      if (!shape.hexForm) return id;
      const f = fold(id);
      return HEX32.test(f) ? `vz-${f}` : id;
    },
    same: (a, b) => fold(a) === fold(b),
    createParams: (id) => ({ [shape.field ?? 'clientOrderId']: id }),
    lookup: shape.lookup,
  };
}

/** Kraken may write a client id as a UUID or as 32 hex digits, in either case: compare them folded. */
const foldUuid = (id: string): string => (UUID.test(id) || /^[0-9a-fA-F]{32}$/.test(id) ? id.replace(/-/g, '').toLowerCase() : id);

const FETCH_ORDER: ClientIdLookup = { kind: 'fetchOrder' };

// newClientOrderId: ^[.A-Z:/a-z0-9_-]{1,36}$ (Binance's own error text).
const BINANCE = rule({ name: 'binance', valid: /^[.A-Z:/a-z0-9_-]{1,36}$/, hexForm: false, hashPrefix: 'vzh-', hashLength: 32, lookup: FETCH_ORDER });

// clOrdId: 1-32 case-sensitive letters and digits.
const OKX = rule({ name: 'okx', valid: /^[A-Za-z0-9]{1,32}$/, hexForm: true, hashPrefix: 'h', hashLength: 31, lookup: FETCH_ORDER });

// clientOid: the strictest documented reading, letters and digits, at most 32.
const BITGET = rule({ name: 'bitget', valid: /^[A-Za-z0-9]{1,32}$/, hexForm: true, hashPrefix: 'h', hashLength: 31, lookup: FETCH_ORDER });

// CCXT's kraken fetchOrder sends a client id as `userref` (an integer) beside a required txid, so it cannot find
// an order by cl_ord_id. OpenOrders and ClosedOrders filter by cl_ord_id (CCXT sends params.clientOrderId as it).
// cl_ord_id: a UUID, 32 hex digits, or free text of at most 18 characters (kept to A-Z a-z 0-9 _ - here).
const KRAKEN = rule({
  name: 'kraken',
  valid: /^[A-Za-z0-9_-]{1,18}$/,
  hexForm: true,
  hashPrefix: 'h',
  hashLength: 17,
  fold: foldUuid,
  lookup: { kind: 'scan', methods: ['fetchOpenOrders', 'fetchClosedOrders'], filter: (id) => ({ clientOrderId: id }) },
});

// CCXT's bybit fetchOrder takes only the exchange's order id (and on unified accounts only the last 500 orders);
// /v5/order/realtime and /v5/order/history both filter by orderLinkId.
// orderLinkId: at most 36 letters, digits, - and _.
const BYBIT = rule({
  name: 'bybit',
  valid: /^[A-Za-z0-9_-]{1,36}$/,
  hexForm: false,
  hashPrefix: 'vzh-',
  hashLength: 32,
  lookup: { kind: 'scan', methods: ['fetchOpenOrders', 'fetchCanceledAndClosedOrders'], filter: (id) => ({ orderLinkId: id }) },
});

// clientOid: at most 40 letters, digits, - and _.
const KUCOIN = rule({ name: 'kucoin', valid: /^[A-Za-z0-9_-]{1,40}$/, hexForm: false, hashPrefix: 'vzh-', hashLength: 32, lookup: FETCH_ORDER });

// CCXT's coinbase createOrder drops params.clientOrderId and makes up its own client_order_id, so the id is sent
// as client_order_id itself. Its fetchOrder takes only the exchange's order id, and the order list has no
// client-id filter: the lookup reads the newest orders of the symbol (CCXT's default page).
const COINBASE = rule({
  name: 'coinbase',
  hexForm: false,
  hashPrefix: 'vzh-',
  hashLength: 32,
  field: 'client_order_id',
  lookup: { kind: 'scan', methods: ['fetchOpenOrders', 'fetchClosedOrders', 'fetchCanceledOrders'] },
});

/** Any other exchange: the id is sent unchanged as CCXT's params.clientOrderId and looked up with fetchOrder. */
const DEFAULT = rule({ name: 'default', hexForm: false, hashPrefix: 'vzh-', hashLength: 32, lookup: FETCH_ORDER });

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
