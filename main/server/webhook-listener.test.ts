import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startTestAgent, builtWebhookThreadEntry, tempDir } from '../test-support/agent.js';
import { arrivalRate } from './webhook-listener.js';

describe('webhook listener thread lifecycle', () => {
  it('an agent stopped between a thread crash and its restart stops cleanly, and no thread is left listening', async () => {
    const agent = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() });
    expect(agent.webhookMode).toBe('thread');
    const port = agent.info.webhookPort;
    await agent.webhookListener.terminateThread!();
    await agent.stop(); // would never resolve if it waited for the dead thread's exit
    expect(fs.existsSync(path.join(agent.dataDir, 'agent.json'))).toBe(false);
    const refused = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
  });

  it('the listener refuses a port that is taken, as the main thread would (EADDRINUSE), and the agent does not start', async () => {
    const first = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() });
    try {
      await expect(startTestAgent({ webhookPort: first.info.webhookPort }, { webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.stop();
    }
  });
});

describe('alert storm detection', () => {
  it('compares the arrival rate over windows of at least 20 ms with the threshold, and calms down when alerts stop', () => {
    let now = 0;
    const stats = { received: 0 };
    const storm = arrivalRate(stats, () => now);
    expect(storm(1)).toBe(false);
    stats.received += 10;
    now = 10;
    expect(storm(1)).toBe(false); // a window shorter than 20 ms is not judged yet
    stats.received += 30;
    now = 20;
    expect(storm(1)).toBe(true); // 40 alerts in 20 ms: 2 per ms
    expect(storm(3)).toBe(false);
    now = 25;
    expect(storm(1)).toBe(true); // the last full window's rate holds until the next one
    stats.received += 5;
    now = 45;
    expect(storm(1)).toBe(false); // 5 alerts in 25 ms
  });
});

describe('a damaged inbox.db', () => {
  it('is moved aside, not fatal: the agent starts on a new one, and alerts received before stay duplicates', async () => {
    const dataDir = tempDir();
    const body = '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"before-damage"}';
    const first = await startTestAgent({ dataDir });
    const hook = new URL(first.demoWebhookUrl!).pathname;
    const before = await first.post(hook, body);
    expect(before.status).toBe(202);
    await first.stop();
    fs.writeFileSync(path.join(dataDir, 'inbox.db'), Buffer.alloc(8192, 7)); // not a database any more
    const again = await startTestAgent({ dataDir });
    try {
      const aside = fs.readdirSync(dataDir).filter((f) => f.startsWith('inbox.db.corrupt-'));
      expect(aside.length).toBeGreaterThanOrEqual(1);
      const kept = fs.readFileSync(path.join(dataDir, aside.find((f) => !f.endsWith('-wal') && !f.endsWith('-shm'))!));
      expect(kept.subarray(0, 8192)).toEqual(Buffer.alloc(8192, 7)); // the damaged file itself, kept for inspection
      // The new inbox took the dedupe keys over from the agent database.
      const resent = await again.post(hook, body);
      expect(resent.status).toBe(200);
      expect(resent.body.signalId).toBe(before.body.signalId);
      const fresh = await again.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"after-damage"}');
      expect(fresh.status).toBe(202);
    } finally {
      await again.stop();
    }
  });
});
