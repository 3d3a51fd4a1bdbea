// Control-API routes for journal exports and configuration export/import (docs/export.md).
import type express from 'express';
import type { Db } from '../store/db.js';
import { attachInbox, openExportReader } from '../store/export-rows.js';
import type { PositionsView } from '../../shared/api-types.js';
import { isCode } from '../../shared/codes.js';
import { ApiFailure, check } from '../server/control.js';
import type { Logger } from '../log.js';
import { COLUMNS, DATASETS, exportRows, positionRows, type Dataset } from './datasets.js';
import { writeExport, type ExportFormat } from './stream.js';
import { exportConfig, importConfig } from './config-io.js';
import { ccxtExchangesFor } from '../account-connections.js';

export interface ExportRouteDeps {
  /** The agent's connection (config export/import, positions' account names). */
  db: Db;
  /** The database file: every journal export streams from its own read-only connection. */
  dbFile: string;
  /**
   * inbox.db, where received alerts wait until they are copied into viewzenix.db (during an alert storm, as the
   * worker needs them): the signals export reads the waiting ones too. Without it, it holds the copied ones only.
   */
  inboxFile?: string;
  positions: () => Promise<PositionsView>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Called after an import changed something (e.g. the webhook listener's strategy cache). */
  configChanged?: () => void | Promise<void>;
  /**
   * Called with the ids of accounts an import created, after it was applied: the running agent connects them
   * (AccountConnections.connectAll). Until then (or without this hook: until the next start) their orders are
   * denied ACCOUNT_UNAVAILABLE; an account never trades through an adapter made for other settings.
   */
  accountsAdded?: (accountIds: string[]) => Promise<void>;
}

const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?Z)?$' } as const;
export const EXPORT_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { enum: ['csv', 'json'] },
    from: DATE,
    to: DATE,
    accountId: { type: 'string', minLength: 1, maxLength: 128 },
    strategyId: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

const IMPORT_QUERY_SCHEMA = { type: 'object', additionalProperties: false, properties: { dryRun: { enum: ['true', 'false'] } } } as const;

/** A bare date is a whole UTC day: from=2026-01-02 starts at midnight, to=2026-01-02 ends at the next midnight. */
export function rangeBound(value: string | undefined, end: boolean): string | undefined {
  if (!value) return undefined;
  if (value.length > 10) return new Date(value).toISOString();
  const d = new Date(`${value}T00:00:00.000Z`);
  if (end) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

export function mountExportRoutes(router: express.Router, d: ExportRouteDeps): void {
  router.get('/export/:dataset', async (req, res) => {
    const dataset = String(req.params.dataset) as Dataset;
    if (!DATASETS.includes(dataset)) throw new ApiFailure('NOT_FOUND', `No export named "${dataset}"; use ${DATASETS.join(', ')}.`);
    const q = check<{ format?: ExportFormat; from?: string; to?: string; accountId?: string; strategyId?: string }>(EXPORT_QUERY_SCHEMA, req.query);
    const format = q.format ?? 'csv';
    const range = { from: rangeBound(q.from, false), to: rangeBound(q.to, true), accountId: q.accountId, strategyId: q.strategyId };
    const name = `viewzenix-${dataset}${q.from ? `-from-${q.from.slice(0, 10)}` : ''}${q.to ? `-to-${q.to.slice(0, 10)}` : ''}.${format}`;
    // Positions are read from the brokers before anything is answered. An account whose broker cannot be read
    // would be missing from the file: the answer is its code, not a partial export.
    const read = dataset === 'positions' ? await d.positions() : undefined;
    const failed = read?.errors.find((e) => !q.accountId || e.accountId === q.accountId);
    // Its message names the account (`… account "Paper" (acc_…) …`).
    if (failed) throw new ApiFailure(isCode(failed.code) ? failed.code : 'BROKER_UNREACHABLE', `${failed.message}${/[.!?]$/.test(failed.message) ? '' : '.'} The export would be incomplete, so none was made.`);
    // A journal export reads from a connection of its own, opened before anything is answered: an export of the
    // signals that could not read the alerts still waiting in inbox.db would silently miss them, so none is made.
    const reader = dataset === 'positions' ? undefined : openExportReader(d.dbFile);
    if (reader && dataset === 'signals' && d.inboxFile) {
      try {
        attachInbox(reader, d.inboxFile);
      } catch (err) {
        reader.close();
        d.log.error({ err }, 'the signals export could not read inbox.db');
        throw new ApiFailure('INTERNAL_ERROR', 'The alerts received and still waiting in inbox.db could not be read. The export would miss them, so none was made.');
      }
    }
    res.status(200);
    res.setHeader('content-type', format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${name}"`);
    if (!reader) {
      const asOf = new Date().toISOString();
      const all = read!.items.filter((p) => !q.accountId || p.accountId === q.accountId);
      await writeExport(res, positionRows(d.db, all, asOf), COLUMNS.positions, format);
      res.end();
      return;
    }
    try {
      const r = await writeExport(res, exportRows(reader, dataset as Exclude<Dataset, 'positions'>, range), COLUMNS[dataset], format);
      d.log.info({ dataset, format, rows: r.rows, completed: r.completed }, 'export written');
    } finally {
      reader.close();
      res.end();
    }
  });

  router.get('/config/export', (_req, res) => {
    res.setHeader('content-disposition', 'attachment; filename="viewzenix-config.json"');
    res.json(exportConfig(d.db));
  });

  // Body: a snapshot from /config/export. ?dryRun=true (the default) answers with the diff only.
  router.post('/config/import', async (req, res) => {
    const q = check<{ dryRun?: 'true' | 'false' }>(IMPORT_QUERY_SCHEMA, req.query);
    const accounts = (req.body as { accounts?: unknown } | undefined)?.accounts;
    const ccxtExchanges = Array.isArray(accounts) ? await ccxtExchangesFor(accounts.filter((a): a is { broker: string } => typeof (a as { broker?: unknown } | null)?.broker === 'string')) : undefined;
    const result = importConfig(d.db, req.body, { dryRun: q.dryRun !== 'false', ccxtExchanges });
    // The problems are in the message too: the CLI prints the message, and the trader must see what to fix.
    if (!result.ok) throw new ApiFailure('VALIDATION_FAILED', `The configuration has ${result.errors.length} problem(s):\n${result.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`, result.errors);
    if (result.applied) await d.configChanged?.(); // answered once the webhook listener has the imported strategies
    if (result.accountsAdded && d.accountsAdded) {
      // The import is applied either way; a connection failure is the account's state (shown in its view), logged.
      await d.accountsAdded(result.accountsAdded).catch((err: unknown) => d.log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'imported accounts could not all be connected'));
    }
    res.json(result);
  });
}
