// A notification channel's settings are answered, exported and audited in the clear, so they never hold a
// credential: a baseUrl with user:password@ or a credential-named key is refused through the control API, and
// the canary reaches no database file, answer, export or log.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../test-support/agent.js';

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

function allText(dir: string): string {
  let out = '';
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out += e.isDirectory() ? allText(p) : fs.readFileSync(p).toString('latin1');
  }
  return out;
}

describe('notification settings never hold a credential', () => {
  it('PUT /api/notifications/channels/telegram refuses a baseUrl with user:password@ and a token key with 400 naming the field; the canary is nowhere', async () => {
    agent = await startTestAgent();
    const a = agent;
    const url = await a.api<{ code: string; errors: { path: string; message: string }[] }>('PUT', '/api/notifications/channels/telegram', { enabled: true, events: ['fill'], baseUrl: 'https://user:CANARYBASEPW@relay.example.com/' });
    expect([url.status, url.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(url.body.errors).toEqual([{ path: '/baseUrl', message: expect.stringMatching(/user name or password.*PUT \/api\/credentials\/notify:telegram/) }]);
    const key = await a.api<{ code: string; errors: { path: string }[] }>('PUT', '/api/notifications/channels/discord', { enabled: true, events: ['fill'], apiToken: 'CANARYNOTIFYTOKEN' });
    expect([key.status, key.body.errors.map((e) => e.path)]).toEqual([400, ['/apiToken']]);
    const answers = JSON.stringify([url.body, key.body, (await a.api('GET', '/api/notifications')).body, (await a.api('GET', '/api/config/export')).body]);
    expect(answers).not.toMatch(/CANARY/);
    const dataDir = a.dataDir;
    await a.stop();
    agent = undefined;
    expect(allText(dataDir)).not.toMatch(/CANARY/);
  });
});
