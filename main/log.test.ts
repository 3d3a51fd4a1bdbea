// The logger and the vault share one registry of secret values: whatever the vault announces, and whatever
// the agent registers itself (the control token), is masked in every log line, error messages included.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, registerSecret, scrubText } from './log.js';
import { registerRedactionHook, registerSecretValue } from './secrets/redaction.js';
import { eventually, tempDir } from './test-support/agent.js';

function readLogs(dir: string): string {
  const logs = path.join(dir, 'logs');
  return fs.existsSync(logs) ? fs.readdirSync(logs).map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('') : '';
}

describe('log redaction', () => {
  it('masks a value the vault announced, in the message, in fields and inside a logged error, and keeps the error readable', async () => {
    const dir = tempDir();
    const log = createLogger({ dataDir: dir, console: 'silent' });
    const secret = 'CANARYLOG-vault-8c1e2f';
    registerSecretValue(secret); // what the vault does for every value it reads or stores
    log.error({ err: new Error(`broker refused key ${secret}`), detail: { echoed: `x-${secret}-y` } }, `login failed for ${secret}`);
    await new Promise<void>((r) => log.flush(() => r()));
    const text = await eventually(() => readLogs(dir), (t) => t.includes('login failed'));
    expect(text).not.toContain(secret);
    expect(text).toContain('login failed for [REDACTED]');
    expect(text).toContain('broker refused key [REDACTED]'); // the error message is logged, masked
    expect(text).toContain('x-[REDACTED]-y');
  });

  it('registerSecret (e.g. the control token) goes through the same registry the vault announces to', () => {
    const seen: string[] = [];
    const off = registerRedactionHook((v) => seen.push(v));
    try {
      registerSecret('CANARYLOG-token-0d9a7b');
      expect(seen).toEqual(['CANARYLOG-token-0d9a7b']);
      expect(scrubText('token CANARYLOG-token-0d9a7b used')).toBe('token [REDACTED] used');
      registerSecret('abc'); // too short to mask without mangling logs
      expect(seen).toHaveLength(1);
    } finally {
      off();
    }
  });
});

describe('logs on a full disk', () => {
  it('keep the agent running when the log file cannot be written, and resume once it can', async () => {
    const dir = tempDir();
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(logs, { recursive: true });
    // /dev/full answers every write with ENOSPC, as a full disk does: the rotating writer's first file is one.
    fs.symlinkSync('/dev/full', path.join(logs, 'agent.1.log'));
    const notices: string[] = [];
    const log = createLogger({ dataDir: dir, console: 'silent', retryMs: 300, notice: (l) => notices.push(l) });
    log.info('written into a full disk');
    await eventually(() => notices, (n) => n.length === 1);
    expect(notices[0]).toContain('ENOSPC');
    log.info('while the files fail');
    fs.unlinkSync(path.join(logs, 'agent.1.log')); // room again
    const marker = 'after the disk had room again';
    const text = await eventually(
      () => {
        log.info(marker);
        return readLogs(dir);
      },
      (t) => t.includes(marker),
      10_000,
    );
    expect(text).not.toContain('written into a full disk');
    await eventually(() => notices, (n) => n.length === 2, 10_000);
    expect(notices[1]).toMatch(/^The log files are written again; lines not written to them meanwhile: \d+\.$/);
    await new Promise<void>((r) => log.flush(() => r()));
  });
});
