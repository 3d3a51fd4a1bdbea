#!/usr/bin/env node
// `viewzenix start | status | orders | order show | strategies … | accounts … | positions | signals | signal send|show |
// trading-state | flatten | tunnel | credentials | vault | events | …` (viewzenix --help)
// Every command but `start` talks to the running agent through its control API (agent.json + control token).
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import { resolveDataDir, controlTokenFromEnv, ConfigError, type StartFlags } from './config.js';
import { startCommand } from './cli-start.js';
import { StoreError } from './store/db.js';
import { DataDirError, readAgentInfo, readControlToken } from './data-dir.js';
import type { OrderView, StrategyView, SignalView, TradingStateView, TunnelStatusView, VaultStatusView } from '../shared/api-types.js';
import type { FlattenResult } from './orders/flatten.js';
import { readSecretFromStdin } from './cli-secret-input.js';
import { GLOBAL_OPTIONS, CliUsageError, printTable, type CliContext } from './export/cli-context.js';
import { runAccountsCommand, runEventsCommand, runOrderCommand, runPositionsCommand, runStatusCommand, runStrategiesCommand } from './resources-cli.js';
import { runExportCommand, runImportCommand } from './export/cli.js';
import { runAuditCommand } from './audit/cli.js';
import { runBackupCommand } from './backup/cli.js';
import { runNotifyCommand } from './notify/cli.js';
import { runApprovalsCommand } from './approvals/cli.js';

/** Commands with their own option parsing (they may run without an agent, e.g. `backup restore`). */
const HANDLERS: Record<string, (args: string[], ctx: CliContext) => Promise<number>> = {
  export: runExportCommand,
  import: runImportCommand,
  audit: runAuditCommand,
  backup: runBackupCommand,
  notify: runNotifyCommand,
  approvals: runApprovalsCommand,
  accounts: runAccountsCommand,
  strategies: runStrategiesCommand,
  positions: runPositionsCommand,
  status: runStatusCommand,
  order: runOrderCommand,
  events: runEventsCommand,
};

