// `viewzenix accounts | strategies | positions | status | order | events`: the rest of what the window can do, through
// the running agent's control API (docs/api.md), so that every action is scriptable:
//   accounts [list] | brokers | show ID | add --name N --broker B --environment E [--base-url URL] [--config JSON|@FILE]
//            [--credentials] | credentials ID | test ID | balance ID | delete ID [--force]
//   strategies [list] | show ID | add --name N --account ID... [--config JSON|@FILE] [--disabled] [--passphrase]
//            | update ID [--name N] [--account ID...] [--config …] [--enable|--disable] [--passphrase|--no-passphrase]
//            | webhook ID | delete ID
//   positions, status, order show ID, events
// Secrets (broker keys, a strategy's passphrase) are read from stdin (typed hidden, or piped), never from the command
// line, which every user of the machine can read (ps, /proc/<pid>/cmdline); they are never printed back.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { CliUsageError, GLOBAL_OPTIONS, printTable, type CliContext } from './export/cli-context.js';
import { readSecretFromStdin } from './cli-secret-input.js';
import { SseParser } from './sse-parser.js';
import type { AccountBalanceView, AccountView, ConnectionTestView, OrderView, PositionsView, StrategyView } from '../shared/api-types.js';

const ACCOUNTS_USAGE =
  'Usage: viewzenix accounts [list] | brokers | show ID | add --name NAME --broker paper|alpaca|oanda|ccxt --environment ENV [--base-url URL] [--config JSON|@FILE] [--credentials] | credentials ID | test ID | balance ID | delete ID [--force]\n' +
  '  --credentials (add) and `credentials ID` read the keys from stdin as a JSON object, e.g. {"keyId": "…", "secretKey": "…"}; never from the command line.';
const STRATEGIES_USAGE =
  'Usage: viewzenix strategies [list] | show ID | add --name NAME --account ID [--account ID …] [--config JSON|@FILE] [--disabled] [--passphrase] | update ID [--name NAME] [--account ID …] [--config JSON|@FILE] [--enable|--disable] [--passphrase|--no-passphrase] | webhook ID | delete ID\n' +
  '  --passphrase reads the passphrase from stdin (typed hidden, or piped); never from the command line.';

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

function usage(ctx: CliContext, text: string): number {
  ctx.stdout.write(`${text}\n`);
  return 0;
}

/** A JSON object given on the command line, or `@FILE` for one in a file: settings, never secrets (the agent refuses
 *  a credential-like key in them). `label` and `example` name it in a refusal. */
