// ajv, compiled once per schema; errors are reported all at once, as path + message.
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

export function validator(schema: object): (value: unknown) => ValidationIssue[] {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  const compiled = fn;
  return (value) => {
    if (compiled(value)) return [];
    return (compiled.errors ?? []).map((e) => ({
      path: e.instancePath || '/',
      message: e.keyword === 'additionalProperties' ? `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"` : (e.message ?? 'invalid'),
    }));
  };
}
