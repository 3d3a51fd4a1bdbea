import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { eventually } from '../test-support/agent.js';
import { fakeSmtp } from './testing/fake-smtp.js';
import { ALL_KINDS, harness, order, runCleanups, withFake } from './testing/harness.js';
import type { ChannelSettings } from './types.js';

afterEach(runCleanups);

const USER = 'alerts@example.com';
const PASSWORD = 'CANARY-smtp-pass-7Qx2vLr9';
const vault = { 'notify:email': PASSWORD };
// The local test server's certificate is self-signed; only tests may say so.
const trustTestServer = { email: { testOnlyTrustSelfSigned: true } };

function emailSettings(port: number, over: Partial<NonNullable<ChannelSettings['smtp']>> = {}): ChannelSettings {
  // perMinute 600: the default pace (10 a minute, one at a time) would hold a retry back for six seconds.
  return { enabled: true, events: ALL_KINDS, perMinute: 600, smtp: { host: '127.0.0.1', port, secure: false, user: USER, from: 'agent@example.com', to: ['trader@example.com'], ...over } };
}

const halt = { type: 'trading-state', state: { state: 'halted', reason: 'daily loss', updatedAt: '2026-01-02T10:00:00.000Z', accounts: {} }, change: { scope: 'global', from: 'active', to: 'halted', reason: 'daily loss', at: '2026-01-02T10:00:00.000Z' } } as const;

