// GET /api/audit/verify → {ok, checked, unsealed, head, firstBadRow?}; GET /api/audit/history?table=&rowId=.
import type express from 'express';
import { check } from '../server/control.js';
import type { AuditTrail } from './audit.js';
import { AUDITED_TABLES } from '../store/audit.js';

const HISTORY_QUERY = {
  type: 'object',
  additionalProperties: false,
  required: ['table', 'rowId'],
  properties: {
    table: { enum: AUDITED_TABLES },
    rowId: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;

export function mountAuditRoutes(router: express.Router, d: { audit: AuditTrail }): void {
  router.get('/audit/verify', (_req, res) => {
    res.json(d.audit.verify());
  });
  router.get('/audit/history', (req, res) => {
    const q = check<{ table: string; rowId: string }>(HISTORY_QUERY, req.query);
    res.json({ items: d.audit.history(q.table, q.rowId) });
  });
}
