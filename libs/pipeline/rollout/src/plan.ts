// The rollout plan of one environment: which stacks deploy together (waves), how long
// each wave's gates are watched, and which gates. Pure: config and stack names in,
// waves out; the executor (execute.ts) runs them.
import { type Platform, type StackSpec, UserError, serviceContract } from '@platform/config';

/** A signal that must stay OK while a wave bakes. */
export interface Gate {
  /** `alarm`: the service's composite "region unhealthy" alarm; `health-check`: the Route53 check its DNS record uses. */
  readonly kind: 'alarm' | 'health-check';
  readonly service: string;
  readonly region: string;
  /** Alarm name, or the health check's `Name` tag. */
  readonly name: string;
}

/** Stacks deployed together, then watched. */
export interface Wave {
  /** `global`, `canary <region>`, or `regions <r1>[, <r2> ...]`. */
  readonly name: string;
  readonly kind: 'global' | 'canary' | 'regions';
  readonly regions: readonly string[];
  readonly stacks: readonly string[];
  /** How long the gates are watched after the wave deployed, before the next wave. */
  readonly bakeSeconds: number;
  readonly gates: readonly Gate[];
}

/** The rollout of an environment. */
export interface RolloutPlan {
  readonly environment: string;
  readonly canaryRegion: string;
  /** True when the canary is the primary region (named so in the config, or the only region). */
  readonly canaryIsPrimary: boolean;
  readonly waves: readonly Wave[];
}

/** The rollout settings of an environment with every default resolved. */
export interface ResolvedRollout {
  readonly canaryRegion: string;
  readonly bakeSeconds: number;
  readonly regionsAtOnce: number;
  readonly watchSeconds: number;
}

/** Thrown for an environment or stack the config does not have. */
export class RolloutInputError extends UserError {
  override readonly name = 'RolloutInputError';
}

/**
 * The promotion order: the order of `environments` in the config file. A change
 * reaches an environment only after every earlier one deployed it.
 */
export function promotionOrder(platform: Pick<Platform, 'config'>): string[] {
  return Object.keys(platform.config.environments);
}

/** The environment's rollout settings, defaults applied (see the schema's `rollout`). */
export function resolveRollout(platform: Pick<Platform, 'config'>, environment: string): ResolvedRollout {
  const env = platform.config.environments[environment];
  if (!env) {
    throw new RolloutInputError(`unknown environment "${environment}"; the platform has: ${promotionOrder(platform).join(', ')}`);
  }
  const first = promotionOrder(platform)[0] === environment;
  const bakeMinutes = env.rollout.bakeMinutes ?? (first ? 0 : 10);
  return {
    canaryRegion: env.rollout.canaryRegion ?? env.regions[env.regions.length - 1],
    bakeSeconds: Math.round(bakeMinutes * 60),
    regionsAtOnce: env.rollout.regionsAtOnce,
    watchSeconds: env.rollout.watchSeconds,
  };
}

function gatesOf(platform: Platform, environment: string, stacks: readonly StackSpec[]): Gate[] {
  const gates: Gate[] = [];
  for (const stack of stacks) {
    const names = serviceContract(platform.config, stack.service, environment).names;
    const combined = platform.config.services[stack.service].healthCheck.lambdaErrorAlarm;
    gates.push(
      { kind: 'alarm', service: stack.service, region: stack.region, name: names.regionUnhealthyAlarm(stack.region) },
      { kind: 'health-check', service: stack.service, region: stack.region, name: names.routingHealthCheckTag(stack.region, combined) },
    );
  }
  return gates;
}

/**
 * Plans the rollout of `stackNames` (default: every stack of the environment) in
 * `environment`: the global stacks, then the canary region's stacks with the bake,
 * then the other regions `regionsAtOnce` at a time, primary last among equals kept in
 * config order. Waves without stacks are left out.
 */
export function planRollout(platform: Platform, environment: string, stackNames?: readonly string[]): RolloutPlan {
  const settings = resolveRollout(platform, environment);
  const env = platform.config.environments[environment];
  const ofEnv = platform.stacks.filter((s) => s.environment === environment);
  let selected: readonly StackSpec[] = ofEnv;
  if (stackNames) {
    const byName = new Map(ofEnv.map((s) => [s.name, s]));
    const unknown = stackNames.filter((n) => !byName.has(n));
    if (unknown.length > 0) {
      throw new RolloutInputError(`stack "${unknown[0]}" is not a stack of environment "${environment}"${unknown.length > 1 ? ` (nor ${unknown.length - 1} more)` : ''}`);
    }
    const wanted = new Set(stackNames);
    selected = ofEnv.filter((s) => wanted.has(s.name));
  }
  const waves: Wave[] = [];
  const globals = selected.filter((s) => s.layer === 'global');
  if (globals.length > 0) {
    waves.push({ name: 'global', kind: 'global', regions: [], stacks: globals.map((s) => s.name), bakeSeconds: 0, gates: [] });
  }
  const regional = (regions: readonly string[]) => selected.filter((s) => s.layer === 'regional' && regions.includes(s.region));
  const canary = regional([settings.canaryRegion]);
  if (canary.length > 0) {
    waves.push({
      name: `canary ${settings.canaryRegion}`,
      kind: 'canary',
      regions: [settings.canaryRegion],
      stacks: canary.map((s) => s.name),
      bakeSeconds: settings.bakeSeconds,
      gates: gatesOf(platform, environment, canary),
    });
  }
  const rest = env.regions.filter((r) => r !== settings.canaryRegion);
  for (let i = 0; i < rest.length; i += settings.regionsAtOnce) {
    const regions = rest.slice(i, i + settings.regionsAtOnce);
    const stacks = regional(regions);
    if (stacks.length === 0) continue;
    waves.push({
      name: `regions ${regions.join(', ')}`,
      kind: 'regions',
      regions,
      stacks: stacks.map((s) => s.name),
      bakeSeconds: settings.watchSeconds,
      gates: gatesOf(platform, environment, stacks),
    });
  }
  return { environment, canaryRegion: settings.canaryRegion, canaryIsPrimary: settings.canaryRegion === env.regions[0], waves };
}

/** The plan as `npm run rollout -- --plan` prints it. */
export function formatPlan(plan: RolloutPlan): string {
  const lines = [
    `rollout of ${plan.environment}: ${plan.waves.length} wave(s); canary region ${plan.canaryRegion}${plan.canaryIsPrimary ? ' (the primary region)' : ''}`,
  ];
  plan.waves.forEach((wave, i) => {
    lines.push(
      `${i + 1}. ${wave.name}: ${wave.stacks.length} stack(s)${wave.bakeSeconds ? `, then ${wave.kind === 'canary' ? 'bake' : 'watch'} ${wave.bakeSeconds} s` : ''}`,
    );
    lines.push(`   stacks: ${wave.stacks.join(', ')}`);
    if (wave.gates.length > 0) lines.push(`   gates:  ${wave.gates.map((g) => `${g.kind} ${g.name}`).join(', ')}`);
  });
  if (plan.waves.length === 0) lines.push('nothing to deploy');
  return lines.join('\n');
}

/** The plan as `--json` prints it: `{ environment, canaryRegion, waves: [{ name, stacks, bakeSeconds, gates }] }`. */
export function planJson(plan: RolloutPlan): object {
  return {
    environment: plan.environment,
    canaryRegion: plan.canaryRegion,
    waves: plan.waves.map((w) => ({ name: w.name, stacks: w.stacks, bakeSeconds: w.bakeSeconds, gates: w.gates })),
  };
}
