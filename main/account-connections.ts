// Broker accounts and their adapters: credentials are read from the vault, an adapter is made by the factory,
// connected and registered with the order router. A failure here never stops the agent: the account's orders
// are denied ACCOUNT_UNAVAILABLE and the reason is logged (scrubbed) and answered in plain words.
// `connected` is what was last seen: a failed connection test, or a broker read that could not reach the broker
// or was refused its keys, marks the account not connected (with the reason) until a call succeeds again.
import type { BrokerAdapter } from './brokers/port.js';
import { BrokerError } from './brokers/port.js';
import type { OrderRouter } from './orders/router.js';
import { codeForReadError } from './brokers/http/codes.js';
import type { AccountRow } from './store/accounts.js';
import type { Logger } from './log.js';
import { registerSecret, scrubText } from './log.js';
import { ApiFailure } from './server/control.js';
import { BROKER_CREDENTIAL_FIELDS, type CredentialsService } from './credentials-service.js';
import type { ConnectionProblemView, ConnectionTestView } from '../shared/api-types.js';
import { isCode, type Code } from '../shared/codes.js';
import { accountSettingsIssues } from './brokers/account-settings.js';
import { shownName, type ValidationIssue } from './server/validate.js';
import { credentialKeyIssues, urlUserinfoIssue } from './export/credential-keys.js';

/** Where an account's credentials go instead of its `config` (said in every refusal). */
export const ACCOUNT_CREDENTIALS_HINT = 'give them as "credentials" when creating the account, or with PUT /api/accounts/:id/credentials (they are kept in the OS keychain)';

/**
 * Every problem with an account's settings that needs no broker call: the environment the broker accepts, the
 * settings it cannot work without (OANDA's accountId, CCXT's exchange, an exchange id CCXT knows), no
 * credential-named key in `config`, and no login (user:password@, ?token=) in `baseUrl`. Account creation and config import both check this, credentials given or not.
 */
/** CCXT's exchange ids, when any of `accounts` is a CCXT account: CCXT (tens of MB) is loaded only then, never
 *  at start-up for an agent without one. */
export async function ccxtExchangesFor(accounts: readonly Pick<AccountRow, 'broker'>[]): Promise<string[] | undefined> {
  if (!accounts.some((a) => a.broker === 'ccxt')) return undefined;
  return (await import('./brokers/ccxt/exchange.js')).listCcxtExchanges();
}

export function accountConfigIssues(account: Pick<AccountRow, 'broker' | 'environment' | 'config'> & { baseUrl?: string | null }, ccxtExchanges: readonly string[] | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [...accountSettingsIssues(account.broker, account.environment, account.config)];
  // The base URL is a setting (answered, exported, audited in the clear): a login in it is refused like a
  // credential-named key.
  const login = urlUserinfoIssue(account.baseUrl ?? undefined, '/baseUrl', ACCOUNT_CREDENTIALS_HINT);
  if (login) issues.push(login);
  const exchange = account.config.exchange;
  if (account.broker === 'ccxt' && ccxtExchanges !== undefined && typeof exchange === 'string' && exchange.trim() !== '' && !ccxtExchanges.includes(exchange)) {
    issues.push({ path: '/config/exchange', message: `"${shownName(exchange)}" is not an exchange id CCXT knows (GET /api/brokers lists them), e.g. binance` });
  }
  issues.push(...credentialKeyIssues(account.config, '/config', ACCOUNT_CREDENTIALS_HINT));
  return issues;
}

/** Makes the adapter for an account from its stored credentials; undefined when this build has none for the broker. */
export type AdapterFactory = (account: AccountRow, credentials: Record<string, string>) => BrokerAdapter | undefined | Promise<BrokerAdapter | undefined>;

/** What an adapter may offer beyond the port: a connection test in the trader's words (the real adapters do). */
interface TestableAdapter {
  testConnection?: () => Promise<{ ok: boolean; code?: string; message: string }>;
}

export interface AccountConnectionsOptions {
  router: OrderRouter;
  credentials: CredentialsService;
  factory: AdapterFactory;
  log: Logger;
}

/** Failures that show the broker cannot be used with these keys right now (not: a refused order, a rate limit). */
const DOWN_KINDS = new Set<BrokerError['kind']>(['unreachable', 'timeout', 'connection_reset', 'server_error', 'auth']);

