// `viewzenix export orders|fills|signals|positions [--format csv|json] [--from DATE] [--to DATE] [--account ID]
//  [--strategy ID] [--out FILE]`, `viewzenix export config [--out FILE]`, `viewzenix import [config] FILE [--apply]`.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { CliUsageError, GLOBAL_OPTIONS, type CliContext } from './cli-context.js';
import { DATASETS, type Dataset } from './datasets.js';
import type { ImportPlan } from './config-io.js';

export const EXPORT_USAGE = `Usage:
  viewzenix export orders|fills|signals|positions [--format csv|json] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                   [--account ID] [--strategy ID] [--out FILE]      (default: CSV to standard output)
  viewzenix export config [--out FILE]                              strategies, accounts (no credentials), settings
  viewzenix import FILE [--apply]                                   shows what would change; --apply changes it
  viewzenix import config FILE [--apply]                            the same`;

export async function runExportCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...GLOBAL_OPTIONS, format: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, account: { type: 'string' }, strategy: { type: 'string' }, out: { type: 'string' } },
  });
  const what = positionals[0];
  if (values.help || !what) {
    ctx.stdout.write(`${EXPORT_USAGE}\n`);
    return what ? 0 : 2;
  }
  const client = await ctx.connect();
  if (what === 'config') {
    const snap = await client.get('/api/config/export');
    return write(`${JSON.stringify(snap, null, 2)}\n`, values.out, ctx);
  }
  if (!DATASETS.includes(what as Dataset)) throw new CliUsageError(`Unknown export "${what}".\n${EXPORT_USAGE}`);
  const q = new URLSearchParams();
  for (const [k, v] of [['format', values.format], ['from', values.from], ['to', values.to], ['accountId', values.account], ['strategyId', values.strategy]] as const) if (v) q.set(k, v);
  const res = await client.raw(`/api/export/${what}?${q}`);
  if (!res.ok || !res.body) {
    const err = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new CliUsageError(`${err.code ?? res.status}: ${err.message ?? 'export failed'}`);
  }
  // Streamed straight to the file or the terminal: an export of any size needs no memory.
  const source = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  if (values.out) {
    await pipeline(source, fs.createWriteStream(values.out, { mode: 0o600 }));
    ctx.stdout.write(`wrote ${values.out}\n`);
  } else await pipeline(source, ctx.stdout, { end: false });
  return 0;
}

export async function runImportCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS, apply: { type: 'boolean' } } });
  // `import FILE` (README, --help) and `import config FILE` (the export's counterpart) are the same command.
  const file = positionals.length === 2 && positionals[0] === 'config' ? positionals[1] : positionals.length === 1 ? positionals[0] : undefined;
  if (values.help || !file) {
    ctx.stdout.write(`${EXPORT_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  let body: unknown;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliUsageError(`Cannot read ${file} as JSON: ${(err as Error).message}`);
  }
  const client = await ctx.connect();
  const plan = (await client.send('POST', `/api/config/import?dryRun=${values.apply ? 'false' : 'true'}`, body)) as ImportPlan;
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return 0;
  }
  for (const c of plan.changes.filter((x) => x.action !== 'unchanged')) {
    ctx.stdout.write(`${c.action === 'add' ? '+' : '~'} ${c.entity} ${c.id}\n`);
    for (const f of c.changes) ctx.stdout.write(`    ${f.path}: ${JSON.stringify(f.before) ?? '(none)'} → ${JSON.stringify(f.after) ?? '(none)'}\n`);
  }
  ctx.stdout.write(`${plan.summary.add} to add, ${plan.summary.update} to change, ${plan.summary.unchanged} unchanged. ${plan.applied ? 'Applied.' : values.apply ? 'Nothing to apply.' : 'Nothing changed yet: run again with --apply.'}\n`);
  return 0;
}

function write(text: string, out: string | undefined, ctx: CliContext): number {
  if (out) {
    fs.writeFileSync(out, text, { mode: 0o600 });
    ctx.stdout.write(`wrote ${out}\n`);
  } else ctx.stdout.write(text);
  return 0;
}
