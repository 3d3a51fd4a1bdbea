// From a BrokerError to the one code table the UI, CLI and docs read (shared/codes.ts). codeForBrokerError is the
// one mapping of an order's failure: the router closes the order with it, and the alert's denial is the order's code.
import type { Code } from '../../../shared/codes.js';
import { BrokerError, type BrokerErrorKind } from '../port.js';

const CODE_BY_KIND: Record<BrokerErrorKind, Code> = {
  rejected: 'BROKER_REJECTED',
  insufficient_funds: 'INSUFFICIENT_FUNDS',
  rate_limited: 'BROKER_RATE_LIMITED',
  auth: 'BROKER_AUTH_FAILED',
  not_found: 'BROKER_REJECTED',
  market_closed: 'MARKET_CLOSED',
  invalid: 'CAPABILITY_UNSUPPORTED', // refused by the adapter before sending (BrokerError.refusedBeforeSending), never the broker's rejection
  unreachable: 'BROKER_UNREACHABLE',
  timeout: 'BROKER_OUTCOME_UNKNOWN',
  connection_reset: 'BROKER_OUTCOME_UNKNOWN',
  server_error: 'BROKER_OUTCOME_UNKNOWN',
};

export function codeForBrokerError(err: unknown): Code {
  if (err instanceof BrokerError) return err.code ?? CODE_BY_KIND[err.kind];
  return 'INTERNAL_ERROR';
}

/**
 * The code for a failed read (account, positions, open orders, instrument, a connection). A read changes nothing
 * at the broker, so a timeout, a reset or a 5xx leaves no outcome to reconcile: the broker could not be reached.
 * Never use this for a submit or a cancel, whose outcome such a failure leaves unknown.
 */
export function codeForReadError(err: unknown): Code {
  if (!(err instanceof BrokerError)) return 'INTERNAL_ERROR';
  switch (err.kind) {
    case 'unreachable':
    case 'timeout':
    case 'connection_reset':
    case 'server_error':
      return 'BROKER_UNREACHABLE';
    case 'invalid':
    case 'not_found':
      return 'BROKER_REJECTED';
    default:
      return CODE_BY_KIND[err.kind];
  }
}

/** The answer of an adapter's testConnection(): ok, or a code and a sentence the trader can act on. */
export interface ConnectionTestResult {
  ok: boolean;
  code?: Code;
  message: string;
}

/** Turns a failure of the account call into trader's words. `who` names the broker and environment. */
export function connectionFailure(err: unknown, who: string, hints: { auth: string; forbidden?: string }): ConnectionTestResult {
  if (!(err instanceof BrokerError)) return { ok: false, code: 'INTERNAL_ERROR', message: `${who}: the connection test failed unexpectedly.` };
  switch (err.kind) {
    case 'auth':
      return { ok: false, code: 'BROKER_AUTH_FAILED', message: /forbidden|permission|not allowed|not authorized to/i.test(err.message) && hints.forbidden ? hints.forbidden : hints.auth };
    case 'unreachable':
    case 'timeout':
    case 'connection_reset':
      return { ok: false, code: 'BROKER_UNREACHABLE', message: `${who} could not be reached (${err.message}). Check the internet connection, the base URL and the broker's status page.` };
    case 'rate_limited':
      return { ok: false, code: 'BROKER_RATE_LIMITED', message: `${who} is rate-limiting this key right now; try the test again in a minute.` };
    default:
      return { ok: false, code: codeForBrokerError(err), message: `${who} refused the account request: ${err.message}` };
  }
}
