// The notification resources of the control API (docs/notifications.md).
import type express from 'express';
import { ApiFailure, check } from '../server/control.js';
import type { CredentialsService } from '../credentials-service.js';
import type { Notifications } from './index.js';
import { CHANNEL_NAMES, type ChannelName } from './types.js';
import type { ChannelRemoval } from '../../shared/notify.js';

const OUTBOX_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { enum: ['pending', 'sending', 'sent', 'dead'] }, channel: { enum: [...CHANNEL_NAMES] }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
} as const;

const UNDELIVERED_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { channel: { enum: [...CHANNEL_NAMES] }, limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' } },
} as const;

const CLEAR_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { channel: { enum: [...CHANNEL_NAMES] }, through: { type: 'string', format: 'date-time' } },
} as const;

function channel(req: express.Request): ChannelName {
  const c = String(req.params.channel);
  if (!(CHANNEL_NAMES as readonly string[]).includes(c)) throw new ApiFailure('NOT_FOUND', `No notification channel "${c}"; use ${CHANNEL_NAMES.join(', ')}.`);
  return c as ChannelName;
}

export function mountNotifyRoutes(router: express.Router, d: { notifications: Notifications; credentials: Pick<CredentialsService, 'removeNotify'> }): void {
  const n = d.notifications;
  router.get('/notifications', async (_req, res) => {
    res.json({ config: n.config(), channels: await n.status() });
  });
  router.put('/notifications/channels/:channel', (req, res) => {
    const r = n.setChannel(channel(req), req.body);
    if (!r.ok) throw new ApiFailure('VALIDATION_FAILED', `The channel settings have ${r.errors.length} problem(s).`, r.errors);
    res.json(r.config);
  });
  // Removing: the settings first (nothing more is sent, the waiting messages are given up), then every keychain
  // entry of the channel. A keychain that cannot be written is 503 VAULT_UNAVAILABLE saying the settings are gone
  // and the credential is not; removing again once it works deletes it.
  router.delete('/notifications/channels/:channel', async (req, res) => {
    const c = channel(req);
    const { config, givenUp } = n.removeChannel(c);
    let credentials: ChannelRemoval['credentials'] = { deleted: [], environment: [] };
    if (c !== 'desktop') {
      try {
        credentials = await d.credentials.removeNotify(c);
      } catch (err) {
        if (!(err instanceof ApiFailure) || err.code !== 'VAULT_UNAVAILABLE') throw err;
        const waiting = givenUp > 0 ? ` (${givenUp} waiting message(s) given up)` : '';
        throw new ApiFailure('VAULT_UNAVAILABLE', `The ${c} channel's settings are removed and nothing more is sent to it${waiting}, but its credential could not be deleted from the keychain. ${err.message} Remove the channel again once the keychain works.`, undefined, err.fix);
      }
    }
    const answer: ChannelRemoval = { channel: c, removed: true, config, givenUp, credentials };
    res.json(answer);
  });
  // Answers 200 with {ok, error?}: the test itself worked even when the service said no.
  router.post('/notifications/channels/:channel/test', async (req, res) => {
    res.json(await n.sendTest(channel(req)));
  });
  router.get('/notifications/outbox', (req, res) => {
    const q = check<{ status?: 'pending' | 'sending' | 'sent' | 'dead'; channel?: string; limit?: string }>(OUTBOX_QUERY, req.query);
    res.json({ items: n.outbox.list({ status: q.status, channel: q.channel, limit: q.limit ? Number(q.limit) : undefined }) });
  });
  router.get('/notifications/undelivered', (req, res) => {
    const q = check<{ channel?: string; limit?: string }>(UNDELIVERED_QUERY, req.query);
    res.json(n.undelivered.list({ channel: q.channel, limit: q.limit ? Number(q.limit) : undefined }));
  });
  router.delete('/notifications/undelivered', (req, res) => {
    const q = check<{ channel?: string; through?: string }>(CLEAR_QUERY, req.query);
    res.json({ cleared: n.undelivered.clear({ channel: q.channel, through: q.through === undefined ? undefined : new Date(q.through).toISOString() }) });
  });
  // Sends a given-up message again (the window's "Send again" under Not delivered): back to the outbox with a fresh
  // count of attempts, out of the record of undelivered ones.
  router.post('/notifications/outbox/:id/retry', (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || !n.outbox.retry(id)) {
      throw new ApiFailure(
        'NOT_FOUND',
        'No given-up notification has this id: it was sent again already, or cleared from the record of undelivered ones.',
        undefined,
        'List the undelivered notifications again (GET /api/notifications/undelivered) and use an id from it.',
      );
    }
    res.json({ ok: true });
  });
}
