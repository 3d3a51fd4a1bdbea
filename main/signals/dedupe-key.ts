// How a re-sent alert is recognised. TradingView re-sends on 5xx and users double-fire alerts, so:
// an explicit `id` is unique; a body that carries a `time` is unique (the time makes it one alert): both for 30
// days (DEDUPE_KEEP_MS in store/inbox-db.ts), far past any re-send; a body with neither is only a duplicate within a short window, so a strategy that legitimately sends
// the same plain text twice an hour is not silenced.
import { sha256 } from '../ids.js';
import type { Signal } from '../../shared/signal.js';

export interface DedupeKeys {
  bodyHash: string;
  dedupeKey?: string;
}

/** Canonical text of a body: JSON with sorted keys and no whitespace, else trimmed text with folded spaces. */
export function normaliseBody(raw: string): string {
  const text = raw.trim();
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return text.replace(/\s+/g, ' ');
  }
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function dedupeKeys(strategyId: string, raw: string, signal: Signal | undefined): DedupeKeys {
  const bodyHash = sha256(`${strategyId}\u0000${normaliseBody(raw)}`);
  if (signal?.id) return { bodyHash, dedupeKey: `id:${sha256(`${strategyId}\u0000${signal.id}`)}` };
  if (signal?.time) return { bodyHash, dedupeKey: `body:${bodyHash}` };
  return { bodyHash };
}
