// ajv, compiled once per schema; errors are reported all at once, as path + message. What the client sent is
// echoed only in short: an unknown field's name is cut to a few dozen printable characters, and a body with
// thousands of problems gets the first MAX_ISSUES of them and a count, not an answer the size of the request.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);

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
      message: e.keyword === 'additionalProperties' ? `unknown field "${shownName((e.params as { additionalProperty: string }).additionalProperty)}"` : (e.message ?? 'invalid'),
    }));
    if (errors.length > MAX_ISSUES) issues.push({ path: '/', message: `and ${errors.length - MAX_ISSUES} more problems` });
    return issues;
  };
}

/** An instance path (/config/risk/maxPositionBySymbol/<key>) with each segment shortened as a name is. */
function shownPath(p: string): string {
  return p.split('/').map(shownName).join('/');
}