export class AccountConnections {
  /** Why an account is not connected, by account id: the last connection failure not yet followed by a success. */
  private readonly problems = new Map<string, ConnectionProblemView>();

  constructor(private readonly o: AccountConnectionsOptions) {}

  /** At start-up: every account whose credentials are complete gets its adapter; the others are logged. */
  async connectAll(accounts: readonly AccountRow[]): Promise<void> {
    for (const a of accounts) {
      try {
        const credentials = a.broker === 'paper' ? {} : await this.o.credentials.readAccount(a.id, a.broker);
        if (a.broker !== 'paper' && !this.o.credentials.hasRequired(a.broker, credentials)) {
          this.o.log.warn({ accountId: a.id, broker: a.broker }, 'broker account has no complete credentials in the vault; its orders are denied until they are set');
          continue;
        }
        await this.connect(a, credentials);
      } catch (err) {
        this.setProblem(a.id, explain(a.broker, err));
        this.o.log.warn({ accountId: a.id, broker: a.broker, reason: describe(err) }, 'broker account could not be connected; its orders are denied ACCOUNT_UNAVAILABLE');
      }
    }
  }

  /**
   * At start-up, once every account is connected: each real broker's keys are tested again, in the background (the
   * agent is healthy meanwhile). Keys revoked or expired while the agent was stopped, or a broker that cannot be
   * reached, show at once: the account is marked not connected with the broker's code and reason, and `onFailed`
   * tells the trader, before an alert finds out.
   */
  testAtStart(accounts: readonly AccountRow[], onFailed: (account: AccountRow, result: ConnectionTestView) => void): Promise<void> {
    const real = accounts.filter((a) => a.broker !== 'paper' && this.o.router.adapter(a.id) !== undefined);
    return Promise.all(
      real.map(async (a) => {
        const result = await this.test(a).catch((err: unknown): ConnectionTestView => ({ ok: false, ...explain(a.broker, err) }));
        if (result.ok) return;
        this.o.log.warn({ accountId: a.id, broker: a.broker, code: result.code, reason: result.message }, 'the broker account failed its connection test at start-up');
        onFailed(a, result);
      }),
    ).then(() => undefined);
  }

  /**
   * A new account: its settings and credentials are checked, the credentials stored in the vault
   * (`broker:<id>:<field>`), and the adapter is created, its connection tested at the broker (an authenticated
   * call: the keys must be accepted), connected and registered. When the broker cannot be reached or refuses the
   * keys, the stored credentials are removed again and the broker's code and reason are answered.
   */
  async add(account: AccountRow, credentials: Record<string, string>): Promise<void> {
    for (const v of Object.values(credentials)) registerSecret(v); // masked in logs from here on, whatever fails
    const given = Object.keys(credentials).length > 0;
    await this.check(account, credentials, given);
    if (account.broker === 'paper') {
      // The paper broker has no keys. Any given (a form or script sending the same shape for every broker) are
      // dropped: never stored, never answered.
      if (given) this.o.log.info({ accountId: account.id }, 'the paper broker takes no credentials; the ones given were not stored');
      await this.connect(account, {});
      return;
    }
    // Without credentials in the body the account can still be made, and nothing is stored, so no keychain is
    // needed: its keys may come from VIEWZENIX_SECRET_* variables (read at start), or be set later with
    // PUT /api/accounts/:id/credentials. The account's view names the variables (credentialVariables).
    if (!given) {
      const stored = await this.o.credentials.readAccount(account.id, account.broker);
      if (this.o.credentials.hasRequired(account.broker, stored)) await this.connectOrExplain(account, stored);
      return;
    }
    await this.o.credentials.requireWritable(`Cannot store the ${account.broker} credentials`);
    await this.o.credentials.storeAccount(account.id, credentials);
    try {
      await this.connectOrExplain(account, credentials);
    } catch (err) {
      await this.o.credentials.removeAccount(account.id, Object.keys(credentials));
      throw err;
    }
    this.problems.delete(account.id);
  }

