// The strategy editor's form ↔ API mapping, pure so it can be tested without a browser.
// PUT /api/strategies/:id replaces `config` whole, so a save merges the form's fields into the strategy's current
// config: every key the form does not show (per-account overrides, intake limits, trading windows, brackets, risk
// rules the form has no input for) goes back exactly as it came.
import type { StrategyView } from '../../../shared/api-types.js';
import { DEFAULT_STRATEGY_CONFIG, type StrategyConfig } from '../../../shared/strategy-config.js';
import { DEFAULT_RISK_RULES } from '../../../shared/risk-rules.js';

export type PassphraseAction = 'keep' | 'set' | 'remove';

/** Risk limits the form shows, each an override of the account's rule; an empty input means "the account's rule". */
export const RISK_FIELDS = [
  { key: 'maxPositionPerSymbol', label: 'Max position per symbol', kind: 'decimal', hint: 'shares / contracts / units, after the order fills' },
  { key: 'maxOrderQuantity', label: 'Max order quantity', kind: 'decimal' },
  { key: 'maxOrderNotional', label: 'Max order value', kind: 'decimal', hint: "in the account's currency" },
  { key: 'maxOpenPositions', label: 'Max open positions', kind: 'integer' },
  { key: 'maxDailyLoss', label: 'Max daily loss', kind: 'decimal', hint: "in the account's currency, realised and unrealised" },
  { key: 'maxDrawdownPercent', label: "Max drawdown from today's high (%)", kind: 'decimal' },
  { key: 'maxOrdersPerMinute', label: 'Max orders per minute', kind: 'integer' },
  { key: 'maxOrdersPerDay', label: 'Max orders per day', kind: 'integer' },
] as const;
export type RiskFieldKey = (typeof RISK_FIELDS)[number]['key'];

export interface StrategyFormValues {
  name: string;
  accountIds: string[];
  enabled: boolean;
  passphraseAction: PassphraseAction;
  /** Only with passphraseAction "set"; never filled from the agent (it keeps only a hash). */
  passphrase: string;
  sides: StrategyConfig['sides'];
  oppositeSignal: StrategyConfig['oppositeSignal'];
  allowAdd: boolean;
  useSignalQuantity: boolean;
  sizingMethod: StrategyConfig['sizing']['method'];
  sizingAmount: string;
  useSignalOrderType: boolean;
  useSignalTimeInForce: boolean;
  orderType: StrategyConfig['orderType'];
  exitOrderType: StrategyConfig['exitOrderType'];
  timeInForce: StrategyConfig['timeInForce'];
  approvalMode: StrategyConfig['approval']['mode'];
  /** Empty: the default (300 s). */
  approvalTimeoutSeconds: string;
  /** Empty: the default (60 s). */
  maxAlertAgeSeconds: string;
  /** Empty: the account's rule applies. */
  risk: Record<RiskFieldKey, string>;
  /** Empty: the account's rule applies. */
  lossLimitAction: '' | 'halt' | 'reduce';
}

/** The body of PUT /api/strategies/:id. */
export interface StrategyUpdate {
  name?: string;
  accountIds?: string[];
  passphrase?: string | null;
  enabled?: boolean;
  config?: Record<string, unknown>;
}

export interface FieldError {
  /** The API's JSON path, e.g. /config/risk/maxDailyLoss. */
  path: string;
  message: string;
}

/** Each form field's API path: client checks and the agent's 400 errors land beside the same input. */
export const FIELD_PATHS = {
  name: '/name',
  accountIds: '/accountIds',
  enabled: '/enabled',
  passphrase: '/passphrase',
  sides: '/config/strategy/sides',
  oppositeSignal: '/config/strategy/oppositeSignal',
  allowAdd: '/config/strategy/allowAdd',
  useSignalQuantity: '/config/strategy/useSignalQuantity',
  sizingMethod: '/config/strategy/sizing/method',
  sizingAmount: '/config/strategy/sizing/amount',
  useSignalOrderType: '/config/strategy/useSignalOrderType',
  useSignalTimeInForce: '/config/strategy/useSignalTimeInForce',
  orderType: '/config/strategy/orderType',
  exitOrderType: '/config/strategy/exitOrderType',
  timeInForce: '/config/strategy/timeInForce',
  approvalMode: '/config/strategy/approval/mode',
  approvalTimeoutSeconds: '/config/strategy/approval/timeoutSeconds',
  maxAlertAgeSeconds: '/config/strategy/maxAlertAgeSeconds',
  lossLimitAction: '/config/risk/lossLimitAction',
} as const;
export type FormField = keyof typeof FIELD_PATHS | `risk.${RiskFieldKey}`;