export function jsonObjectArgument(raw: string, label: string, example: string): Record<string, unknown> {
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = fs.readFileSync(raw.slice(1), 'utf8');
    } catch (err) {
      throw new CliUsageError(`${label} ${raw}: ${(err as Error).message}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliUsageError(`${label} must be a JSON object (or @FILE holding one), e.g. ${example}.`);
  return value as Record<string, unknown>;
}

/** `--config '{"…": …}'` or `--config @settings.json`. */
function configOption(raw: string | undefined): Record<string, unknown> | undefined {
  return raw === undefined ? undefined : jsonObjectArgument(raw, '--config', `--config '{"risk": {"maxOrderQuantity": "10"}}'`);
}

/** The broker keys from stdin: a JSON object of strings. A mistake is described without repeating what was read. */
async function credentialsFromStdin(broker: string | undefined): Promise<Record<string, string>> {
  const text = await readSecretFromStdin(`Credentials${broker ? ` for ${broker}` : ''} as JSON, e.g. {"keyId": "…", "secretKey": "…"} (input hidden): `);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const ok = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === 'string');
  if (!ok) throw new CliUsageError('The credentials on stdin are not a JSON object of text fields, e.g. {"keyId": "…", "secretKey": "…"} (alpaca), {"token": "…"} (oanda), {"apiKey": "…", "secret": "…"} (ccxt). What was read is not shown.');
  return value as Record<string, string>;
}

async function passphraseFromStdin(): Promise<string> {
  const value = await readSecretFromStdin('Passphrase (at least 8 characters; input hidden): ');
  if (!value) throw new CliUsageError('No passphrase was given on stdin.');
  return value;
}

/** A positional the command does not take: named by its place only, as it may be a key typed in the wrong place. */
function noExtra(positionals: string[], expected: number, usage: string): void {
  if (positionals.length > expected) throw new CliUsageError(`Unexpected argument #${expected + 1} (it is not shown, in case it is a key: keys are read from stdin).\n${usage}`);
}

const id = (positionals: string[], usage: string): string => {
  const v = positionals[1];
  if (!v) throw new CliUsageError(usage);
  noExtra(positionals, 2, usage);
  return encodeURIComponent(v);
};

function describeAccount(a: AccountView): string {
  const keys = Object.entries(a.credentials).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [`${a.id}  ${a.name}  ${a.broker} ${a.environment}  ${a.connected ? 'connected' : 'not connected'}`];
  if (keys) lines.push(`  credentials: ${keys}`);
  if (a.connectionError) lines.push(`  ${a.connectionError.code}: ${a.connectionError.message}`);
  for (const [field, variable] of Object.entries(a.credentialVariables ?? {})) lines.push(`  ${field}: not set (or set ${variable} and restart)`);
  return `${lines.join('\n')}\n`;
}

export async function runAccountsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...GLOBAL_OPTIONS, name: { type: 'string' }, broker: { type: 'string' }, environment: { type: 'string' }, 'base-url': { type: 'string' }, config: { type: 'string' }, credentials: { type: 'boolean' }, force: { type: 'boolean' } },
  });
  if (values.help) return usage(ctx, ACCOUNTS_USAGE);
  const sub = positionals[0] ?? 'list';
  const out = (v: unknown, text: string): number => {
    ctx.stdout.write(ctx.json ? json(v) : text);
    return 0;
  };
  switch (sub) {
    case 'list': {
      noExtra(positionals, 1, ACCOUNTS_USAGE);
      const { items } = (await (await ctx.connect()).get('/api/accounts')) as { items: AccountView[] };
      if (ctx.json) return out(items, '');
      printTable(ctx.stdout, items.map((a) => [a.id, a.name, a.broker, a.environment, a.connected ? 'yes' : 'no', Object.entries(a.credentials).map(([k, v]) => `${k} ${v}`).join(', ')]), ['id', 'name', 'broker', 'environment', 'connected', 'credentials']);
      return 0;
    }
    case 'brokers': {
      // What `add --broker` takes, and the exchange ids a ccxt account's config takes (`{"exchange": "…"}`).
      noExtra(positionals, 1, ACCOUNTS_USAGE);
      const b = (await (await ctx.connect()).get('/api/brokers')) as { items: string[]; ccxtExchanges: string[] };
      return out(b, `brokers: ${b.items.join(', ')}
ccxt exchanges (--config '{"exchange": "…"}'), ${b.ccxtExchanges.length}: ${b.ccxtExchanges.join(', ')}
`);
    }
    case 'show': {
      const a = (await (await ctx.connect()).get(`/api/accounts/${id(positionals, ACCOUNTS_USAGE)}`)) as AccountView;
      return out(a, describeAccount(a));
    }
    case 'add': {
      noExtra(positionals, 1, ACCOUNTS_USAGE);
      if (!values.name || !values.broker || !values.environment) throw new CliUsageError(`accounts add needs --name, --broker and --environment.\n${ACCOUNTS_USAGE}`);
      const config = configOption(values.config);
      const client = await ctx.connect();
      const credentials = values.credentials ? await credentialsFromStdin(values.broker) : undefined;
      const body = { name: values.name, broker: values.broker, environment: values.environment, ...(values['base-url'] !== undefined ? { baseUrl: values['base-url'] } : {}), ...(credentials ? { credentials } : {}), ...(config ? { config } : {}) };
      const a = (await client.send('POST', '/api/accounts', body)) as AccountView;
      return out(a, `added ${describeAccount(a)}`);
    }
    case 'credentials': {
      const accountId = id(positionals, ACCOUNTS_USAGE);
      const client = await ctx.connect();
      const a = (await client.send('PUT', `/api/accounts/${accountId}/credentials`, { credentials: await credentialsFromStdin(undefined) })) as AccountView;
      return out(a, `keys replaced (the broker accepted them): ${describeAccount(a)}`);
    }
    case 'test': {
      const r = (await (await ctx.connect()).send('POST', `/api/accounts/${id(positionals, ACCOUNTS_USAGE)}/test`)) as ConnectionTestView;
      out(r, r.ok ? `ok: ${r.message}\n` : `${r.code ?? 'failed'}: ${r.message}\n`);
      return r.ok ? 0 : 1;
    }
    case 'balance': {
      const b = (await (await ctx.connect()).get(`/api/accounts/${id(positionals, ACCOUNTS_USAGE)}/balance`)) as AccountBalanceView;
      return out(b, `${b.accountId}  ${b.currency}  cash ${b.cash}  equity ${b.equity}  buying power ${b.buyingPower}${b.dayStartEquity ? `  day start ${b.dayStartEquity}` : ''}\n`);
    }
    case 'delete': {
      const r = (await (await ctx.connect()).send('DELETE', `/api/accounts/${id(positionals, ACCOUNTS_USAGE)}${values.force ? '?force=true' : ''}`)) as { id: string };
      return out(r, `deleted account ${r.id}\n`);
    }
    default:
      throw new CliUsageError(ACCOUNTS_USAGE);
  }
}