  /** Replaces an account's credentials: the new ones must connect before they replace the old ones. */
  async replace(account: AccountRow, credentials: Record<string, string>): Promise<void> {
    if (account.broker === 'paper') throw new ApiFailure('VALIDATION_FAILED', 'The paper broker takes no credentials.', [{ path: '/credentials', message: 'the paper broker has none' }]);
    for (const v of Object.values(credentials)) registerSecret(v);
    await this.check(account, credentials, true);
    await this.o.credentials.requireWritable(`Cannot store the ${account.broker} credentials`);
    const previous = Object.keys(await this.o.credentials.readAccount(account.id, account.broker));
    let adapter: BrokerAdapter | undefined;
    try {
      adapter = await this.open(account, credentials, true);
    } catch (err) {
      const e = explain(account.broker, err);
      throw new ApiFailure(e.code, e.message);
    }
    try {
      await this.o.credentials.storeAccount(account.id, credentials, previous);
    } catch (err) {
      await adapter?.disconnect().catch(() => undefined);
      throw err;
    }
    const old = this.o.router.adapter(account.id);
    if (adapter) {
      this.o.router.register(account.id, adapter);
      this.problems.delete(account.id);
      if (old && old !== adapter) await old.disconnect().catch(() => undefined);
    }
  }

  /**
   * Tests the connection with the stored credentials, connecting the account first if it is not yet. A failed
   * test marks the account not connected (with its code and reason) until a test or a broker call succeeds.
   */
  async test(account: AccountRow): Promise<ConnectionTestView> {
    const result = await this.runTest(account);
    if (result.ok) this.problems.delete(account.id);
    else this.setProblem(account.id, { code: result.code && isCode(result.code) ? result.code : 'ACCOUNT_UNAVAILABLE', message: result.message });
    return result;
  }

  private async runTest(account: AccountRow): Promise<ConnectionTestView> {
    let adapter = this.o.router.adapter(account.id);
    if (!adapter) {
      const credentials = account.broker === 'paper' ? {} : await this.o.credentials.readAccount(account.id, account.broker);
      if (account.broker !== 'paper' && !this.o.credentials.hasRequired(account.broker, credentials)) {
        return { ok: false, code: 'ACCOUNT_UNAVAILABLE', message: `The ${account.broker} credentials of this account are not all set; set them with PUT /api/accounts/${account.id}/credentials.` };
      }
      try {
        adapter = await this.connect(account, credentials);
      } catch (err) {
        return { ok: false, ...explain(account.broker, err) };
      }
      if (!adapter) return { ok: false, code: 'ACCOUNT_UNAVAILABLE', message: `This build has no ${account.broker} adapter yet.` };
    }
    try {
      const testable = adapter as BrokerAdapter & TestableAdapter;
      if (testable.testConnection) {
        const r = await testable.testConnection();
        return { ok: r.ok, ...(r.code ? { code: r.code } : {}), message: scrubText(r.message) };
      }
      const snapshot = await adapter.account();
      return { ok: true, message: `Connected; equity ${snapshot.equity} ${snapshot.currency}.` };
    } catch (err) {
      return { ok: false, ...explain(account.broker, err) };
    }
  }

  /**
   * A deleted account: its adapter leaves the order router (updates unsubscribed, pacing and breaker dropped,
   * disconnected), its credentials leave the vault (every field its broker takes; read-only VIEWZENIX_SECRET_*
   * variables cannot be removed from here, and name an account that no longer exists), and its problem is forgotten.
   */
  async remove(account: Pick<AccountRow, 'id' | 'broker'>): Promise<void> {
    await this.o.router.unregister(account.id);
    this.problems.delete(account.id);
    const fields = BROKER_CREDENTIAL_FIELDS[account.broker];
    if (fields) await this.o.credentials.removeAccount(account.id, [...fields.required, ...fields.optional]);
  }

  /** An adapter is registered for the account and the last call to its broker did not fail to connect. */
  isConnected(accountId: string): boolean {
    return this.o.router.adapter(accountId) !== undefined && !this.problems.has(accountId);
  }

  /** Why the account is not connected, when a connection, a test or a broker read failed (and nothing succeeded since). */
  connectionProblem(accountId: string): ConnectionProblemView | undefined {
    return this.problems.get(accountId);
  }

