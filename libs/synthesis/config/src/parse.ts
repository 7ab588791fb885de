import { ConfigError } from './config-error';
import { checkConfig, checkStackPlan } from './checks';
import { zodProblem } from './format';
import { type PlatformConfig, platformConfigSchema } from './schema';
import { type ResolvedService, type StackSpec, planStacks, resolveServices } from './stack-plan';

/** A validated platform: the config plus everything derived from it. */
export interface Platform {
  readonly config: PlatformConfig;
  readonly services: readonly ResolvedService[];
  readonly stacks: readonly StackSpec[];
  /** Where the config came from (for messages). */
  readonly source: string;
}

/**
 * Validates an already-parsed config object: the schema first, then the cross-checks
 * once the schema passes, then the stack plan once those pass. Throws ConfigError
 * listing every problem of the first stage that found any.
 */
export function parsePlatform(raw: unknown, source = '<inline config>'): Platform {
  const parsed = platformConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(source, parsed.error.issues.map((issue) => zodProblem(issue, raw)));
  }
  const config = parsed.data;
  const problems = checkConfig(config);
  const services = resolveServices(config);
  // The plan assumes a consistent config (every environment a service names exists).
  const stacks = problems.length === 0 ? planStacks(config, services) : [];
  problems.push(...checkStackPlan(stacks));
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { config, services, stacks, source };
}
