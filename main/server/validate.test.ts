import { describe, expect, it } from 'vitest';
import { MAX_ISSUES, validator } from './validate.js';
import { accountConfigSchema, strategyConfigSchema } from '../../shared/schemas/api.js';

const schema = { type: 'object', properties: { name: { type: 'string' }, limits: { type: 'object', additionalProperties: { type: 'number' } } }, additionalProperties: false };
const check = validator(schema);

describe('validation issues', () => {
  it('names an unknown field, and reports every problem of a small body at once', () => {
    expect(check({ name: 1, colour: 'red' })).toEqual(expect.arrayContaining([{ path: '/', message: 'unknown field "colour"' }, { path: '/name', message: 'must be string' }]));
    expect(check({ name: 'ok' })).toEqual([]);
  });

  it('echoes a long or unprintable field name only in short', () => {
    const canary = `x${'A'.repeat(5000)}-CANARY-TAIL`;
    const [issue] = check({ [canary]: 1 });
    expect(issue!.message.length).toBeLessThan(60);
    expect(issue!.message).not.toContain('CANARY');
    expect(check({ 'a\u0000b\nc': 1 })[0]!.message).toBe('unknown field "a?b?c"');
    const [deep] = check({ limits: { [`k${'B'.repeat(300)}`]: 'not a number' } });
    expect(deep!.path.length).toBeLessThan(60);
  });

  it('reports at most MAX_ISSUES problems and counts the rest', () => {
    const body = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`f${i}`, i]));
    const issues = check(body);
    expect(issues).toHaveLength(MAX_ISSUES + 1);
    expect(issues.at(-1)).toEqual({ path: '/', message: `and ${3000 - MAX_ISSUES} more problems` });
  });

  it('refuses a trading day in a time zone the agent does not know, for an account and a strategy alike', () => {
    const day = (timeZone: string) => ({ risk: { tradingDay: { timeZone, startsAt: '17:00' } } });
    expect(validator(accountConfigSchema)(day('America/New_York'))).toEqual([]);
    expect(validator(strategyConfigSchema)(day('Europe/London'))).toEqual([]);
    const issue = { path: '/risk/tradingDay/timeZone', message: 'is not an IANA time zone this agent knows (e.g. America/New_York, Europe/London, UTC)' };
    expect(validator(accountConfigSchema)(day('New York'))).toEqual([issue]);
    expect(validator(strategyConfigSchema)(day('America/Nowhere'))).toEqual([issue]);
  });
});
