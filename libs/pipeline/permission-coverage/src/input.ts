import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Platform, UserError } from '@platform/config';
import { appHasMigrateTarget, planMigrations, planRollout } from '@platform/rollout';
import type { CoverageInput } from './coverage';
import type { SynthesizedStack } from './terraform-model';

/** Every stack of a cdktf output folder (its manifest.json), as parsed JSON. */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifestFile = join(outdir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new UserError(`${manifestFile} not found: synthesize first (npm run synth; npx nx run bootstrap:synth)`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { stacks?: Record<string, { synthesizedStackPath: string }> };
  return Object.entries(manifest.stacks ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => ({ name, json: JSON.parse(readFileSync(join(outdir, s.synthesizedStackPath), 'utf8')) }));
}

/** Options of {@link coverageInput}. */
export interface CoverageInputOptions {
  readonly platform: Platform;
  /** The platform's synthesized stacks (npm run synth). */
  readonly platformStacks: readonly SynthesizedStack[];
  /** The bootstrap's synthesized stacks (npx nx run bootstrap:synth). */
  readonly bootstrapStacks: readonly SynthesizedStack[];
  /** Bootstrap settings' planRoleName. */
  readonly planRoleName: string;
  /** Where the apps' project.json files are (which apps migrate). */
  readonly workspaceRoot: string;
}

/** The check's input for a platform: its stacks with their environments, and the migrations the rollout runs. */
export function coverageInput(options: CoverageInputOptions): CoverageInput {
  const { platform } = options;
  const envOf = new Map(platform.stacks.map((s) => [s.name, s.environment]));
  const platformStacks = options.platformStacks.map((s) => {
    const environment = envOf.get(s.name);
    if (!environment) throw new UserError(`${s.name}: a synthesized stack the config does not have; synthesize again`);
    return { ...s, environment };
  });
  const migrations = Object.keys(platform.config.environments).flatMap((env) =>
    planMigrations(platform, planRollout(platform, env), (app) => appHasMigrateTarget(options.workspaceRoot, app)).map((m) => ({
      environment: env,
      stack: m.writer.stack,
      region: m.region,
      user: m.user,
    })),
  );
  return {
    platformStacks,
    bootstrapStacks: options.bootstrapStacks,
    environments: platform.config.environments,
    planRoleName: options.planRoleName,
    migrations,
  };
}
