// Structured JSON logs in <data-dir>/logs (rotated), readable output on the terminal, and redaction of
// anything secret-shaped at the logger, so a credential never reaches a log line whatever the caller passes.
import pino from 'pino';
import path from 'node:path';
import fs from 'node:fs';
import { registerRedactionHook, registerSecretValue, SecretRedactor } from './secrets/redaction.js';
import { ResilientDestination, type TransportStream } from './log-destination.js';

export type Logger = pino.Logger;

const SECRET_KEYS = [
  'passphrase', 'password', 'secret', 'secretKey', 'secret_key', 'apiKey', 'api_key', 'apiSecret', 'token', 'authtoken',
  'authorization', 'Authorization', 'credentials', 'key_id', 'keyId', 'privateKey', 'email_token', 'accessToken',
];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers["apca-api-secret-key"]',
  'headers["apca-api-key-id"]',
];

/**
 * One registry of secret values, shared with the vault: the vault announces every value it reads or stores
 * through main/secrets/redaction.ts, and this module subscribes once, at import. Other secrets (the control
 * token, a passphrase typed into a form) are announced the same way through registerSecret, so there is a
 * single list and a single way in. Registered values are masked in every log line, even inside free text.
 */
const redactor = new SecretRedactor('[REDACTED]');
registerRedactionHook(redactor.add);

/** Announces a secret that did not come from the vault (e.g. the control token). Same path as the vault's. */
export function registerSecret(value: string | undefined): void {
  if (value) registerSecretValue(value);
}

export function scrubText(text: string): string {
  let out = redactor.redact(text);
  // Secret-shaped query parameters and bearer tokens in free text.
  out = out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1[REDACTED]');
  out = out.replace(/([?&](?:token|key|secret|passphrase|apikey|api_key|authtoken)=)[^&\s"]+/gi, '$1[REDACTED]');
  return out;
}

/**
 * Scrubs every string in a log object. Errors are serialised first: pino's formatters run before its
 * serializers, and JSON.stringify(new Error()) is "{}", which used to drop every error message from the logs.
 */
function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return scrubValue(pino.stdSerializers.err(value), depth + 1);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = scrubValue(v, depth + 1);
  return out;
}

export interface LogOptions {
  dataDir?: string;
  level?: string;
  console: 'pretty' | 'json' | 'silent';
  /** After the log files could not be written (a full disk), how long until they are tried again (tests shorten it). */
  retryMs?: number;
  /** Where a failure of the logs is told (default: stderr). */
  notice?: (line: string) => void;
}

/** The log files are tried again this long after they could not be written. */
const LOG_RETRY_MS = 30_000;

const toStderr = (text: string): void => {
  try {
    process.stderr.write(text);
  } catch {
    // Nowhere left to tell it.
  }
};

export function createLogger({ dataDir, level = 'info', console, retryMs = LOG_RETRY_MS, notice }: LogOptions): Logger {
  const targets: pino.TransportTargetOptions[] = [];
  if (dataDir) {
    const dir = path.join(dataDir, 'logs');
    fs.mkdirSync(dir, { recursive: true });
    targets.push({
      target: 'pino-roll',
      level,
      options: { file: path.join(dir, 'agent'), extension: '.log', frequency: 'daily', size: '20m', limit: { count: 14 }, mkdir: true },
    });
  }
  if (console === 'pretty') {
    targets.push({ target: 'pino-pretty', level, options: { destination: 1, colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } });
  } else if (console === 'json') {
    targets.push({ target: 'pino/file', level, options: { destination: 1 } });
  }
  const base: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    hooks: {
      // Free text (messages, error strings) is scrubbed of registered secrets.
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
    formatters: {
      log(obj) {
        return scrubValue(obj) as Record<string, unknown>;
      },
    },
    serializers: { err: pino.stdSerializers.err },
  };
  if (targets.length === 0) return pino({ ...base, level: 'silent' });
  const destination = new ResilientDestination(() => pino.transport({ targets }) as TransportStream, {
    retryMs,
    notice: notice ?? ((line) => toStderr(`viewzenix: ${line}\n`)),
    // Lines are JSON, already scrubbed: while the files fail, the terminal still gets them.
    fallback: console === 'silent' ? undefined : toStderr,
  });
  return pino(base, destination);
}