export async function runStrategiesCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...GLOBAL_OPTIONS,
      name: { type: 'string' },
      account: { type: 'string', multiple: true },
      config: { type: 'string' },
      disabled: { type: 'boolean' },
      enable: { type: 'boolean' },
      disable: { type: 'boolean' },
      passphrase: { type: 'boolean' },
      'no-passphrase': { type: 'boolean' },
    },
  });
  if (values.help) return usage(ctx, STRATEGIES_USAGE);
  const sub = positionals[0] ?? 'list';
  const out = (v: unknown, text: string): number => {
    ctx.stdout.write(ctx.json ? json(v) : text);
    return 0;
  };
  const describe = (s: StrategyView): string => `${s.id}  ${s.name}  ${s.enabled ? 'on' : 'off'}  accounts ${s.accountIds.join(', ')}${s.hasPassphrase ? '  (passphrase set)' : ''}\n  webhook URL: ${s.webhookUrl}\n`;
  switch (sub) {
    case 'list': {
      noExtra(positionals, 1, STRATEGIES_USAGE);
      const { items } = (await (await ctx.connect()).get('/api/strategies')) as { items: StrategyView[] };
      if (ctx.json) return out(items, '');
      printTable(ctx.stdout, items.map((s) => [s.id, s.name, s.enabled ? 'on' : 'off', s.webhookUrl]), ['id', 'name', 'enabled', 'webhook URL']);
      return 0;
    }
    case 'show': {
      const s = (await (await ctx.connect()).get(`/api/strategies/${id(positionals, STRATEGIES_USAGE)}`)) as StrategyView;
      return out(s, describe(s));
    }
    case 'add': {
      noExtra(positionals, 1, STRATEGIES_USAGE);
      if (!values.name || !values.account?.length) throw new CliUsageError(`strategies add needs --name and at least one --account.\n${STRATEGIES_USAGE}`);
      const config = configOption(values.config);
      const client = await ctx.connect();
      const passphrase = values.passphrase ? await passphraseFromStdin() : undefined;
      const body = { name: values.name, accountIds: values.account, ...(values.disabled ? { enabled: false } : {}), ...(passphrase ? { passphrase } : {}), ...(config ? { config } : {}) };
      const s = (await client.send('POST', '/api/strategies', body)) as StrategyView;
      return out(s, `added ${describe(s)}`);
    }
    case 'update': {
      const strategyId = id(positionals, STRATEGIES_USAGE);
      if (values.enable && values.disable) throw new CliUsageError('Give --enable or --disable, not both.');
      if (values.passphrase && values['no-passphrase']) throw new CliUsageError('Give --passphrase or --no-passphrase, not both.');
      const config = configOption(values.config);
      const body: Record<string, unknown> = {
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(values.account?.length ? { accountIds: values.account } : {}),
        ...(values.enable ? { enabled: true } : values.disable ? { enabled: false } : {}),
        ...(values['no-passphrase'] ? { passphrase: null } : {}),
        ...(config ? { config } : {}),
      };
      if (Object.keys(body).length === 0 && !values.passphrase) throw new CliUsageError(`Nothing to change: give --name, --account, --config, --enable, --disable, --passphrase or --no-passphrase.\n${STRATEGIES_USAGE}`);
      const client = await ctx.connect();
      if (values.passphrase) body.passphrase = await passphraseFromStdin();
      const s = (await client.send('PUT', `/api/strategies/${strategyId}`, body)) as StrategyView;
      return out(s, `updated ${describe(s)}`);
    }
    case 'webhook': {
      const s = (await (await ctx.connect()).send('POST', `/api/strategies/${id(positionals, STRATEGIES_USAGE)}/webhook`)) as StrategyView;
      return out(s, `new webhook URL for ${s.name} (${s.id}): ${s.webhookUrl}\nThe old URL is refused from now on: paste the new one into the TradingView alerts.\n`);
    }
    case 'delete': {
      const r = (await (await ctx.connect()).send('DELETE', `/api/strategies/${id(positionals, STRATEGIES_USAGE)}`)) as { id: string };
      return out(r, `deleted strategy ${r.id}; its webhook URL is refused from now on\n`);
    }
    default:
      throw new CliUsageError(STRATEGIES_USAGE);
  }
}

