// How a re-sent alert is recognised. TradingView re-sends on 5xx (the same bytes) and users double-fire alerts, so:
// - an explicit `id` together with the alert's normalised body is unique, for 30 days (DEDUPE_KEEP_MS in
//   store/inbox-db.ts), far past any re-send. The body is part of the key because templates often reuse an id
//   ("id": "{{strategy.order.id}}" gives "Long" at every long entry): a different alert with the same id is a new
//   alert, never a silent 200 duplicate; an identical re-send, or the same JSON with its keys in another order, is
//   still a duplicate;
// - a body that carries a `time` is unique for 30 days (the time makes it one alert);
// - a body with neither is only a duplicate within a short window, so a strategy that legitimately sends the same
//   plain text twice an hour is not silenced.
// Keys of explicit ids stored by earlier versions hashed the id alone ("id:…"). Such a key still makes an alert
// with that id a duplicate when it was received within LEGACY_ID_KEY_MS: a re-send of an alert received just
// before an upgrade stays a duplicate, while the old keys stop silencing new alerts soon after it.
import { sha256 } from '../ids.js';
import { scanJson } from './parse/json-scan.js';
import type { Signal } from '../../shared/signal.js';

/** How long after its receipt an id-only key of an earlier version still makes a same-id alert a duplicate.
 *  TradingView's re-sends come within about 20 s; a restart for an upgrade takes less than this. */
export const LEGACY_ID_KEY_MS = 15 * 60_000;

export interface DedupeKeys {
  bodyHash: string;
  dedupeKey?: string;
  /** The key an earlier version stored for the same explicit id (looked up, never stored). */
  legacyKey?: string;
}

/** Canonical text of a body: JSON with sorted keys and no whitespace, else trimmed text with folded spaces. */
export function normaliseBody(raw: string): string {
  const text = raw.trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.replace(/\s+/g, ' ');
  }
  // Numbers with more digits than a double holds are compared as written (json-scan.ts), so two alerts that differ
  // only in their 17th digit are two alerts.
  const scan = scanJson(text);
  return canonicalJson(scan.ok && scan.text !== text ? JSON.parse(scan.text) : value);
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

/** `raw` is the body as stored (secrets redacted), so the key never depends on a passphrase. */
export function dedupeKeys(strategyId: string, raw: string, signal: Signal | undefined): DedupeKeys {
  const bodyHash = sha256(`${strategyId}\u0000${normaliseBody(raw)}`);
  if (signal?.id) {
    return { bodyHash, dedupeKey: `idb:${sha256(`${strategyId}\u0000${signal.id}\u0000${bodyHash}`)}`, legacyKey: `id:${sha256(`${strategyId}\u0000${signal.id}`)}` };
  }
  if (signal?.time) return { bodyHash, dedupeKey: `body:${bodyHash}` };
  return { bodyHash };
}
