// The notification test harness: a fresh database with the channel settings stored before start (as after a
// restart), a debug logger whose lines are kept for the canary checks, and a vault that answers from a map.
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { expect } from 'vitest';
import { openDatabase, type Db } from '../../store/db.js';
import { EventBus } from '../../events.js';
import { tempDir } from '../../test-support/agent.js';
import { startNotifications, type Notifications, type NotificationDeps } from '../index.js';
import type { OrderView } from '../../../shared/api-types.js';
import type { ChannelSettings } from '../types.js';
import { NotifyConfigStore } from '../config.js';
import { SettingsRepo } from '../../store/settings.js';

/** Undone after each test (servers closed, notifications stopped): call runCleanups from afterEach. */
export const cleanups: (() => Promise<void> | void)[] = [];
export async function runCleanups(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!();
}

export function order(over: Partial<OrderView> = {}): OrderView {
  return {
    id: 'ord_1', clientOrderId: 'vz-abc', accountId: 'acc_1', strategyId: 'str_1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', timeInForce: 'day',
    status: 'filled', filledQuantity: '10', averageFillPrice: '190.5', createdAt: '2026-01-02T10:00:00.000Z', updatedAt: '2026-01-02T10:00:01.000Z', ...over,
  };
}

export interface Harness {
  db: Db;
  bus: EventBus;
  n: Notifications;
  logs: string[];
  rows(): { channel: string; status: string; attempts: number; last_error: string | null; message: string; next_attempt_at: string }[];
}

export async function harness(secrets: Record<string, string>, channels: Partial<Record<string, ChannelSettings>>, extra: Partial<NotificationDeps> = {}, db?: Db): Promise<Harness> {
  const database = db ?? openDatabase({ file: path.join(tempDir(), 'notify.db') });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { logs.push(chunk.toString()); cb(); } });
  const log = pino({ level: 'debug' }, sink); // no redaction configured: the notifier itself must never log a secret
  const bus = new EventBus();
  // Configuration is in place before start, as after a restart.
  const store = new NotifyConfigStore(new SettingsRepo(database));
  for (const [name, s] of Object.entries(channels)) expect(store.setChannel(name as 'discord', s)).toMatchObject({ ok: true });
  const pre = await startNotifications({ db: database, bus, log, secrets: { get: async (name) => secrets[name] ?? null }, backoffBaseMs: 20, backoffMaxMs: 200, ...extra });
  cleanups.push(async () => {
    await pre.stop();
    database.close();
  });
  return { db: database, bus, n: pre, logs, rows: () => database.prepare('SELECT * FROM notify_outbox ORDER BY id').all() as ReturnType<Harness['rows']> };
}

export const ALL_KINDS = ['fill', 'denial', 'rejection', 'halt', 'daily-loss', 'drift', 'unknown-order', 'tunnel-down', 'tunnel-up', 'agent-restart', 'approval-waiting'] as ChannelSettings['events'];

export async function withFake<T extends { close(): Promise<void> }>(f: Promise<T>): Promise<T> {
  const s = await f;
  cleanups.push(() => s.close());
  return s;
}
