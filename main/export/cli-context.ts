// What the CLI command handlers of exports, backups, audit and notifications need from main/cli.ts.
import type { Writable } from 'node:stream';

export interface CliClient {
  get(path: string): Promise<unknown>;
  send(method: string, path: string, body?: unknown): Promise<unknown>;
  /** The raw response of an authorised GET, for streaming a download to a file. */
  raw(path: string): Promise<Response>;
}

export interface CliContext {
  dataDir: string;
  /** Connects to the running agent (throws with a plain message when none runs). */
  connect(): Promise<CliClient>;
  stdout: Writable;
  json: boolean;
}

export class CliUsageError extends Error {}

/** The options every handler accepts besides its own (they may appear anywhere on the line). */
export const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Rows under a header, each column as wide as its widest cell; `(none)` for no rows. */
export function printTable(out: Writable, rows: string[][], header: string[]): void {
  if (rows.length === 0) {
    out.write('(none)\n');
    return;
  }
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  for (const r of all) out.write(`${r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}
