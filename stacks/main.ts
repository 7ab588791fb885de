import { existsSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH, dataLayerAppProblems, loadPlatform, readAppTargets } from '@platform/config';
import { VerificationMode, type VerificationModeProps, createPlatformApp } from '@platform/constructs';
import { buildPlatform } from './platform-app';

/** What verification mode strips (the provider skew), for the synth CLI's --verification. */
export { PROVIDER_SKEW } from '@platform/constructs';

/** Options of {@link synthPlatform}. */
export interface SynthOptions {
  /** @default "config/platform.json", or $PLATFORM_CONFIG */
  readonly configPath?: string;
  /** @default "cdktf.out", or $CDKTF_OUTDIR when the cdktf CLI runs us */
  readonly outdir?: string;
  /** @default the current directory */
  readonly workspaceRoot?: string;
  /**
   * Synthesize for an offline `terraform plan` (fake credentials, local backend and
   * remote state, loopback lookups); see {@link VerificationMode}. Never deploy this output.
   * @default - the Terraform a real account gets
   */
  readonly verification?: VerificationModeProps;
}

/** What {@link synthPlatform} wrote. */
export interface SynthResult {
  readonly outdir: string;
  /** Number of stacks synthesized. */
  readonly stacks: number;
  /**
   * Their names in layer order: per service and environment the global stack, then
   * its regional stacks in the environment's region order (the config's order).
   */
  readonly stackNames: readonly string[];
  /** Stack folders of an earlier synth that this config no longer has, now deleted. */
  readonly removed: readonly string[];
}

/**
 * Synthesizes every stack of the platform config into `outdir`, and deletes the
 * folders of stacks an earlier synth wrote there that the config no longer has
 * (they would otherwise live on in `npm run report` and the Nx projects).
 */
export function synthPlatform(options: SynthOptions = {}): SynthResult {
  const workspaceRoot = path.resolve(options.workspaceRoot ?? process.cwd());
  const platform = loadPlatform(options.configPath ?? process.env.PLATFORM_CONFIG ?? DEFAULT_CONFIG_PATH);
  // A database or cache for an app that cannot use it is refused before anything is built.
  const appProblems = dataLayerAppProblems(platform, (app) => readAppTargets(workspaceRoot, app));
  if (appProblems.length > 0) throw new ConfigError(platform.source, appProblems);
  const outdir = options.outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  const fresh = !existsSync(outdir);
  try {
    const app = createPlatformApp({ outdir });
    buildPlatform(app, platform, { workspaceRoot });
    if (options.verification) VerificationMode.applyTo(app, options.verification);
    app.synth();
  } catch (err) {
    // The App makes `outdir` when it starts; an empty one left by a failed synth would
    // look like a synth that produced no stacks (to npm run report, to Nx).
    if (fresh) rmSync(outdir, { recursive: true, force: true });
    throw err;
  }
  const stackNames = platform.stacks.map((s) => s.name);
  return { outdir, stacks: stackNames.length, stackNames, removed: removeStaleStacks(outdir, stackNames) };
}

/** Deletes `<outdir>/stacks/<name>/` of every stack not in `current`; nothing else in `outdir`. */
function removeStaleStacks(outdir: string, current: readonly string[]): string[] {
  const keep = new Set(current);
  const stacksDir = path.join(outdir, 'stacks');
  const stale = readdirSync(stacksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !keep.has(entry.name))
    .map((entry) => entry.name)
    .sort();
  for (const name of stale) rmSync(path.join(stacksDir, name), { recursive: true, force: true });
  return stale;
}
