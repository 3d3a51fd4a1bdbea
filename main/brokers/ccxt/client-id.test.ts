// The per-exchange client-id rules: what each exchange receives for the agent's ids, that the same id always
// gives the same exchange id, that distinct ids stay distinct, and that the agent's ids come back whole.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clientIdRule } from './client-id.js';
import { clientOrderId } from '../../ids.js';

const EXCHANGES = ['binance', 'binanceusdm', 'okx', 'myokx', 'bitget', 'kraken', 'bybit', 'kucoin', 'coinbase', 'gate'];
/** What each exchange documents it accepts (Bitget: the strictest reading). */
const ACCEPTS: Record<string, RegExp> = {
  binance: /^[.A-Z:/a-z0-9_-]{1,36}$/,
  binanceusdm: /^[.A-Z:/a-z0-9_-]{1,36}$/,
  okx: /^[A-Za-z0-9]{1,32}$/,
  myokx: /^[A-Za-z0-9]{1,32}$/,
  bitget: /^[A-Za-z0-9]{1,32}$/,
  kraken: /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32}|[\x20-\x7e]{1,18})$/,
  bybit: /^[A-Za-z0-9_-]{1,36}$/,
  kucoin: /^[A-Za-z0-9_-]{1,40}$/,
};
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const agentId = hex32.map((h) => `vz-${h}`);
const anyId = fc.oneof(agentId, fc.string({ minLength: 1, maxLength: 60 }), fc.stringMatching(/^[0-9a-f]{32}$/), fc.stringMatching(/^h[0-9a-f]{17,31}$/), fc.stringMatching(/^vzh-[0-9a-f]{32}$/));

describe('client id per exchange', () => {
  it('the agent\'s id travels as its 32 hex digits to OKX, Bitget and Kraken, unchanged elsewhere', () => {
    const id = clientOrderId('sig', 'acc', 'entry');
    const hex = id.slice(3);
    for (const ex of ['okx', 'okxus', 'myokx', 'bitget', 'kraken']) expect(clientIdRule(ex).toExchange(id)).toBe(hex);
    for (const ex of ['binance', 'binanceus', 'bybit', 'kucoin', 'coinbase', 'gate']) expect(clientIdRule(ex).toExchange(id)).toBe(id);
  });

  it.each(Object.keys(ACCEPTS))('%s: every id, the agent\'s or any other, is sent in a form the exchange accepts', (ex) => {
    const rule = clientIdRule(ex);
    fc.assert(fc.property(anyId, (id) => ACCEPTS[ex]!.test(rule.toExchange(id))));
  });

  it.each(EXCHANGES)('%s: the same id gives the same exchange id; distinct ids give distinct exchange ids', (ex) => {
    const rule = clientIdRule(ex);
    fc.assert(fc.property(anyId, anyId, (a, b) => {
      expect(rule.toExchange(a)).toBe(rule.toExchange(a));
      if (a !== b) expect(rule.toExchange(a)).not.toBe(rule.toExchange(b));
    }));
  });

  it.each(EXCHANGES)('%s: the agent\'s ids come back whole from what the exchange reports, without memory', (ex) => {
    const rule = clientIdRule(ex);
    fc.assert(fc.property(agentId, (id) => rule.toAgent(rule.toExchange(id)) === id));
  });

  it('an id sent unchanged comes back unchanged; a foreign id is not mistaken for one of ours', () => {
    expect(clientIdRule('okx').toExchange('abc123')).toBe('abc123');
    expect(clientIdRule('okx').toAgent('abc123')).toBe('abc123');
    // CCXT's own OKX ids (broker prefix + uuid16) are not agent ids.
    expect(clientIdRule('okx').toAgent('e847386590ce4dBCc7f2a1b4c4509f82')).toBe('e847386590ce4dBCc7f2a1b4c4509f82');
  });

  it('an id the exchange would refuse is hashed into a reserved shape, never refused and never colliding with a passed-through id', () => {
    const okx = clientIdRule('okx');
    expect(okx.toExchange('bc01-y4mx17g2o71')).toMatch(/^h[0-9a-f]{31}$/);
    // An id that already has the reserved shape is itself hashed, so it cannot collide with a hashed one.
    const shaped = okx.toExchange('bc01-y4mx17g2o71');
    expect(okx.toExchange(shaped)).not.toBe(shaped);
    expect(clientIdRule('binance').toExchange('has spaces')).toMatch(/^vzh-[0-9a-f]{32}$/);
    expect(clientIdRule('kraken').toExchange('longer-than-eighteen-chars')).toMatch(/^h[0-9a-f]{17}$/);
  });

  it('Kraken: a cl_ord_id written back as a UUID or in capitals is the same order', () => {
    const kraken = clientIdRule('kraken');
    const id = clientOrderId('sig', 'acc', 'entry');
    const hex = kraken.toExchange(id);
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    expect(kraken.same(uuid.toUpperCase(), hex)).toBe(true);
    expect(kraken.toAgent(uuid)).toBe(id);
  });

  it('lookups: Kraken, Bybit and Coinbase cannot look an order up by client id through CCXT and scan open, then closed orders', () => {
    expect(clientIdRule('kraken').lookup).toMatchObject({ kind: 'scan', methods: ['fetchOpenOrders', 'fetchClosedOrders'] });
    const kraken = clientIdRule('kraken').lookup;
    expect(kraken.kind === 'scan' && kraken.filter?.('abc')).toEqual({ clientOrderId: 'abc' });
    const bybit = clientIdRule('bybit').lookup;
    expect(bybit.kind === 'scan' && bybit.filter?.('abc')).toEqual({ orderLinkId: 'abc' });
    expect(clientIdRule('coinbase').lookup).toMatchObject({ kind: 'scan' });
    for (const ex of ['binance', 'okx', 'bitget', 'kucoin', 'gate']) expect(clientIdRule(ex).lookup).toEqual({ kind: 'fetchOrder' });
    // Coinbase: CCXT drops params.clientOrderId, so the id is sent as client_order_id itself.
    expect(clientIdRule('coinbase').createParams('x')).toEqual({ client_order_id: 'x' });
    expect(clientIdRule('okx').createParams('x')).toEqual({ clientOrderId: 'x' });
  });
});
