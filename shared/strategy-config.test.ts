import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import {
  DEFAULT_STRATEGY_CONFIG,
  DEFAULT_SYMBOL_MAPPING,
  STRATEGY_ACCOUNT_OVERRIDE_SCHEMA,
  STRATEGY_CONFIG_SCHEMA,
  SYMBOL_MAPPING_SCHEMA,
  resolveStrategyConfig,
} from './strategy-config.js';
import { DEFAULT_RISK_RULES, RISK_RULES_OVERRIDE_SCHEMA, RISK_RULES_SCHEMA, TIME_ZONE_FORMAT, isKnownTimeZone, resolveRiskRules } from './risk-rules.js';

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat(TIME_ZONE_FORMAT, { type: 'string', validate: isKnownTimeZone });
const validateStrategy = ajv.compile(STRATEGY_CONFIG_SCHEMA);
const validateOverride = ajv.compile(STRATEGY_ACCOUNT_OVERRIDE_SCHEMA);
const validateMapping = ajv.compile(SYMBOL_MAPPING_SCHEMA);
const validateRisk = ajv.compile(RISK_RULES_SCHEMA);
const validateRiskOverride = ajv.compile(RISK_RULES_OVERRIDE_SCHEMA);

describe('strategy config schema', () => {
  it('accepts the default strategy config', () => {
    expect(validateStrategy(DEFAULT_STRATEGY_CONFIG), JSON.stringify(validateStrategy.errors)).toBe(true);
  });

  it('accepts the default symbol mapping table', () => {
    expect(validateMapping(DEFAULT_SYMBOL_MAPPING), JSON.stringify(validateMapping.errors)).toBe(true);
  });

  it('rejects an unknown top-level field and an unknown nested field, reporting both at once', () => {
    const bad = { ...DEFAULT_STRATEGY_CONFIG, leverage: 10, sizing: { method: 'fixed_quantity', amount: '1', extra: true } };
    expect(validateStrategy(bad)).toBe(false);
    const errors = (validateStrategy.errors ?? []).filter((e) => e.keyword === 'additionalProperties');
    expect(errors.map((e) => e.params)).toEqual(expect.arrayContaining([{ additionalProperty: 'leverage' }, { additionalProperty: 'extra' }]));
  });

  it('rejects a float quantity, a bad window time and an unknown side', () => {
    expect(validateStrategy({ ...DEFAULT_STRATEGY_CONFIG, sizing: { method: 'fixed_quantity', amount: 1 } })).toBe(false);
    const windows = { timezone: 'UTC', allowExitsOutside: true, windows: [{ days: ['mon'], start: '25:00', end: '10:00' }] };
    expect(validateStrategy({ ...DEFAULT_STRATEGY_CONFIG, tradingWindows: windows })).toBe(false);
    expect(validateStrategy({ ...DEFAULT_STRATEGY_CONFIG, sides: 'up' })).toBe(false);
  });

  it('takes the trading windows\' time zone only as an IANA zone this platform knows, as the trading day\'s', () => {
    const inZone = (timezone: string) => ({ ...DEFAULT_STRATEGY_CONFIG, tradingWindows: { ...DEFAULT_STRATEGY_CONFIG.tradingWindows, timezone } });
    for (const good of ['America/New_York', 'Europe/London', 'Asia/Tokyo', 'UTC']) expect(validateStrategy(inZone(good)), good).toBe(true);
    for (const bad of ['America/Nowhere', 'Mars/Olympus_Mons', 'New York', '   ', '']) expect(validateStrategy(inZone(bad)), JSON.stringify(bad)).toBe(false);
    expect(validateOverride({ tradingWindows: { timezone: 'EST+5', windows: [], allowExitsOutside: true } })).toBe(false);
  });

  it('accepts a partial account override and rejects unknown fields in it', () => {
    expect(validateOverride({ allowAdd: true, sizing: { method: 'percent_of_equity', amount: '2.5' } })).toBe(true);
    expect(validateOverride({ allowAdd: true, colour: 'red' })).toBe(false);
  });

  it('lets the account override win field by field and leaves the strategy untouched', () => {
    const resolved = resolveStrategyConfig(DEFAULT_STRATEGY_CONFIG, { allowAdd: true, sides: 'long' });
    expect(resolved.allowAdd).toBe(true);
    expect(resolved.sides).toBe('long');
    expect(resolved.maxAlertAgeSeconds).toBe(60);
    expect(DEFAULT_STRATEGY_CONFIG.allowAdd).toBe(false);
  });

  it('defaults the maximum alert age to 60 seconds', () => {
    expect(DEFAULT_STRATEGY_CONFIG.maxAlertAgeSeconds).toBe(60);
  });
});

describe('risk rules schema', () => {
  it('accepts the default risk rules', () => {
    expect(validateRisk(DEFAULT_RISK_RULES), JSON.stringify(validateRisk.errors)).toBe(true);
  });

  it('rejects unknown fields and float money', () => {
    expect(validateRisk({ ...DEFAULT_RISK_RULES, maxLeverage: '2' })).toBe(false);
    expect(validateRisk({ ...DEFAULT_RISK_RULES, maxDailyLoss: 500 })).toBe(false);
    expect(validateRiskOverride({ maxDailyLoss: '500' })).toBe(true);
    expect(validateRiskOverride({ maxDailyLos: '500' })).toBe(false);
  });

  it('takes a trading day as an IANA zone and a 24-hour time, and nothing else', () => {
    expect(validateRiskOverride({ tradingDay: { timeZone: 'America/New_York', startsAt: '17:00' } })).toBe(true);
    expect(validateRiskOverride({ tradingDay: { timeZone: 'UTC', startsAt: '00:00' } })).toBe(true);
    expect(validateRisk({ ...DEFAULT_RISK_RULES, tradingDay: { timeZone: 'Europe/London', startsAt: '23:59' } })).toBe(true);
    for (const bad of [
      { timeZone: 'America/Nowhere', startsAt: '17:00' },
      { timeZone: 'EST+5', startsAt: '17:00' },
      { timeZone: '', startsAt: '17:00' },
      { timeZone: 'America/New_York', startsAt: '24:00' },
      { timeZone: 'America/New_York', startsAt: '5:00' },
      { timeZone: 'America/New_York' },
      { timeZone: 'America/New_York', startsAt: '17:00', endsAt: '16:59' },
    ]) expect(validateRiskOverride({ tradingDay: bad }), JSON.stringify(bad)).toBe(false);
    expect(isKnownTimeZone('   ')).toBe(false);
  });

  it('leaves the trading day out by default: the UTC day, as before the setting existed', () => {
    expect(DEFAULT_RISK_RULES.tradingDay).toBeUndefined();
  });

  it('lets the strategy override the account rules', () => {
    const resolved = resolveRiskRules({ ...DEFAULT_RISK_RULES, maxOrderQuantity: '100' }, { maxOrderQuantity: '10' });
    expect(resolved.maxOrderQuantity).toBe('10');
    expect(resolved.lossLimitAction).toBe('halt');
    const day = resolveRiskRules({ ...DEFAULT_RISK_RULES, tradingDay: { timeZone: 'UTC', startsAt: '00:00' } }, { tradingDay: { timeZone: 'America/New_York', startsAt: '17:00' } });
    expect(day.tradingDay).toEqual({ timeZone: 'America/New_York', startsAt: '17:00' });
  });
});
