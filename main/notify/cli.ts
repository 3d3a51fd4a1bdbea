// `viewzenix notify status | test CHANNEL | dead | retry ID`.
import { parseArgs } from 'node:util';
import { CliUsageError, GLOBAL_OPTIONS, type CliContext } from '../export/cli-context.js';
import type { ChannelStatus, SendOutcome } from './types.js';

const USAGE = 'Usage: viewzenix notify status | test discord|telegram|slack|email|desktop | dead | retry ID';

export async function runNotifyCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  const [sub, arg] = positionals;
  const client = await ctx.connect();
  const print = (v: unknown): void => {
    ctx.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  };
  switch (sub ?? 'status') {
    case 'status': {
      const r = (await client.get('/api/notifications')) as { channels: ChannelStatus[] };
      if (ctx.json) print(r);
      else for (const c of r.channels) ctx.stdout.write(`${c.channel.padEnd(9)} ${c.enabled ? 'on ' : 'off'} ${c.available ? 'ready' : `not ready: ${c.detail}`}${c.outbox.dead ? `  (${c.outbox.dead} dead-lettered)` : ''}\n`);
      return 0;
    }
    case 'test': {
      if (!arg) throw new CliUsageError(USAGE);
      const r = (await client.send('POST', `/api/notifications/channels/${encodeURIComponent(arg)}/test`)) as SendOutcome;
      if (ctx.json) print(r);
      else ctx.stdout.write(r.ok ? `test message sent to ${arg}\n` : `${arg}: ${r.error}\n`);
      return r.ok ? 0 : 1;
    }
    case 'dead': {
      const r = (await client.get('/api/notifications/outbox?status=dead')) as { items: { id: number; channel: string; kind: string; lastError?: string; createdAt: string }[] };
      if (ctx.json) print(r.items);
      else ctx.stdout.write(r.items.length ? r.items.map((i) => `${i.id}  ${i.createdAt}  ${i.channel}  ${i.kind}  ${i.lastError ?? ''}`).join('\n') + '\n' : '(none)\n');
      return 0;
    }
    case 'retry':
      if (!arg) throw new CliUsageError(USAGE);
      await client.send('POST', `/api/notifications/outbox/${encodeURIComponent(arg)}/retry`);
      ctx.stdout.write(`notification ${arg} queued again\n`);
      return 0;
    default:
      throw new CliUsageError(USAGE);
  }
}
