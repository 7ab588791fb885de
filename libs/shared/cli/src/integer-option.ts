import { UsageError } from './usage-error';

/**
 * The value of option `--<name>` as a whole number from `min` to `max`, or undefined
 * when it was not given. Throws a {@link UsageError} naming the option otherwise.
 */
export function integerOption(name: string, raw: string | undefined, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