const HELP = `Usage: viewzenix <command> [options]

Commands:
  start                      run the agent headless (what \`npm start\` runs)
  orders                     list orders (newest first); --status S, --symbol SYM, --account ID, --strategy ID,
                             --search TEXT (symbol or order id), --limit N (default 50)
  status                     the agent's pid, ports, alert counts, trading state and tunnel
  strategies [list]          list strategies with their webhook URLs
  strategies show ID | add | update ID | webhook ID | delete ID
                             add --name NAME --account ID [--account ID …] [--config JSON|@FILE] [--disabled]
                             [--passphrase]; update ID takes the same and --enable | --disable | --no-passphrase;
                             webhook ID gives the strategy a new webhook URL (the old one is refused from then on);
                             --passphrase reads it from stdin, never from the command line
  accounts [list]            list broker accounts (connected, which keys are set; never a key)
  accounts brokers           the brokers an account can use, and the exchange ids a ccxt account takes
  accounts show ID | add | credentials ID | test ID | balance ID | delete ID [--force]
                             add --name NAME --broker paper|alpaca|oanda|ccxt --environment ENV [--base-url URL]
                             [--config JSON|@FILE] [--credentials]; --credentials and "credentials ID" read the keys
                             from stdin as JSON ({"keyId": "…", "secretKey": "…"}), never from the command line
  positions                  every account's positions and day P&L; exits 1 if an account could not be read
  signals                    list received alerts; --status S, --strategy ID, --limit N (default 50)
  signal show ID             one alert: raw body, the signal it became, each account's verdict, its orders
  signal send FILE           post an alert file to a strategy's webhook (test alerts without TradingView)
                             --strategy ID (default: the first strategy), --content-type TYPE
  order show ID              one order with its whole story (events) and fills
  events [--type TYPE …]     live events as they happen (signal, order, position, trading-state, …), one a line
  trading-state [STATE]      show (every account with its own state too), or set to active | reducing | halted;
                             --account ID sets one account's state, --reason TEXT says why
  flatten [--account ID] [--halt]
                             cancel open orders and close positions: every account's, or only --account ID's;
                             --halt also halts (that account only with --account); exits 1 if any account failed
  tunnel status|start|stop|check
                             the public URL for TradingView; start takes --provider localtunnel|ngrok|cloudflared|manual,
                             --url URL (manual, or a named Cloudflare tunnel's hostname), --host URL and --subdomain NAME
                             (localtunnel), --domain NAME and --restrict-tradingview (ngrok)
  credentials list           names of the credentials in the keychain (never values)
  credentials set NAME       save a credential; the value is read from stdin (typed hidden, or piped), never
                             from the command line, e.g. tunnel:ngrok:authtoken
  credentials delete NAME    remove a credential
  vault status               where credentials are kept, and how to fix the keychain if it is unavailable
  alert check FILE           check an alert message or TradingView template: every problem, and the signal it becomes;
                             --alert-type strategy for a strategy's template ({{strategy.…}} placeholders are filled)
  reconcile                  compare orders, fills and positions with every broker now
  export DATASET             orders | fills | signals | positions as CSV or JSON (--format, --from, --to, --out FILE)
  export config / import FILE   configuration (no secrets) as JSON; import shows the changes first (--apply)
  audit verify               check the audit trail's hash chain
  audit history TABLE ROW_ID every recorded write of one row (a strategy, an account, an order …), oldest first
  backup now|list|restore    online SQLite backups (restore with the agent stopped)
  notify status|test|dead|retry   notification channels (Discord, Telegram, Slack, email)
  notify set CHANNEL JSON|@FILE   save a channel's whole settings, e.g. '{"enabled": true, "events": ["fill", "halt"]}';
                             its secret (webhook URL, bot token, SMTP password): credentials set notify:CHANNEL
  notify remove CHANNEL      forget a channel's settings and delete its credential from the keychain
  notify undelivered [clear] the notifications the agent gave up sending; clear forgets them
  approvals [list|approve ID|reject ID]   orders held for manual approval (--reason TEXT on reject, --all on list)

Options:
  --data-dir DIR             data directory (VIEWZENIX_DATA_DIR; default: the OS app-data folder)
  --webhook-port N           webhook listener port (VIEWZENIX_WEBHOOK_PORT; default 4780; 0 = any free port)
  --control-port N           control listener port (VIEWZENIX_CONTROL_PORT; default 4781; 0 = any free port)
  --stop-with-parent         (start) stop the agent, as on Ctrl+C, once the process that started it has ended (npm start
                             uses it: stopping npm stops the agent)
  --webhook-host ADDR        address the webhook listener binds (VIEWZENIX_WEBHOOK_HOST; default 127.0.0.1, where
                             every tunnel client connects; 0.0.0.0 only for a reverse proxy on another machine)
  --json                     machine-readable output
  -h, --help                 this help
`;

/** True once `start` runs the agent: from then on a closed stdout must not end the process. */
let agentRunning = false;

// A reader that stops early (`viewzenix signals | head`) closes the pipe: what is left to print has nowhere to go,
// which is not a failure of the command. It ends quietly with code 0 instead of an unhandled 'error' event. The
// agent (`start`) keeps running whatever its console fails with (a closed pipe, a full disk under a redirected
// output): only its console output is lost.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (agentRunning) return;
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

