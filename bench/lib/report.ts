// Figures with their bars, machine info, and the JSON + Markdown files under bench/results/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './paths.js';

export interface Figure {
  /** What is measured, in the words of docs/QUALITY.md. */
  name: string;
  value: number | string;
  unit: string;
  /** The bar as text ("p99 ≤ 10 ms"), or "—" for a figure reported without a bar. */
  bar: string;
  /** undefined: no bar, or not measured. */
  pass?: boolean;
  detail?: string;
}

export function check(name: string, value: number, unit: string, bar: { max?: number; min?: number; text: string }, detail?: string): Figure {
  const pass = Number.isFinite(value) && (bar.max === undefined || value <= bar.max) && (bar.min === undefined || value >= bar.min);
  return { name, value, unit, bar: bar.text, pass, ...(detail ? { detail } : {}) };
}

export function info(name: string, value: number | string, unit: string, detail?: string): Figure {
  return { name, value, unit, bar: '—', ...(detail ? { detail } : {}) };
}

export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function fmt(v: number | string): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

export function toMarkdown(title: string, meta: Record<string, unknown>, figures: readonly Figure[]): string {
  const lines = [`# ${title}`, '', '| Figure | Value | Bar | Result |', '|---|---|---|---|'];
  for (const f of figures) {
    const result = f.pass === undefined ? '—' : f.pass ? 'pass' : '**MISS**';
    lines.push(`| ${f.name}${f.detail ? ` <br><sub>${f.detail}</sub>` : ''} | ${fmt(f.value)} ${f.unit} | ${f.bar} | ${result} |`);
  }
  lines.push('', '## Run', '', ...Object.entries(meta).map(([k, v]) => `- ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`), '');
  return lines.join('\n');
}

/** Writes <name>.json and <name>.md in bench/results/; returns the paths. */
export function writeResults(name: string, title: string, meta: Record<string, unknown>, figures: readonly Figure[], extra: Record<string, unknown> = {}): string[] {
  const dir = path.join(repoRoot, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const json = path.join(dir, `${name}.json`);
  const md = path.join(dir, `${name}.md`);
  fs.writeFileSync(json, `${JSON.stringify({ title, ...meta, figures, ...extra }, null, 2)}\n`);
  fs.writeFileSync(md, toMarkdown(title, meta, figures));
  return [json, md];
}

export function printFigures(figures: readonly Figure[]): void {
  for (const f of figures) {
    const mark = f.pass === undefined ? '   ' : f.pass ? 'ok ' : 'MISS';
    process.stdout.write(`${mark.padEnd(4)} ${f.name}: ${fmt(f.value)} ${f.unit}   [bar: ${f.bar}]${f.detail ? `  (${f.detail})` : ''}\n`);
  }
}
