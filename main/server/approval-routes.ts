// Manual approval resources (docs/api.md "Approvals"): list, approve (risk check again, then sent once), reject.
import type express from 'express';
import { ApiFailure, check } from './control.js';
import { approvalsQuerySchema, rejectApprovalSchema } from '../../shared/schemas/api.js';
import { ApprovalError, type ApprovalService } from '../approvals/service.js';
import type { ApprovalStatus } from '../../shared/api-types.js';

type Handler = (req: express.Request, res: express.Response) => unknown;

/** The service's refusals become the API's error shape with their own code (409 CONFLICT, TRADING_HALTED...). */
const h =
  (fn: Handler): Handler =>
  async (req, res) => {
    try {
      return await fn(req, res);
    } catch (err) {
      if (err instanceof ApprovalError) throw new ApiFailure(err.code, err.message);
      throw err;
    }
  };

export function mountApprovalRoutes(r: express.Router, approvals: ApprovalService): void {
  r.get('/approvals', h((req, res) => {
    const q = check<{ status?: ApprovalStatus; limit?: string }>(approvalsQuerySchema, req.query);
    res.json({ items: approvals.list({ status: q.status, limit: q.limit ? Number(q.limit) : undefined }), pending: approvals.pendingCount() });
  }));
  r.get('/approvals/:id', h((req, res) => {
    const a = approvals.get(String(req.params.id));
    if (!a) throw new ApiFailure('NOT_FOUND', `No approval ${String(req.params.id)}.`);
    res.json(a);
  }));
  r.post('/approvals/:id/approve', h(async (req, res) => {
    res.json(await approvals.approve(String(req.params.id), 'api'));
  }));
  r.post('/approvals/:id/reject', h((req, res) => {
    const body = check<{ reason?: string }>(rejectApprovalSchema, req.body ?? {});
    res.json({ approval: approvals.reject(String(req.params.id), body.reason, 'api') });
  }));
}