/** A port on 127.0.0.1 with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('email channel against a real SMTP server (smtp-server on 127.0.0.1)', () => {
  it('logs in over STARTTLS with the vault password and delivers subject and body to every recipient', async () => {
    const smtp = await withFake(fakeSmtp({ user: USER, password: PASSWORD }));
    const h = await harness(vault, { email: emailSettings(smtp.port, { to: ['trader@example.com', 'desk@example.com'] }) }, trustTestServer);
    h.bus.publish({ type: 'order', order: order() });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'sent');
    expect(h.rows()[0]).toMatchObject({ channel: 'email', status: 'sent', attempts: 1 });
    expect(smtp.logins).toEqual([{ user: USER, accepted: true, secure: true }]);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.from).toBe('agent@example.com');
    expect(mail.to).toEqual(['trader@example.com', 'desk@example.com']);
    expect(mail.headers.subject).toBe('[Viewzenix] Filled: buy 10 AAPL @ 190.5');
    expect(mail.headers['auto-submitted']).toBe('auto-generated');
    expect(mail.text).toContain('Client order id: vz-abc');
    expect(mail.text).toContain('fill at ');
  });

  it('retries a 421 (temporary) answer with backoff and delivers on the next attempt', async () => {
    const smtp = await withFake(fakeSmtp({ user: USER, password: PASSWORD }));
    smtp.plan.push('421');
    const h = await harness(vault, { email: emailSettings(smtp.port) }, trustTestServer);
    h.bus.publish(halt);
    await eventually(() => h.rows()[0]?.status, (s) => s === 'sent');
    expect(h.rows()[0]).toMatchObject({ status: 'sent', attempts: 2 });
    const retried = h.logs.map((l) => JSON.parse(l) as { msg: string; error?: string; attempts?: number }).filter((l) => l.msg.includes('will retry'));
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ attempts: 1, error: 'SMTP server answered 421 Service not available, try again later (temporary)' });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.headers.subject).toBe('[Viewzenix] Trading halted');
  });

  it('dead-letters a 550 answer at once with the server reason, without retrying', async () => {
    const smtp = await withFake(fakeSmtp({ user: USER, password: PASSWORD }));
    smtp.plan.push('550');
    const h = await harness(vault, { email: emailSettings(smtp.port) }, trustTestServer);
    h.bus.publish(halt);
    await eventually(() => h.rows()[0]?.status, (s) => s === 'dead');
    expect(h.rows()[0]).toMatchObject({ status: 'dead', attempts: 1 });
    expect(h.rows()[0]!.last_error).toContain('SMTP server refused the message (550 Mailbox unavailable: trader@example.com)');
    expect(h.rows()[0]!.last_error).toContain('Check the from/to addresses');
    expect(smtp.received).toHaveLength(0);
  });

  it('retries when the SMTP server refuses the connection', async () => {
    const h = await harness(vault, { email: emailSettings(await closedPort()) }, { ...trustTestServer, maxAttempts: 2 });
    h.bus.publish(halt);
    await eventually(() => h.rows()[0]?.status, (s) => s === 'dead');
    expect(h.rows()[0]).toMatchObject({ status: 'dead', attempts: 2 });
    expect(h.rows()[0]!.last_error).toBe('Gave up after 2 attempts: SMTP server not reachable (ECONNREFUSED)');
  });

  it('reports a wrong password as a permanent login failure naming the vault entry, never the password', async () => {
    const smtp = await withFake(fakeSmtp({ user: USER, password: 'the-right-one' }));
    const h = await harness(vault, { email: emailSettings(smtp.port) }, trustTestServer);
    const test = await h.n.sendTest('email');
    expect(test).toMatchObject({ ok: false, retryable: false });
    expect(!test.ok && test.error).toBe(`The SMTP server refused the login for ${USER} (535 Authentication credentials invalid). Check the user in the email settings and the password in the vault (notify:email).`);
    h.bus.publish(halt);
    await eventually(() => h.rows()[0]?.status, (s) => s === 'dead');
    expect(h.rows()[0]!.last_error).toContain('535');
    expect(smtp.logins.every((l) => !l.accepted)).toBe(true);
    expect(smtp.received).toHaveLength(0);
    const everything = JSON.stringify(test) + JSON.stringify(h.rows()) + h.logs.join('');
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(Buffer.from(PASSWORD).toString('base64'));
  });

  it('refuses to log in when the server offers no STARTTLS: the password is never sent unencrypted', async () => {
    const smtp = await withFake(fakeSmtp({ user: USER, password: PASSWORD, startTls: false }));
    const h = await harness(vault, { email: emailSettings(smtp.port) }, trustTestServer);
    const test = await h.n.sendTest('email');
    expect(test).toMatchObject({ ok: false, retryable: false });
    expect(!test.ok && test.error).toContain('STARTTLS');
    expect(smtp.logins).toEqual([]); // AUTH was never attempted
    expect(smtp.received).toHaveLength(0);
  });

  it('verifies the server certificate unless a test says otherwise (a self-signed certificate is refused)', async () => {
    const smtp = await withFake(fakeSmtp({ user: USER, password: PASSWORD }));
    const h = await harness(vault, { email: emailSettings(smtp.port) });
    const test = await h.n.sendTest('email');
    expect(test).toMatchObject({ ok: false, retryable: false });
    expect(!test.ok && test.error).toContain('TLS certificate was not accepted');
    expect(smtp.logins).toEqual([]);
  });

  it('sends a test message on demand and shows the channel ready', async () => {
    const smtp = await withFake(fakeSmtp({ user: USER, password: PASSWORD }));
    const h = await harness(vault, { email: { ...emailSettings(smtp.port), events: [] } }, trustTestServer);
    expect((await h.n.status()).find((s) => s.channel === 'email')).toMatchObject({ enabled: true, available: true });
    expect(await h.n.sendTest('email')).toEqual({ ok: true });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.headers.subject).toBe('[Viewzenix] Viewzenix test notification');
    expect(smtp.received[0]!.text).toContain('If you can read this, the channel works.');
    expect(h.rows()).toHaveLength(0); // a test bypasses the outbox
  });

  it('never lets the SMTP password or secret-shaped event fields into the mail, the outbox, errors or the log (canaries)', async () => {
    const smtp = await withFake(fakeSmtp({ user: USER, password: PASSWORD }));
    smtp.plan.push('421'); // one failed attempt, so an error is written and logged too
    const h = await harness(vault, { email: emailSettings(smtp.port) }, trustTestServer);
    h.bus.publish({ type: 'order', order: order({ status: 'rejected', reason: `broker said: apiKey=CANARYapikey123 "passphrase":"CANARYpass456" Bearer CANARYbearer789 smtp ${PASSWORD}` }) });
    h.bus.publish({ type: 'notice', level: 'error', code: 'DAILY_LOSS_LIMIT', message: `limit hit; secret=CANARYsecret000 password: ${PASSWORD}` });
    await eventually(() => h.rows().filter((r) => r.status === 'sent').length, (n) => n === 2, 5000);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received.some((m) => m.text.includes('broker said: apiKey=[redacted]'))).toBe(true); // the scrubbed message did arrive
    const mails = smtp.received.map((m) => `${m.raw}\n${JSON.stringify(m.headers)}\n${m.text}`).join('\n');
    const everything = mails + JSON.stringify(h.rows()) + h.logs.join('') + fs.readFileSync(h.db.name);
    for (const canary of ['CANARYapikey123', 'CANARYpass456', 'CANARYbearer789', 'CANARYsecret000', PASSWORD, Buffer.from(PASSWORD).toString('base64')]) {
      expect(everything, canary).not.toContain(canary);
    }
    expect(h.logs.join('')).toContain('SMTP server answered 421');
  });
});
