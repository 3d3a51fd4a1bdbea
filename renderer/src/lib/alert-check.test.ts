import { describe, expect, it } from 'vitest';
import { reviewAlertCheck } from './alert-check.js';

const ID_WARNING = '"id" has no {{timenow}}, so it is the same at every firing (here "Long"): … answered "duplicate", not traded.';

describe('reviewAlertCheck', () => {
  it('shows every warning of the agent and never says "without problems" when there are warnings', () => {
    const r = reviewAlertCheck({ problems: [], warnings: [ID_WARNING, 'second'] }, '{"ticker":"AAPL","action":"buy","id":"Long"}');
    expect(r.verdict).toBe('warnings');
    expect(r.warnings).toEqual([ID_WARNING, 'second']);
    expect(r.headline).not.toMatch(/without problems/);
    expect(r.headline).toContain('2 warnings');
  });

  it('treats the builder placeholder <your passphrase> as a problem to fix', () => {
    const text = '{"ticker":"AAPL","action":"buy","quantity":"1","id":"Long","passphrase":"<your passphrase>"}';
    const r = reviewAlertCheck({ problems: [], warnings: [ID_WARNING] }, text, { hasPassphrase: true });
    expect(r.verdict).toBe('problems');
    expect(r.problems).toEqual([expect.objectContaining({ code: 'PASSPHRASE_INVALID', field: 'passphrase' })]);
    expect(r.headline).toBe('1 problem to fix before this alert can trade, and 1 warning.');
  });

  it('reports a missing passphrase when the strategy checks one', () => {
    const r = reviewAlertCheck({ problems: [] }, '{"ticker":"AAPL","action":"buy"}', { hasPassphrase: true });
    expect(r.problems.map((p) => p.code)).toEqual(['PASSPHRASE_MISSING']);
    expect(reviewAlertCheck({ problems: [] }, '{"ticker":"AAPL","action":"buy","passphrase":"s3cret"}', { hasPassphrase: true }).verdict).toBe('ok');
  });

  it('keeps the agent problems first and says "without problems" only when nothing at all was found', () => {
    const agent = { code: 'MISSING_ACTION', message: 'no action', field: 'action' };
    const r = reviewAlertCheck({ problems: [agent], warnings: [] }, '{"ticker":"AAPL"}');
    expect(r.problems[0]).toEqual(agent);
    expect(r.verdict).toBe('problems');
    const ok = reviewAlertCheck({ problems: [] }, '{"ticker":"AAPL","action":"buy"}');
    expect(ok.verdict).toBe('ok');
    expect(ok.headline).toBe('The agent reads this alert without problems or warnings.');
  });
});
