// `viewzenix notify status | set CHANNEL SETTINGS | test CHANNEL | dead | retry ID | remove CHANNEL | undelivered [clear]`.
import { parseArgs } from 'node:util';
import { CliUsageError, GLOBAL_OPTIONS, type CliContext } from '../export/cli-context.js';
import { jsonObjectArgument } from '../resources-cli.js';
import type { ChannelStatus, SendOutcome } from './types.js';
import type { ChannelRemoval, UndeliveredView } from '../../shared/notify.js';

const USAGE = 'Usage: viewzenix notify status | set CHANNEL JSON|@FILE | test discord|telegram|slack|email|desktop | dead | retry ID | remove CHANNEL | undelivered [clear]';

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
    case 'set': {
      // The channel's whole settings (PUT /api/notifications/channels/<channel>, docs/notifications.md); its secret
      // (a webhook URL, a bot token, an SMTP password) is saved apart: viewzenix credentials set notify:<channel>.
      const raw = positionals[2];
      if (!arg || raw === undefined || positionals.length > 3) throw new CliUsageError(USAGE);
      const settings = jsonObjectArgument(raw, 'The settings', `'{"enabled": true, "events": ["fill", "halt"]}'`);
      const config = (await client.send('PUT', `/api/notifications/channels/${encodeURIComponent(arg)}`, settings)) as Record<string, unknown>;
      if (ctx.json) print(config);
      else ctx.stdout.write(`${arg} saved: ${JSON.stringify(config[arg])}\n`);
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
    case 'remove': {
      if (!arg) throw new CliUsageError(USAGE);
      const r = (await client.send('DELETE', `/api/notifications/channels/${encodeURIComponent(arg)}`)) as ChannelRemoval;
      if (ctx.json) print(r);
      else {
        const deleted = r.credentials.deleted.length ? `; deleted from the keychain: ${r.credentials.deleted.join(', ')}` : '';
        const waiting = r.givenUp ? `; ${r.givenUp} waiting message(s) given up (viewzenix notify undelivered)` : '';
        ctx.stdout.write(`${arg} removed: settings forgotten${deleted}${waiting}\n`);
        if (r.credentials.environment.length) ctx.stdout.write(`still read from the environment (unset before the next start): ${r.credentials.environment.join(', ')}\n`);
      }
      return 0;
    }
    case 'undelivered': {
      if (arg === 'clear') {
        const r = (await client.send('DELETE', '/api/notifications/undelivered')) as { cleared: number };
        if (ctx.json) print(r);
        else ctx.stdout.write(`${r.cleared} undelivered notification(s) cleared\n`);
        return 0;
      }
      if (arg !== undefined) throw new CliUsageError(USAGE);
      const r = (await client.get('/api/notifications/undelivered?limit=500')) as UndeliveredView;
      if (ctx.json) print(r);
      else ctx.stdout.write(r.items.length ? r.items.map((i) => `${i.givenUpAt}  ${i.channel}  ${i.title}  (${i.error})`).join('\n') + '\n' : '(none)\n');
      return 0;
    }
    default:
      throw new CliUsageError(USAGE);
  }
}
