// The bootstrap program: one stack per AWS account of the platform (state bucket,
// GitHub OIDC provider, plan and deploy roles, roles assumed across accounts),
// written to its own output folder. It runs before any state bucket exists, so
// by default each stack keeps its state in a local file (.bootstrap-state/), to be
// moved into the state bucket afterwards; see docs/pipelines.md.
//   node --import tsx bootstrap/main.ts [--config config/platform.json]
//        [--settings bootstrap/bootstrap.json] [--outdir cdktf.out.bootstrap] [--backend local|s3]
//        [--verification --state-dir <dir> --endpoint <url> [--provider-version <v>]]
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'cdktf';
import { ConfigError, DEFAULT_CONFIG_PATH, loadPlatform } from '@platform/config';
import { ConstructPropsError, PROVIDER_SKEW, VerificationMode, type VerificationModeProps } from '@platform/constructs';
import { type AccountBootstrap, BootstrapStack, loadBootstrapSettings, planBootstrap } from './src';

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

  const app = new App({ outdir, stackTraces: false });
  for (const account of accounts) {
    const stackDir = path.join(outdir, 'stacks', account.stackName);
    new BootstrapStack(app, {
      account,
      settings,
      state: { bucketName: sb.bucket, keyPrefix: sb.keyPrefix },
      backend:
        options.backend === 's3'
          ? { type: 's3', bucket: sb.bucket, region: sb.region, key: `bootstrap/${account.stackName}.tfstate` }
          : // Relative to the stack's working folder, outside the synth output so a new synth never loses it.
            { type: 'local', path: path.relative(stackDir, path.join(root, LOCAL_STATE_DIR, `${account.stackName}.tfstate`)) },
    });
  }
  if (options.verification) VerificationMode.applyTo(app, options.verification);
  app.synth();
  return { outdir, accounts };
}

function describe(a: AccountBootstrap): string {
  return [
    ...(a.stateBucket ? [`state bucket ${a.stateBucket.bucketName}`] : []),
    ...(a.pipeline ? [`GitHub OIDC + plan and deploy roles for ${a.pipeline.environments.join(', ')}`] : []),
    ...a.delegatedRoles.map((r) => `role ${r.roleName}`),
  ].join('; ');
}

if (require.main === module) {
  try {
    const { values } = parseArgs({
      options: {
        config: { type: 'string' },
        settings: { type: 'string' },
        outdir: { type: 'string' },
        backend: { type: 'string', default: 'local' },
        verification: { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        endpoint: { type: 'string' },
        'provider-version': { type: 'string', default: '5.100.0' },
      },
    });
    if (values.verification && (!values['state-dir'] || !values.endpoint))
      throw new ConfigError('--verification', [{ path: '', message: 'needs --state-dir <dir> and --endpoint <url>' }]);
    if (values.backend !== 'local' && values.backend !== 's3')
      throw new ConfigError('--backend', [{ path: '', message: 'must be "local" or "s3"' }]);
    const result = synthBootstrap({
      configPath: values.config,
      settingsPath: values.settings,
      outdir: values.outdir,
      backend: values.backend,
      verification: values.verification
        ? {
            stateDir: path.resolve(values['state-dir'] as string),
            endpoint: values.endpoint as string,
            providerVersion: values['provider-version'] as string,
            skew: PROVIDER_SKEW,
          }
        : undefined,
    });
    for (const a of result.accounts) console.log(`${a.stackName.padEnd(28)} ${a.accountId}  ${a.region.padEnd(15)} ${describe(a)}`);
    console.log(
      `synthesized ${result.accounts.length} bootstrap stacks into ${path.relative(process.cwd(), result.outdir)}/ (backend: ${
        values.backend
      })`,
    );
  } catch (err) {
    if (!(err instanceof ConfigError || err instanceof ConstructPropsError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
  }
}