  /**
   * Told the outcome of a broker read made elsewhere (positions, the facts an alert is planned from): a success
   * shows the account connected; a failure to reach the broker, or a refused key, shows it is not.
   */
  observe(accountId: string, err?: unknown): void {
    if (err === undefined) {
      this.problems.delete(accountId);
      return;
    }
    if (err instanceof BrokerError && DOWN_KINDS.has(err.kind)) this.setProblem(accountId, { code: codeForReadError(err), message: describe(err) });
  }

  private setProblem(accountId: string, problem: { code: Code; message: string }): void {
    this.problems.set(accountId, { code: problem.code, message: scrubText(problem.message), at: new Date().toISOString() });
  }

  /**
   * Every problem at once (400 VALIDATION_FAILED naming each field): the settings and environment, credentials
   * given or not, and the credential fields. A paper account's credentials are not checked: they are dropped.
   */
  private async check(account: AccountRow, credentials: Record<string, string>, complete: boolean): Promise<void> {
    const issues = [...accountConfigIssues(account, await ccxtExchangesFor([account])), ...(account.broker === 'paper' ? [] : this.o.credentials.validateAccountFields(account.broker, credentials, complete))];
    if (issues.length > 0) throw new ApiFailure('VALIDATION_FAILED', `The account has ${issues.length} problem(s): ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
  }

  /** Connects a new account after testing its keys at the broker; a failure is answered with the broker's code. */
  private async connectOrExplain(account: AccountRow, credentials: Record<string, string>): Promise<void> {
    try {
      await this.connect(account, credentials, true);
    } catch (err) {
      const e = explain(account.broker, err);
      throw new ApiFailure(e.code, e.message);
    }
  }

  private async connect(account: AccountRow, credentials: Record<string, string>, verify = false): Promise<BrokerAdapter | undefined> {
    const adapter = await this.open(account, credentials, verify);
    if (adapter) this.o.router.register(account.id, adapter);
    return adapter;
  }

  /**
   * Makes and connects the adapter. With `verify` (new keys: an account created, or its keys replaced) the
   * broker is asked first, with an authenticated call, whether it accepts them: connecting alone proves nothing
   * for an adapter that only opens a stream in the background (Alpaca) or loads public market data (CCXT).
   */
  private async open(account: AccountRow, credentials: Record<string, string>, verify = false): Promise<BrokerAdapter | undefined> {
    let adapter: BrokerAdapter | undefined;
    try {
      adapter = await this.o.factory(account, credentials);
    } catch (err) {
      // The factory refuses settings it cannot use (an environment, an exchange id): a local settings error.
      if (err instanceof BrokerError && err.kind === 'invalid') throw new ApiFailure('VALIDATION_FAILED', describe(err), [{ path: '/config', message: describe(err) }]);
      throw err;
    }
    if (!adapter) {
      this.o.log.warn({ accountId: account.id, broker: account.broker }, 'no adapter for this broker in this build; the account is saved but its orders are denied');
      return undefined;
    }
    try {
      if (verify) await this.verify(account, adapter);
      await adapter.connect();
    } catch (err) {
      await adapter.disconnect().catch(() => undefined);
      this.o.log.warn({ accountId: account.id, broker: account.broker, reason: describe(err) }, 'broker connection failed');
      throw err;
    }
    return adapter;
  }

  /** The connection test (or, for an adapter without one, the account call) must succeed; else its code and reason. */
  private async verify(account: AccountRow, adapter: BrokerAdapter): Promise<void> {
    const testable = adapter as BrokerAdapter & TestableAdapter;
    if (!testable.testConnection) {
      await adapter.account();
      return;
    }
    const r = await testable.testConnection();
    if (!r.ok) throw new ApiFailure(r.code && isCode(r.code) ? r.code : 'ACCOUNT_UNAVAILABLE', scrubText(r.message));
  }
}

function describe(err: unknown): string {
  return scrubText(err instanceof Error ? err.message : String(err));
}

function explain(broker: string, err: unknown): { code: Code; message: string } {
  if (err instanceof BrokerError) return { code: codeForReadError(err), message: `${broker}: ${describe(err)}` };
  if (err instanceof ApiFailure) return { code: err.code, message: scrubText(err.message) };
  return { code: 'ACCOUNT_UNAVAILABLE', message: `${broker}: the connection failed (${describe(err)}).` };
}