export function fieldPath(field: FormField): string {
  return field.startsWith('risk.') ? `/config/risk/${field.slice(5)}` : FIELD_PATHS[field as keyof typeof FIELD_PATHS];
}

const ALL_FIELDS: FormField[] = [...(Object.keys(FIELD_PATHS) as (keyof typeof FIELD_PATHS)[]), ...RISK_FIELDS.map((f) => `risk.${f.key}` as const)];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The strategy's own settings as stored (config.strategy), without the defaults. */
export function storedStrategySettings(config: Record<string, unknown>): Partial<StrategyConfig> {
  return isRecord(config.strategy) ? (config.strategy as Partial<StrategyConfig>) : {};
}

/** The strategy's risk overrides as stored (config.risk). */
export function storedRiskOverrides(config: Record<string, unknown>): Record<string, unknown> {
  return isRecord(config.risk) ? config.risk : {};
}

/** What the engine uses: the defaults with the strategy's own settings over them (as main/signals/decide.ts does). */
export function effectiveStrategySettings(config: Record<string, unknown>): StrategyConfig {
  return { ...DEFAULT_STRATEGY_CONFIG, ...storedStrategySettings(config) };
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export function strategyToForm(s: StrategyView): StrategyFormValues {
  const c = effectiveStrategySettings(s.config);
  const risk = storedRiskOverrides(s.config);
  const lla = risk.lossLimitAction;
  return {
    name: s.name,
    accountIds: [...s.accountIds],
    enabled: s.enabled,
    passphraseAction: 'keep',
    passphrase: '',
    sides: c.sides,
    oppositeSignal: c.oppositeSignal,
    allowAdd: c.allowAdd,
    useSignalQuantity: c.useSignalQuantity,
    sizingMethod: c.sizing.method,
    sizingAmount: c.sizing.amount,
    useSignalOrderType: c.useSignalOrderType,
    useSignalTimeInForce: c.useSignalTimeInForce,
    orderType: c.orderType,
    exitOrderType: c.exitOrderType,
    timeInForce: c.timeInForce,
    approvalMode: c.approval.mode,
    approvalTimeoutSeconds: text(c.approval.timeoutSeconds),
    maxAlertAgeSeconds: text(c.maxAlertAgeSeconds),
    risk: Object.fromEntries(RISK_FIELDS.map((f) => [f.key, text(risk[f.key])])) as Record<RiskFieldKey, string>,
    lossLimitAction: lla === 'halt' || lla === 'reduce' ? lla : '',
  };
}

const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const INTEGER = /^(0|[1-9][0-9]*)$/;

/** A decimal string as the agent takes it ("2.5"); a trailing "." or a leading "+" is refused here in plain words. */
function decimal(raw: string, path: string, errors: FieldError[]): string | undefined {
  const v = raw.trim();
  if (!DECIMAL.test(v)) {
    errors.push({ path, message: 'must be a plain number like 100 or 2.5 (no sign, spaces or thousands separators)' });
    return undefined;
  }
  return v;
}

/** A whole number sent as a JSON number (the schema says integer), never as a string. */
function integer(raw: string, path: string, errors: FieldError[]): number | undefined {
  const v = raw.trim();
  if (!INTEGER.test(v) || !Number.isSafeInteger(Number(v))) {
    errors.push({ path, message: 'must be a whole number like 30' });
    return undefined;
  }
  return Number(v);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Sets `key` in the strategy settings when it is already stored there or differs from the default; a value equal to
 * the default that was not stored stays out, so the stored config holds only what the trader chose.
 */
function put(target: Record<string, unknown>, key: keyof StrategyConfig, value: unknown): void {
  if (key in target || !sameJson(value, DEFAULT_STRATEGY_CONFIG[key])) target[key] = value;
}

/**
 * The strategy's new `config`: a copy of the current one with the form's fields written in. Nothing else changes.
 * An empty risk input removes that override (the account's rule applies again); an empty approval timeout or
 * maximum alert age goes back to the default. Bad numbers are reported in `errors` (with their API path) and the
 * config is not to be sent.
 */
export function mergeConfig(current: Record<string, unknown>, f: StrategyFormValues, errors: FieldError[] = []): Record<string, unknown> {
  const next: Record<string, unknown> = structuredClone(current);
  const strategy: Record<string, unknown> = { ...storedStrategySettings(current) };
  put(strategy, 'sides', f.sides);
  put(strategy, 'oppositeSignal', f.oppositeSignal);
  put(strategy, 'allowAdd', f.allowAdd);
  put(strategy, 'useSignalQuantity', f.useSignalQuantity);
  if (f.sizingAmount.trim() === '') errors.push({ path: FIELD_PATHS.sizingAmount, message: 'is required: the size used when the alert gives none' });
  else {
    const amount = decimal(f.sizingAmount, FIELD_PATHS.sizingAmount, errors);
    if (amount !== undefined) put(strategy, 'sizing', { method: f.sizingMethod, amount });
  }
  put(strategy, 'useSignalOrderType', f.useSignalOrderType);
  put(strategy, 'useSignalTimeInForce', f.useSignalTimeInForce);
  put(strategy, 'orderType', f.orderType);
  put(strategy, 'exitOrderType', f.exitOrderType);
  put(strategy, 'timeInForce', f.timeInForce);

  // approval is one object ({mode, timeoutSeconds}, both required): written whole.
  const timeout = f.approvalTimeoutSeconds.trim() === '' ? DEFAULT_STRATEGY_CONFIG.approval.timeoutSeconds : integer(f.approvalTimeoutSeconds, FIELD_PATHS.approvalTimeoutSeconds, errors);
  if (timeout !== undefined) put(strategy, 'approval', { mode: f.approvalMode, timeoutSeconds: timeout });

  if (f.maxAlertAgeSeconds.trim() === '') delete strategy.maxAlertAgeSeconds;
  else {
    const age = integer(f.maxAlertAgeSeconds, FIELD_PATHS.maxAlertAgeSeconds, errors);
    if (age !== undefined) put(strategy, 'maxAlertAgeSeconds', age);
  }
  if (Object.keys(strategy).length > 0 || 'strategy' in current) next.strategy = strategy;

  const risk: Record<string, unknown> = { ...storedRiskOverrides(current) };
  for (const field of RISK_FIELDS) {
    const raw = f.risk[field.key];
    const path = `/config/risk/${field.key}`;
    if (raw.trim() === '') {
      delete risk[field.key];
      continue;
    }
    const value = field.kind === 'integer' ? integer(raw, path, errors) : decimal(raw, path, errors);
    if (value !== undefined) risk[field.key] = value;
  }
  if (f.lossLimitAction === '') delete risk.lossLimitAction;
  else risk.lossLimitAction = f.lossLimitAction;
  if (Object.keys(risk).length > 0 || 'risk' in current) next.risk = risk;
  return next;
}

/** Why the agent would refuse this passphrase (it takes 8 to 200 characters), in the words shown beside the field. */
export function passphraseProblem(passphrase: string): string | undefined {
  if (passphrase.length < 8) return 'must be at least 8 characters';
  if (passphrase.length > 200) return 'must be at most 200 characters';
  return undefined;
}

/** The name and the accounts, as both forms check them before sending; the trimmed name. */
function checkNameAndAccounts(name: string, accountIds: readonly string[], errors: FieldError[]): string {
  const trimmed = name.trim();
  if (trimmed === '') errors.push({ path: FIELD_PATHS.name, message: 'is required' });
  if (accountIds.length === 0) errors.push({ path: FIELD_PATHS.accountIds, message: 'pick at least one account' });
  return trimmed;
}

/** The create form's fields. An empty passphrase is none. */
export interface NewStrategyValues {
  name: string;
  accountIds: string[];
  passphrase: string;
}

/** The body of POST /api/strategies, or the problems found before sending (each with its field's API path). */
export function newStrategyBody(v: NewStrategyValues): { body: { name: string; accountIds: string[]; passphrase?: string }; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const name = checkNameAndAccounts(v.name, v.accountIds, errors);
  const problem = v.passphrase === '' ? undefined : passphraseProblem(v.passphrase);
  if (problem) errors.push({ path: FIELD_PATHS.passphrase, message: problem });
  return { body: { name, accountIds: [...v.accountIds], ...(v.passphrase ? { passphrase: v.passphrase } : {}) }, errors };
}

/**
 * The PUT body holding only what changed, or the problems found before sending. An unchanged form gives an empty
 * body (the agent refuses an empty PUT: the caller says "nothing changed" instead).
 */
export function formToUpdate(s: StrategyView, f: StrategyFormValues): { body: StrategyUpdate; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const body: StrategyUpdate = {};
  const name = checkNameAndAccounts(f.name, f.accountIds, errors);
  if (name !== '' && name !== s.name) body.name = name;
  if (f.accountIds.length > 0 && !sameJson([...f.accountIds].sort(), [...s.accountIds].sort())) body.accountIds = [...f.accountIds];
  if (f.enabled !== s.enabled) body.enabled = f.enabled;
  if (f.passphraseAction === 'set') {
    const problem = passphraseProblem(f.passphrase);
    if (problem) errors.push({ path: FIELD_PATHS.passphrase, message: problem });
    else body.passphrase = f.passphrase;
  } else if (f.passphraseAction === 'remove' && s.hasPassphrase) body.passphrase = null;
  const config = mergeConfig(s.config, f, errors);
  if (!sameJson(config, s.config)) body.config = config;
  return { body, errors };
}

/**
 * Places each error beside its field: the field whose path is the error's path or its closest parent; an error on an
 * object the form splits (/config/strategy/sizing) goes to its first input. Errors no field owns are returned under "".
 */
export function errorsByField(errors: readonly FieldError[]): Map<FormField | '', string[]> {
  const out = new Map<FormField | '', string[]>();
  const broad = new Set(['/', '', '/config', '/config/strategy', '/config/risk']);
  for (const e of errors) {
    let best: FormField | '' = '';
    let bestLen = 0;
    for (const field of ALL_FIELDS) {
      const p = fieldPath(field);
      if ((e.path === p || e.path.startsWith(`${p}/`)) && p.length > bestLen) {
        best = field;
        bestLen = p.length;
      }
    }
    // An error on an object the form splits into inputs (/config/strategy/sizing): its first input.
    if (best === '' && !broad.has(e.path)) best = ALL_FIELDS.find((field) => fieldPath(field).startsWith(`${e.path}/`)) ?? '';
    const list = out.get(best) ?? [];
    list.push(e.message);
    out.set(best, list);
  }
  return out;
}

/** The effective risk limits of the strategy over an account's rules, for display: [label, value, from]. */
export function riskSummary(config: Record<string, unknown>): { key: string; label: string; value: string; source: 'strategy' | 'account default' }[] {
  const overrides = storedRiskOverrides(config);
  const rows: { key: string; label: string; value: string; source: 'strategy' | 'account default' }[] = [];
  for (const f of RISK_FIELDS) {
    if (overrides[f.key] !== undefined) rows.push({ key: f.key, label: f.label, value: String(overrides[f.key] as string | number), source: 'strategy' });
    else {
      const d = (DEFAULT_RISK_RULES as unknown as Record<string, unknown>)[f.key];
      rows.push({ key: f.key, label: f.label, value: d === undefined ? "the account's rule (off unless set there)" : `the account's rule (default ${String(d as string | number)})`, source: 'account default' });
    }
  }
  const lla = overrides.lossLimitAction;
  rows.push({ key: 'lossLimitAction', label: 'When a loss limit is hit', value: lla === undefined ? "the account's rule (default halt)" : String(lla as string), source: lla === undefined ? 'account default' : 'strategy' });
  const day = overrides.tradingDay;
  if (isRecord(day) && typeof day.timeZone === 'string' && typeof day.startsAt === 'string') {
    rows.push({ key: 'tradingDay', label: 'The day of the daily limits starts at', value: `${day.startsAt} ${day.timeZone}`, source: 'strategy' });
  }
  // Overrides the form has no input for are shown too: the window hides nothing.
  for (const [k, v] of Object.entries(overrides)) {
    if (k === 'lossLimitAction' || RISK_FIELDS.some((f) => f.key === k) || (k === 'tradingDay' && rows.some((r) => r.key === k))) continue;
    rows.push({ key: k, label: k, value: typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v), source: 'strategy' });
  }
  return rows;
}