/** `viewzenix positions`: every account's positions; an account whose broker could not be read is named, and the
 *  command then exits 1 (a script must not take a partial list for the whole). */
export async function runPositionsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  noExtra(positionals, 0, 'Usage: viewzenix positions [--json]');
  const p = (await (await ctx.connect()).get('/api/positions')) as PositionsView;
  if (ctx.json) ctx.stdout.write(json(p));
  else {
    printTable(ctx.stdout, p.items.map((i) => [i.accountId, i.symbol, i.quantity, i.averagePrice, i.marketPrice ?? '', i.unrealizedPnl ?? '']), ['account', 'symbol', 'qty', 'avg price', 'market price', 'unrealised P&L']);
    for (const d of p.days ?? []) ctx.stdout.write(`day ${d.accountId}: equity ${d.equity} ${d.currency}, P&L ${d.dayPnl} since ${d.dayStart}\n`);
    for (const e of p.errors) ctx.stdout.write(`error ${e.code}: ${e.message}\n`);
  }
  return p.errors.length ? 1 : 0;
}

/** `viewzenix status`: the agent's pid, ports, alert counts, trading state and tunnel. */
export async function runStatusCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  noExtra(positionals, 0, 'Usage: viewzenix status [--json]');
  const s = (await (await ctx.connect()).get('/api/status')) as {
    pid: number;
    webhookPort: number;
    controlPort: number;
    signals: Record<string, number>;
    tradingState: { state: string; reason: string | null };
    tunnel?: { state: string; publicUrl: string | null };
  };
  if (ctx.json) ctx.stdout.write(json(s));
  else {
    const counts = Object.entries(s.signals).map(([k, v]) => `${k} ${v}`).join(', ');
    ctx.stdout.write(
      `agent pid ${s.pid}: webhook port ${s.webhookPort}, control port ${s.controlPort}\n` +
        `trading ${s.tradingState.state}${s.tradingState.reason ? ` (${s.tradingState.reason})` : ''}\n` +
        `alerts: ${counts || 'none yet'}\n` +
        (s.tunnel ? `tunnel ${s.tunnel.state}${s.tunnel.publicUrl ? ` ${s.tunnel.publicUrl}` : ''}\n` : ''),
    );
  }
  return 0;
}

/** `viewzenix order show ID`: the order with its whole story (events) and fills. */
export async function runOrderCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  const usage = 'Usage: viewzenix order show ID [--json]';
  if (positionals[0] !== 'show') throw new CliUsageError(usage);
  const o = (await (await ctx.connect()).get(`/api/orders/${id(positionals, usage)}`)) as OrderView & { events: { at: string; from?: string; to: string; reason?: string }[]; fills: { quantity: string; price: string; at?: string }[] };
  // The order is structured (events, fills): JSON is its plain form too.
  ctx.stdout.write(json(o));
  return 0;
}

/**
 * `viewzenix events`: the live events (docs/api.md, /api/events), one line each as they happen: `TYPE JSON`, or
 * with --json the event's JSON alone (one object a line). Ends when the agent stops (exit 0) or on Ctrl+C;
 * --type TYPE (repeatable) keeps only those types.
 */
export async function runEventsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS, type: { type: 'string', multiple: true } } });
  noExtra(positionals, 0, 'Usage: viewzenix events [--type TYPE …] [--json]');
  const client = await ctx.connect();
  const res = await client.raw('/api/events');
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new CliUsageError(`${body.code ?? res.status}: ${body.message ?? 'the event stream could not be opened'}`);
  }
  const wanted = values.type?.length ? new Set(values.type) : undefined;
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const m of parser.push(decoder.decode(value, { stream: true }))) {
      if (wanted && !wanted.has(m.event)) continue;
      ctx.stdout.write(ctx.json ? `${m.data}\n` : `${m.event} ${m.data}\n`);
    }
  }
  return 0;
}
