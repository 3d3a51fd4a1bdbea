import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { m001 } from './001-core.js';
import { m004 } from './004-notify-outbox.js';
import { tempDir } from '../../test-support/agent.js';

describe('migration 004 notify outbox', () => {
  it('keeps one message per channel and event, and only known statuses', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm4.db'), migrations: [m001, m004] });
    const ins = db.prepare("INSERT INTO notify_outbox (channel, kind, dedupe_key, message, status, next_attempt_at, created_at) VALUES (?, 'fill', ?, '{}', ?, 't', 't')");
    ins.run('discord', 'k1', 'pending');
    ins.run('telegram', 'k1', 'pending');
    expect(() => ins.run('discord', 'k1', 'pending')).toThrow(/UNIQUE/);
    expect(() => ins.run('slack', 'k2', 'lost')).toThrow(/CHECK/);
    db.close();
  });
});
