// docs/codes.md and the intake table in docs/alerts.md are generated from shared/codes.ts; they must not drift.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../../shared/codes.js';
import { INTAKE_END, INTAKE_START, renderCodesMarkdown, renderIntakeTable, withIntakeTable } from './gen-codes-doc.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('generated code documentation', () => {
  it('docs/codes.md is exactly what the generator writes from shared/codes.ts', () => {
    expect(readFileSync(resolve(root, 'docs/codes.md'), 'utf8')).toBe(renderCodesMarkdown());
  });

  it('documents every code with its HTTP status and fix', () => {
    const md = renderCodesMarkdown();
    for (const [code, info] of Object.entries(CODES)) {
      expect(md).toContain(`| \`${code}\` | ${info.http} |`);
    }
  });

  it('docs/alerts.md carries the current intake table between its markers', () => {
    const alerts = readFileSync(resolve(root, 'docs/alerts.md'), 'utf8');
    expect(alerts).toBe(withIntakeTable(alerts));
    const table = alerts.slice(alerts.indexOf(INTAKE_START), alerts.indexOf(INTAKE_END));
    for (const code of ['EMPTY_BODY', 'UNFILLED_PLACEHOLDER', 'UNQUOTED_NAN', 'TRUNCATED_JSON', 'ESCAPED_JSON', 'INVALID_ACTION', 'MISSING_TICKER']) {
      expect(table).toContain(`\`${code}\``);
    }
    expect(renderIntakeTable()).not.toContain('TRADING_HALTED');
  });

  it('lists only codes the webhook answers with under the webhook answers: a stale alert is answered 202 and denied when processed', () => {
    expect(renderIntakeTable()).not.toContain('STALE_ALERT');
    const md = renderCodesMarkdown();
    const denials = md.slice(md.indexOf('## Risk and strategy denials'), md.indexOf('## Broker outcomes'));
    expect(denials).toContain('`STALE_ALERT`');
    expect(denials).toContain('the alert was accepted (`202`)');
    expect(CODES.STALE_ALERT.fix).toMatch(/still closes or reduces/);
  });
});