async function main(argv: string[]): Promise<number> {
  const handlerAt = firstPositional(argv);
  const handler = handlerAt >= 0 ? HANDLERS[argv[handlerAt]!] : undefined;
  if (handler) {
    const args = [...argv.slice(0, handlerAt), ...argv.slice(handlerAt + 1)];
    const { values: g } = parseArgs({ args, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true });
    const dataDir = resolveDataDir(g['data-dir'] as string | undefined);
    return handler(args, { dataDir, json: g.json === true, stdout: process.stdout, connect: () => connect(dataDir) });
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      'webhook-port': { type: 'string' },
      'control-port': { type: 'string' },
      'webhook-host': { type: 'string' },
      'log-level': { type: 'string' },
      'no-demo': { type: 'boolean' },
      'stop-with-parent': { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      strategy: { type: 'string' },
      'alert-type': { type: 'string' },
      'content-type': { type: 'string' },
      halt: { type: 'boolean' },
      account: { type: 'string' },
      reason: { type: 'string' },
      limit: { type: 'string' },
      status: { type: 'string' },
      symbol: { type: 'string' },
      search: { type: 'string' },
      provider: { type: 'string' },
      url: { type: 'string' },
      host: { type: 'string' },
      subdomain: { type: 'string' },
      domain: { type: 'string' },
      'restrict-tradingview': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  if (command === 'start') {
    agentRunning = true;
    return startCommand(values as StartFlags);
  }
  if (command === 'credentials' && rest[0] === 'set' && rest.length > 2) {
    // Refused before anything else runs: a value on the command line is visible to every user (ps, /proc).
    throw new UsageError('The value is read from stdin, never from the command line. Usage: viewzenix credentials set NAME (then type or pipe the value).');
  }
  const client = await connect(values['data-dir']);
  const json = values.json === true;
  switch (command) {
    case 'orders': {
      const q = query({ limit: values.limit ?? '50', status: values.status, symbol: values.symbol, accountId: values.account, strategyId: values.strategy, search: values.search });
      const { items } = (await client.get(`/api/orders?${q}`)) as { items: OrderView[] };
      if (json) return print(items);
      table(items.map((o) => [o.createdAt.slice(0, 19), o.id, o.symbol, o.side, o.quantity, o.type, o.status, o.averageFillPrice ?? '', o.reason ?? '']), ['created', 'id', 'symbol', 'side', 'qty', 'type', 'status', 'avg price', 'reason']);
      return 0;
    }
    case 'signals': {
      const { items } = (await client.get(`/api/signals?${query({ limit: values.limit ?? '50', status: values.status, strategyId: values.strategy })}`)) as { items: SignalView[] };
      if (json) return print(items);
      table(items.map((s) => [s.receivedAt.slice(0, 19), s.id, s.symbol ?? '', s.status, s.code ?? '', s.message ?? '']), ['received', 'id', 'symbol', 'status', 'code', 'message']);
      return 0;
    }
    case 'signal': {
      if (rest[0] === 'show' && rest[1] && rest.length === 2) {
        // The alert with its raw body, the signal it became, each account's verdict and its orders: JSON is its plain form.
        return print(await client.get(`/api/signals/${encodeURIComponent(rest[1])}`));
      }
      if (rest[0] !== 'send' || !rest[1]) throw new UsageError('Usage: viewzenix signal send FILE [--strategy ID] | signal show ID');
      const body = fs.readFileSync(rest[1], 'utf8');
      const { items } = (await client.get('/api/strategies')) as { items: StrategyView[] };
      const strategy = values.strategy ? items.find((s) => s.id === values.strategy || s.name === values.strategy) : items[0];
      if (!strategy) throw new UsageError(values.strategy ? `No strategy "${values.strategy}".` : 'There is no strategy yet; create one first.');
      const url = `http://127.0.0.1:${client.info.webhookPort}/webhook/${strategy.webhookId}`;
      const contentType = values['content-type'] ?? (looksLikeJson(body) ? 'application/json' : 'text/plain');
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
      const answer = (await res.json()) as Record<string, unknown>;
      if (json) print({ httpStatus: res.status, ...answer });
      else process.stdout.write(`${res.status} ${answer.status}${answer.signalId ? ` ${answer.signalId}` : ''}${answer.code ? ` ${answer.code}: ${answer.message}` : ''}\n`);
      return res.status < 300 ? 0 : 1;
    }
    case 'trading-state': {
      const state = rest[0];
      if (!state && (values.account !== undefined || values.reason !== undefined)) {
        throw new UsageError('--account and --reason go with a new state, e.g. viewzenix trading-state halted --account ID --reason "news".');
      }
      const body = { state, ...(values.account !== undefined ? { accountId: values.account } : {}), ...(values.reason !== undefined ? { reason: values.reason } : {}) };
      const view = (state ? await client.send('PUT', '/api/trading-state', body) : await client.get('/api/trading-state')) as TradingStateView;
      if (json) return print(view);
      const because = (reason: string | null | undefined) => (reason ? ` (${reason})` : '');
      process.stdout.write(`${view.state}${because(view.reason)} since ${view.updatedAt}\n`);
      for (const [id, a] of Object.entries(view.accounts)) process.stdout.write(`  account ${id}: ${a.state}${because(a.reason)}\n`);
      return 0;
    }
    case 'flatten': {
      if (rest.length) throw new UsageError('Usage: viewzenix flatten [--account ID] [--halt]');
      const body = { ...(values.account !== undefined ? { accountId: values.account } : {}), ...(values.halt ? { halt: true } : {}) };
      const r = (await client.send('POST', '/api/flatten', body)) as FlattenResult;
      const closed = r.closed ?? []; // an agent from before it answered no `closed`
      if (json) {
        print(r);
        return r.errors.length ? 1 : 0;
      }
      const scope = values.account !== undefined ? `account ${values.account}: ` : '';
      // A position held long and short at once was closed whole by the broker (both sides): it counts as one.
      process.stdout.write(`${scope}canceled ${r.canceled} order(s); closing ${r.closing.length + closed.length} position(s)${r.errors.length ? `; ${r.errors.length} error(s)` : ''}${values.halt ? `; ${values.account !== undefined ? 'account' : 'trading'} halted` : ''}\n`);
      for (const o of r.closing) process.stdout.write(`  ${o.accountId} ${o.side} ${o.quantity} ${o.symbol} (${o.id}, ${o.status})\n`);
      for (const c of closed) process.stdout.write(`  ${c.accountId} closed ${c.symbol} at the broker: long ${c.long} and short ${c.short} (held both ways)\n`);
      // Each message names its account ("Paper" (acc_…)): the trader knows accounts by name.
      for (const e of r.errors) process.stdout.write(`  error ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
      return r.errors.length ? 1 : 0;
    }
    case 'tunnel': {
      const sub = rest[0] ?? 'status';
      let status: TunnelStatusView;
      if (sub === 'status') status = (await client.get('/api/tunnel')) as TunnelStatusView;
      else if (sub === 'start') {
        const patch = tunnelPatch(values);
        if (patch) await client.send('PUT', '/api/tunnel', patch);
        status = (await client.send('POST', '/api/tunnel/start')) as TunnelStatusView;
      } else if (sub === 'stop') status = (await client.send('POST', '/api/tunnel/stop')) as TunnelStatusView;
      else if (sub === 'check') status = (await client.send('POST', '/api/tunnel/check')) as TunnelStatusView;
      else throw new UsageError('Usage: viewzenix tunnel status|start|stop|check [--provider ...]');
      if (json) return print(status);
      process.stdout.write(describeTunnel(status));
      // A check passes only when the tunnel is up and the probe just sent through it arrived (while the tunnel is down
      // no probe can be sent: the last result shown is an old one, and the command fails).
      if (sub === 'check') return status.state === 'up' && status.lastCheck?.arrived === true ? 0 : 1;
      return sub === 'start' && status.state !== 'up' ? 1 : 0;
    }
    case 'credentials': {
      const sub = rest[0] ?? 'list';
      if (sub === 'list') {
        const { items } = (await client.get('/api/credentials')) as { items: { name: string }[] };
        if (json) return print(items);
        process.stdout.write(items.length ? `${items.map((i) => i.name).join('\n')}\n` : '(none in the keychain; VIEWZENIX_SECRET_* variables cannot be listed)\n');
        return 0;
      }
      const name = rest[1];
      if (!name || (sub !== 'set' && sub !== 'delete')) throw new UsageError('Usage: viewzenix credentials list | set NAME | delete NAME');
      if (sub === 'delete') {
        await client.send('DELETE', `/api/credentials/${encodeURIComponent(name)}`);
        process.stdout.write(`deleted ${name}\n`);
        return 0;
      }
      const value = await readSecretFromStdin(`Value for ${name} (input hidden): `);
      if (!value) throw new UsageError('No value was given on stdin.');
      await client.send('PUT', `/api/credentials/${encodeURIComponent(name)}`, { value });
      process.stdout.write(`saved ${name}\n`);
      return 0;
    }
    case 'vault': {
      if ((rest[0] ?? 'status') !== 'status') throw new UsageError('Usage: viewzenix vault status');
      const v = (await client.get('/api/vault/status')) as VaultStatusView;
      if (json) return print(v);
      const fix = process.platform === 'darwin' ? v.fix.macos : process.platform === 'win32' ? v.fix.windows : v.fix.linux;
      process.stdout.write(`${v.backend}${v.writable ? '' : ' (read-only)'}: ${v.message}\n${v.backend === 'keychain' ? '' : `Fix: ${fix}\n`}`);
      return v.available ? 0 : 1;
    }
    case 'alert': {
      if (rest[0] !== 'check' || !rest[1]) throw new UsageError('Usage: viewzenix alert check FILE [--alert-type strategy|indicator] [--json]');
      const alertType = values['alert-type'];
      if (alertType !== undefined && alertType !== 'strategy' && alertType !== 'indicator') throw new UsageError('--alert-type is strategy (an alert created from a strategy: {{strategy.…}} placeholders are filled) or indicator.');
      const text = fs.readFileSync(rest[1], 'utf8');
      const result = (await client.send('POST', '/api/alerts/check', alertType ? { text, alertType } : { text })) as { problems: { code: string; message: string; field?: string }[]; signal?: unknown; warnings?: string[] };
      if (json) {
        print(result);
        return result.problems.length ? 1 : 0;
      }
      for (const p of result.problems) process.stdout.write(`${p.code}${p.field ? ` (${p.field})` : ''}: ${p.message}\n`);
      for (const w of result.warnings ?? []) process.stdout.write(`warning: ${w}\n`);
      if (result.problems.length === 0) process.stdout.write(`ok: becomes ${JSON.stringify(result.signal)}\n`);
      return result.problems.length ? 1 : 0;
    }
    case 'reconcile': {
      const result = await client.send('POST', '/api/reconcile', {});
      if (json) return print(result);
      const reports = (result as { reports: unknown[] }).reports;
      process.stdout.write(`reconciled ${reports.length} account(s)\n${reports.map((r) => JSON.stringify(r)).join('\n')}\n`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
  }
}

class UsageError extends Error {}

/** Options placed before the command that take a value (`--data-dir DIR audit verify`). */
const VALUE_OPTIONS = new Set(['data-dir', 'webhook-port', 'control-port', 'webhook-host', 'log-level', 'strategy', 'content-type', 'limit', 'provider', 'url', 'host', 'subdomain', 'domain', 'account', 'reason', 'status', 'symbol', 'search', 'alert-type', 'name', 'broker', 'environment', 'base-url', 'config', 'type', 'format', 'from', 'to', 'out']);

function firstPositional(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) return i;
    if (!a.includes('=') && VALUE_OPTIONS.has(a.replace(/^-+/, ''))) i++;
  }
  return -1;
}

type TunnelFlags = { provider?: string; url?: string; host?: string; subdomain?: string; domain?: string; 'restrict-tradingview'?: boolean };

/** The settings a `tunnel start` names on the command line, or undefined to keep the saved ones. */
function tunnelPatch(v: TunnelFlags): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  if (v.provider) patch.provider = v.provider;
  const provider = v.provider;
  if (v.url) {
    if (provider === 'cloudflared') patch.cloudflared = { mode: 'named', publicUrl: v.url };
    else patch.manual = { publicUrl: v.url };
  }
  if (v.host || v.subdomain) patch.localtunnel = { ...(v.host ? { host: v.host } : {}), ...(v.subdomain ? { subdomain: v.subdomain } : {}) };
  if (v.domain || v['restrict-tradingview']) patch.ngrok = { ...(v.domain ? { domain: v.domain } : {}), ...(v['restrict-tradingview'] ? { restrictToTradingView: true } : {}) };
  return Object.keys(patch).length ? patch : undefined;
}

function describeTunnel(s: TunnelStatusView): string {
  const lines = [`${s.state}${s.provider ? ` (${s.provider})` : ''}${s.publicUrl ? `  ${s.publicUrl}` : ''}`];
  if (s.lastCheck) lines.push(`last check ${s.lastCheck.at}: ${s.lastCheck.arrived ? `arrived in ${s.lastCheck.latencyMs} ms` : `failed: ${s.lastCheck.error ?? ''}`}`);
  if (s.lastError) lines.push(`${s.lastError.code}: ${s.lastError.message}${s.lastError.fix ? `\n${s.lastError.fix}` : ''}`);
  if (s.nextRetryAt) lines.push(`next retry ${s.nextRetryAt}`);
  if (!s.provider) lines.push('No provider chosen: viewzenix tunnel start --provider localtunnel|ngrok|cloudflared|manual');
  return `${lines.join('\n')}\n`;
}

/** A query string of the options given (each value encoded: `--symbol 'A&B'` is one value, not two parameters). */
function query(params: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function print(value: unknown): number {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

function table(rows: string[][], header: string[]): void {
  printTable(process.stdout, rows, header);
}

async function connect(dataDirFlag: string | undefined) {
  const dataDir = resolveDataDir(dataDirFlag);
  const info = readAgentInfo(dataDir);
  if (!info) throw new UsageError(`No agent is running with the data directory ${dataDir} (no agent.json). Start one with \`viewzenix start\` or pass --data-dir.`);
  const fromEnv = controlTokenFromEnv();
  const token = fromEnv ?? readControlToken(dataDir);
  // An agent started with VIEWZENIX_CONTROL_TOKEN writes no token file: this command needs the same variable.
  const tokenHint = 'An agent started with VIEWZENIX_CONTROL_TOKEN uses that token: set the same variable for this command.';
  if (token === undefined) throw new UsageError(`No control token for the agent with the data directory ${dataDir}: there is no ${dataDir}/control-token. ${tokenHint}`);
  const base = `http://127.0.0.1:${info.controlPort}`;
  const send = async (method: string, p: string, body?: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    } catch {
      throw new UsageError(`The agent at ${base} does not answer. Is it running? (agent.json may be left from a crash.)`);
    }
    const answer = (await res.json()) as { code?: string; message?: string; fix?: string };
    if (!res.ok) throw new UsageError(`${answer.code}: ${answer.message}${answer.fix ? `\n${answer.fix}` : ''}${answer.code === 'UNAUTHORIZED' && fromEnv === undefined ? `\n${tokenHint}` : ''}`);
    return answer;
  };
  const raw = async (p: string): Promise<Response> => {
    try {
      return await fetch(base + p, { headers: { authorization: `Bearer ${token}` } });
    } catch {
      throw new UsageError(`The agent at ${base} does not answer. Is it running? (agent.json may be left from a crash.)`);
    }
  };
  return { info, get: (p: string) => send('GET', p), send, raw };
}


main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliUsageError) {
      process.stderr.write(`viewzenix: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof StoreError || err instanceof DataDirError) {
      process.stderr.write(`viewzenix: ${err.message}\n`);
      // 78 (EX_CONFIG): a restart cannot fix this (bad option, locked or damaged data); the desktop shell does not retry.
      process.exitCode = err instanceof UsageError ? 2 : 78;
      return;
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`viewzenix: a port is already in use (${(err as Error).message}). Use --webhook-port / --control-port, or 0 for any free port.\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`viewzenix: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
