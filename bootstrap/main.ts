// The bootstrap program: one stack per AWS account of the platform (state bucket,
// GitHub OIDC provider, plan and deploy roles, roles assumed across accounts),
// written to its own output folder. It runs before any state bucket exists, so
// by default each stack keeps its state in a local file (.bootstrap-state/), to be
// moved into the state bucket afterwards; see docs/pipelines.md. The command line is
// cli.ts (`npx nx run bootstrap:synth`).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG_PATH, bootstrapStateKey, loadPlatform } from '@platform/config';
import { VerificationMode, type VerificationModeProps, createPlatformApp } from '@platform/constructs';
import { type AccountBootstrap, BootstrapStack, loadBootstrapSettings, planBootstrap } from './src';

// The program's surface (`@platform/bootstrap`) for the composition roots that check it.
export * from './src';

/** Options of {@link synthBootstrap}. */
export interface BootstrapSynthOptions {
  /** @default "config/platform.json" */
  readonly configPath?: string;
  /** @default "bootstrap/bootstrap.json" */
  readonly settingsPath?: string;
  /** @default "cdktf.out.bootstrap" */
  readonly outdir?: string;
  /** `local` for the first apply; `s3` once the state bucket exists. @default "local" */
  readonly backend?: 'local' | 's3';
  /** @default the current directory */
  readonly workspaceRoot?: string;
  /**
   * Synthesize for an offline `terraform plan`; see {@link VerificationMode}. Never apply this output.
   * @default - the Terraform a real account gets
   */
  readonly verification?: VerificationModeProps;
}

/** Folder of the bootstrap stacks' local state files (ignored by git). */
export const LOCAL_STATE_DIR = '.bootstrap-state';

/** Synthesizes one bootstrap stack per account into `outdir`. */
export function synthBootstrap(options: BootstrapSynthOptions = {}): { outdir: string; accounts: AccountBootstrap[] } {
  const root = path.resolve(options.workspaceRoot ?? process.cwd());
  const platform = loadPlatform(path.resolve(root, options.configPath ?? DEFAULT_CONFIG_PATH));
  const settings = loadBootstrapSettings(path.resolve(root, options.settingsPath ?? 'bootstrap/bootstrap.json'));
  const outdir = path.resolve(root, options.outdir ?? 'cdktf.out.bootstrap');
  const accounts = planBootstrap(platform, settings);
  const sb = platform.config.stateBackend;

  // Neither the synth output nor local state belongs in git; say so where they live.
  for (const dir of [outdir, path.join(root, LOCAL_STATE_DIR)]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.gitignore'), '*\n');
  }

  const app = createPlatformApp({ outdir });
  for (const account of accounts) {
    const stackDir = path.join(outdir, 'stacks', account.stackName);
    new BootstrapStack(app, {
      account,
      settings,
      state: { bucketName: sb.bucket, keyPrefix: sb.keyPrefix },
      backend:
        options.backend === 's3'
          ? { type: 's3', bucket: sb.bucket, region: sb.region, key: bootstrapStateKey(account.stackName) }
          : // Relative to the stack's working folder, outside the synth output so a new synth never loses it.
            { type: 'local', path: path.relative(stackDir, path.join(root, LOCAL_STATE_DIR, `${account.stackName}.tfstate`)) },
    });
  }
  if (options.verification) VerificationMode.applyTo(app, options.verification);
  app.synth();
  return { outdir, accounts };
}
