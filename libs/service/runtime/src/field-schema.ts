import { ServiceError, type ServiceErrorDetail } from './service-error';

/** One field of a resource. Lengths count Unicode code points. */
export type FieldSpec =
  | { readonly type: 'string'; readonly required?: boolean; readonly minChars?: number; readonly maxChars: number }
  | { readonly type: 'integer'; readonly required?: boolean; readonly min: number; readonly max: number }
  | { readonly type: 'boolean'; readonly required?: boolean }
  | { readonly type: 'string-list'; readonly required?: boolean; readonly maxCount: number; readonly maxChars: number };

/** A resource's fields by name: what a client may send. */
export type FieldsSpec = Readonly<Record<string, FieldSpec>>;

const SERVER_FIELDS = new Set(['id', 'version', 'createdAt', 'updatedAt', 'updatedRegion']);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function chars(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/**
 * Checks a request body against a resource's fields and returns the fields (absent
 * optional fields omitted). Every problem is reported at once, as `validation_failed`
 * with one detail per field; server-maintained fields (`id`, `version`, ...) and
 * unknown fields are problems too.
 */
export function parseFields<F>(input: Readonly<Record<string, unknown>>, spec: FieldsSpec): F {
  const details: ServiceErrorDetail[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (SERVER_FIELDS.has(key)) details.push({ path: key, message: `${key} is maintained by the server; do not send it` });
    else if (!Object.prototype.hasOwnProperty.call(spec, key)) details.push({ path: key.slice(0, 100), message: `unknown field; the fields are ${Object.keys(spec).join(', ')}` });
  }
  for (const [name, field] of Object.entries(spec)) {
    const value = Object.prototype.hasOwnProperty.call(input, name) ? input[name] : undefined;
    if (value === undefined || value === null) {
      if (field.required) details.push({ path: name, message: 'is required' });
      continue;
    }
    const problem = fieldProblem(value, field);
    if (problem) details.push({ path: name, message: problem });
    else out[name] = value;
  }
  if (details.length > 0) {
    throw new ServiceError('validation_failed', `the request body has ${details.length} problem${details.length === 1 ? '' : 's'}; see details`, { details });
  }
  return out as F;
}

function fieldProblem(value: unknown, field: FieldSpec): string | undefined {
  switch (field.type) {
    case 'string':
      return stringProblem(value, field.minChars ?? (field.required ? 1 : 0), field.maxChars);
    case 'integer':
      return Number.isSafeInteger(value) && (value as number) >= field.min && (value as number) <= field.max ? undefined : `must be an integer ${field.min}-${field.max}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'string-list': {
      if (!Array.isArray(value) || value.length > field.maxCount) return `must be a list of at most ${field.maxCount} strings`;
      const bad = value.findIndex((v) => stringProblem(v, 1, field.maxChars) !== undefined);
      return bad < 0 ? undefined : `[${bad}] ${stringProblem(value[bad], 1, field.maxChars)}`;
    }
  }
}

function stringProblem(value: unknown, min: number, max: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode text';
  const n = chars(value);
  return n < min || n > max ? `must be ${min}-${max} characters` : undefined;
}
