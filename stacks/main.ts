import * as path from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH, loadPlatform } from '@platform/config';
import {
  ConstructPropsError,
  MissingArtifactError,
  VerificationMode,
  type VerificationModeProps,
  createPlatformApp,
} from '@platform/constructs';
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

/** Synthesizes every stack of the platform config into `outdir`. */
export function synthPlatform(options: SynthOptions = {}): { outdir: string; stacks: number } {
  const workspaceRoot = path.resolve(options.workspaceRoot ?? process.cwd());
  const platform = loadPlatform(options.configPath ?? process.env.PLATFORM_CONFIG ?? DEFAULT_CONFIG_PATH);
  const outdir = options.outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  const app = createPlatformApp({ outdir });
  const stacks = buildPlatform(app, platform, { workspaceRoot });
  if (options.verification) VerificationMode.applyTo(app, options.verification);
  app.synth();
  return { outdir, stacks: stacks.length };
}

/** Errors caused by the user's input: print the message only, no stack trace. */
export function isUserError(err: unknown): err is Error {
  return err instanceof ConfigError || err instanceof MissingArtifactError || err instanceof ConstructPropsError;
}

if (require.main === module) {
  try {
    synthPlatform();
  } catch (err) {
    if (!isUserError(err)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
