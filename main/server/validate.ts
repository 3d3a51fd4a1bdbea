// ajv, compiled once per schema; errors are reported all at once, as path + message. What the client sent is
// echoed only in short: an unknown field's name is cut to a few dozen printable characters, and a body with
// thousands of problems gets the first MAX_ISSUES of them and a count, not an answer the size of the request.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { TIME_ZONE_FORMAT, isKnownTimeZone } from '../../shared/risk-rules.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addFormat(TIME_ZONE_FORMAT, { type: 'string', validate: isKnownTimeZone });

export interface ValidationIssue {
  path: string;
  message: string;
}

const cache = new WeakMap<object, ValidateFunction>();

export const MAX_ISSUES = 50;
const MAX_NAME = 40;

/** A field name from the request as it may appear in an answer or a log line. */
export function shownName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return printable.length > MAX_NAME ? `${printable.slice(0, MAX_NAME)}…` : printable;
}

export function validator(schema: object): (value: unknown) => ValidationIssue[] {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  const compiled = fn;
  return (value) => {
    if (compiled(value)) return [];
    const errors = compiled.errors ?? [];
    const issues = errors.slice(0, MAX_ISSUES).map((e) => ({
      path: shownPath(e.instancePath || '/'),
      message: messageOf(e),
    }));
    if (errors.length > MAX_ISSUES) issues.push({ path: '/', message: `and ${errors.length - MAX_ISSUES} more problems` });
    return issues;
  };
}

function messageOf(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown field "${shownName((e.params as { additionalProperty: string }).additionalProperty)}"`;
  if (e.keyword === 'format' && (e.params as { format: string }).format === TIME_ZONE_FORMAT) {
    return 'is not an IANA time zone this agent knows (e.g. America/New_York, Europe/London, UTC)';
  }
  // "must be equal to one of the allowed values" alone leaves a script's author guessing: name them (they are the
  // schema's own words, never the client's).
  if (e.keyword === 'enum') return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
  return e.message ?? 'invalid';
}

/** An instance path (/config/risk/maxPositionBySymbol/<key>) with each segment shortened as a name is. */
function shownPath(p: string): string {
  return p.split('/').map(shownName).join('/');
}
