// The notification resources of the control API (docs/notifications.md).
import type express from 'express';
import { ApiFailure, check } from '../server/control.js';
import type { Notifications } from './index.js';
import { CHANNEL_NAMES, type ChannelName } from './types.js';

const OUTBOX_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { enum: ['pending', 'sending', 'sent', 'dead'] }, channel: { enum: [...CHANNEL_NAMES] }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
} as const;

function channel(req: express.Request): ChannelName {
  const c = String(req.params.channel);
  if (!(CHANNEL_NAMES as readonly string[]).includes(c)) throw new ApiFailure('NOT_FOUND', `No notification channel "${c}"; use ${CHANNEL_NAMES.join(', ')}.`);
  return c as ChannelName;
}

export function mountNotifyRoutes(router: express.Router, d: { notifications: Notifications }): void {
  const n = d.notifications;
  router.get('/notifications', async (_req, res) => {
    res.json({ config: n.config(), channels: await n.status() });
  });
  router.put('/notifications/channels/:channel', (req, res) => {
    const r = n.setChannel(channel(req), req.body);
    if (!r.ok) throw new ApiFailure('VALIDATION_FAILED', `The channel settings have ${r.errors.length} problem(s).`, r.errors);
    res.json(r.config);
  });
  // Answers 200 with {ok, error?}: the test itself worked even when the service said no.
  router.post('/notifications/channels/:channel/test', async (req, res) => {
    res.json(await n.sendTest(channel(req)));
  });
  router.get('/notifications/outbox', (req, res) => {
    const q = check<{ status?: 'pending' | 'sending' | 'sent' | 'dead'; channel?: string; limit?: string }>(OUTBOX_QUERY, req.query);
    res.json({ items: n.outbox.list({ status: q.status, channel: q.channel, limit: q.limit ? Number(q.limit) : undefined }) });
  });
  router.post('/notifications/outbox/:id/retry', (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || !n.outbox.retry(id)) throw new ApiFailure('NOT_FOUND', 'No dead-lettered notification with this id.');
    res.json({ ok: true });
  });
}
