// Writes docs/codes.md, and the intake-codes table inside docs/alerts.md, from shared/codes.ts, so a code is
// documented once. codes-doc.test.ts fails when the committed files drift from the table.
//
// Run after changing shared/codes.ts:
//   npx tsc -p tsconfig.build.json && node dist/main/signals/parse/gen-codes-doc.js
// or, without a build:
//   node --import jiti/register main/signals/parse/gen-codes-doc.ts
// (from the repository root; an explicit root may be given as the first argument).

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CODES, type Code } from '../../../shared/codes.js';

/** The first code of each section of shared/codes.ts; codes keep their file order, so later ones follow. A note,
 *  when given, is printed between the title and the table. */
const SECTIONS: ReadonlyArray<readonly [Code, string, string?]> = [
  ['WEBHOOK_NOT_FOUND', 'Webhook intake (answers to `POST /webhook/<id>`)'],
  [
    'TRADING_HALTED',
    'Risk and strategy denials (stored with the signal)',
    'These are not webhook answers: the alert was accepted (`202`) and is judged when it is processed; the code is stored with the signal and its per-account decisions (`GET /api/signals/:id`). The HTTP column is the status of a control-API call refused for the same reason (e.g. approving an order while trading is halted).',
  ],
  ['BROKER_REJECTED', 'Broker outcomes'],
  ['UNAUTHORIZED', 'Control API'],
];

export const INTAKE_START = '<!-- codes:intake:start (generated from shared/codes.ts by main/signals/parse/gen-codes-doc.ts) -->';
export const INTAKE_END = '<!-- codes:intake:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function table(codes: readonly Code[]): string {
  const rows = codes.map((c) => `| \`${c}\` | ${CODES[c].http} | ${cell(CODES[c].message)} | ${cell(CODES[c].fix)} |`);
  return ['| Code | HTTP | What happened | What to do |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function sections(): Array<{ title: string; note?: string; codes: Code[] }> {
  const out: Array<{ title: string; note?: string; codes: Code[] }> = [];
  for (const code of Object.keys(CODES) as Code[]) {
    const start = SECTIONS.find(([first]) => first === code);
    if (start !== undefined || out.length === 0) out.push({ title: start?.[1] ?? 'Codes', note: start?.[2], codes: [] });
    out[out.length - 1]!.codes.push(code);
  }
  return out;
}

export function renderCodesMarkdown(): string {
  const parts = [
    '# Codes',
    '',
    'Every answer code of the agent: webhook rejections, risk denials, broker outcomes and control-API errors.',
    'The UI, the CLI and this page read the same table (`shared/codes.ts`); this page is generated from it by',
    '`main/signals/parse/gen-codes-doc.ts`, so edit the table, not this file.',
    '',
  ];
  for (const s of sections()) parts.push(`## ${s.title}`, '', ...(s.note ? [s.note, ''] : []), table(s.codes), '');
  return parts.join('\n');
}

/** The intake codes table that docs/alerts.md carries between its markers. */
export function renderIntakeTable(): string {
  return table(sections()[0]!.codes);
}

export function withIntakeTable(alertsMd: string): string {
  const start = alertsMd.indexOf(INTAKE_START);
  const end = alertsMd.indexOf(INTAKE_END);
  if (start < 0 || end < start) throw new Error('docs/alerts.md has no codes:intake markers');
  return `${alertsMd.slice(0, start + INTAKE_START.length)}\n${renderIntakeTable()}\n${alertsMd.slice(end)}`;
}

export function writeDocs(root: string): void {
  writeFileSync(resolve(root, 'docs/codes.md'), renderCodesMarkdown());
  const alertsPath = resolve(root, 'docs/alerts.md');
  writeFileSync(alertsPath, withIntakeTable(readFileSync(alertsPath, 'utf8')));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeDocs(resolve(process.argv[2] ?? process.cwd()));
}
