// `viewzenix backup [now|list]` through the running agent; `viewzenix backup restore FILE` with the agent stopped.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CliUsageError, GLOBAL_OPTIONS, type CliContext } from '../export/cli-context.js';
import { restoreBackup } from './backups.js';

const USAGE = 'Usage: viewzenix backup now | list | restore FILE (restore: stop the agent first)';

export async function runBackupCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  const [sub, file] = positionals;
  if (sub === 'restore') {
    if (!file) throw new CliUsageError(USAGE);
    // A path, or the name of a file in <data-dir>/backups as `backup list` shows it.
    const backupFile = fs.existsSync(file) ? file : path.join(ctx.dataDir, 'backups', file);
    const r = restoreBackup({ dataDir: ctx.dataDir, backupFile });
    ctx.stdout.write(ctx.json ? `${JSON.stringify(r, null, 2)}\n` : `restored ${r.restoredFrom} (integrity ${r.integrity})${r.previousMovedTo ? `; the replaced database is kept as ${r.previousMovedTo}` : ''}\n`);
    return r.integrity === 'ok' ? 0 : 1;
  }
  const client = await ctx.connect();
  if (sub === 'now' || sub === undefined) {
    const b = (await client.send('POST', '/api/backups')) as { name: string; size: number };
    ctx.stdout.write(ctx.json ? `${JSON.stringify(b, null, 2)}\n` : `backup written: ${b.name} (${b.size} bytes)\n`);
    return 0;
  }
  if (sub === 'list') {
    const { items } = (await client.get('/api/backups')) as { items: { name: string; size: number; createdAt: string }[] };
    ctx.stdout.write(ctx.json ? `${JSON.stringify(items, null, 2)}\n` : items.length ? items.map((b) => `${b.createdAt}  ${b.name}  ${b.size}`).join('\n') + '\n' : '(no backups)\n');
    return 0;
  }
  throw new CliUsageError(USAGE);
}
