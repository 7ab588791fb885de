import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { UserError } from '@platform/config';

/**
 * Thrown by a construct's constructor when its props are invalid. The message
 * names the construct path so the user can find the call site.
 */
export class ConstructPropsError extends UserError {
  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path}: ${message}`);
  }
}

/** Values only known at deploy time (tokens) are never validated. */
export function isKnown(value: unknown): boolean {
  return !Token.isUnresolved(value);
}

/** Throws when `regions` is empty or lists a region twice. */
export function requireDistinctRegions(scope: IConstruct, what: string, regions: readonly string[]): void {
  if (regions.length === 0) throw new ConstructPropsError(scope, `${what} must list at least one region`);
  const seen = new Set<string>();
  for (const region of regions) {
    if (seen.has(region)) throw new ConstructPropsError(scope, `${what} lists region "${region}" twice`);
    seen.add(region);
  }
}
