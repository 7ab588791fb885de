// Turns what zod and JSON.parse report into ConfigProblems a person can act on: the
// config path, what is wrong and the value found there.
import type { z } from 'zod';
import { type ConfigProblem, formatPath } from './config-error';

/** One zod issue as a problem at its config path, with the value found there. */
export function zodProblem(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem {
  const at = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return { path: at, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}; check the spelling` };
  }
  if (issue.code === 'invalid_key') {
    const key = issue.path[issue.path.length - 1];
    return { path: at, message: `${issue.issues.map((i) => i.message).join('; ')} (got ${JSON.stringify(String(key))})` };
  }
  const value = valueAt(raw, issue.path);
  if (value.found === false) {
    return { path: at, message: `missing; ${issue.message}` };
  }
  let message = issue.message;
  if (issue.code === 'invalid_value') {
    message = `unknown value; expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (issue.code === 'invalid_type' && message.startsWith('Invalid input')) {
    message = `expected ${issue.expected}`;
  }
  return { path: at, message: `${message} (got ${preview(value.value)})` };
}

/** A JSON.parse failure as a problem at the root, with the line and column of the error. */
export function jsonSyntaxProblem(text: string, err: Error): ConfigProblem {
  return { path: '', message: `not valid JSON: ${describeJsonError(text, err)}` };
}

/** Line and column (both 1-based) of a character offset in `text`. */
export function lineAndColumn(text: string, offset: number): { readonly line: number; readonly column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

function valueAt(raw: unknown, p: readonly PropertyKey[]): { found: true; value: unknown } | { found: false } {
  let cur: unknown = raw;
  for (const key of p) {
    if (cur === null || typeof cur !== 'object' || !(key in (cur as object))) return { found: false };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: cur };
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeJsonError(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  if (!m) return err.message;
  const { line, column } = lineAndColumn(text, Number(m[1]));
  return `${err.message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}
