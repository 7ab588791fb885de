import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ProviderSkew } from '@platform/constructs';
import { type AwsLookupFixtures, type FakeAwsEndpoint, type FakeAwsRequest, startFakeAwsEndpoint } from './fake-aws-endpoint';
import { checkTerraform, findAwsProvider, writeCliConfig } from './toolchain';
import type { CommandResult } from './run-command';
import { type StackVerification, initStack, verifyStack } from './verify-stack';

/** What a synth program wrote in verification mode. */
export interface SynthesizedProgram {
  /** e.g. `platform`, `bootstrap` */
  readonly program: string;
  /** Its output folder (with manifest.json). */
  readonly outdir: string;
}

/** The verification-mode settings a synth program gets. */
export interface VerificationSynthInput {
  readonly stateDir: string;
  readonly endpoint: string;
  readonly providerVersion: string;
  /** Where the program should write its stacks. */
  readonly outRoot: string;
}

/** Options of {@link verifyTerraform}. */
export interface VerifyTerraformOptions {
  /** Scratch folder: CLI config, plugin cache, state, synthesized stacks. Kept between runs (the plugin cache). */
  readonly workDir: string;
  /** Filesystem mirror holding hashicorp/aws. */
  readonly mirror: string;
  /** @default "terraform" */
  readonly terraformBin?: string;
  readonly fixtures: AwsLookupFixtures;
  /** Synthesizes every program in verification mode. */
  readonly synth: (input: VerificationSynthInput) => Promise<readonly SynthesizedProgram[]>;
  /** The arguments verification mode strips, printed with the results. */
  readonly skew: readonly ProviderSkew[];
  /** Stacks verified at once. @default 2 */
  readonly concurrency?: number;
  /** Only stacks whose name matches. @default - all */
  readonly stackFilter?: RegExp;
  /** Progress lines (one per finished stack). @default - none */
  readonly onProgress?: (line: string) => void;
}

/** The result of a whole run. */
export interface TerraformVerification {
  readonly terraformVersion: string;
  readonly providerVersion: string;
  readonly stacks: readonly StackVerification[];
  readonly skew: readonly ProviderSkew[];
  /** Lookups the loopback endpoint answered (or not). */
  readonly lookups: readonly FakeAwsRequest[];
  /** Wall times: the whole run, both synths, all inits (the first alone, then in parallel). */
  readonly seconds: { readonly total: number; readonly synth: number; readonly init: number };
  readonly ok: boolean;
}

/** Stack names and folders of a synth output, from its manifest. */
export function stacksOf(outdir: string): { name: string; dir: string }[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { name: string; workingDirectory: string }>;
  };
  return Object.values(manifest.stacks).map((s) => ({ name: s.name, dir: path.join(outdir, s.workingDirectory) }));
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Validates and plans every stack of every program with real Terraform, offline:
 * checks the toolchain (binary version, provider mirror), writes a CLI config that
 * installs providers only from the mirror, starts the loopback endpoint for the
 * lookups, synthesizes in verification mode and verifies each stack.
 */
export async function verifyTerraform(options: VerifyTerraformOptions): Promise<TerraformVerification> {
  const started = performance.now();
  const bin = options.terraformBin ?? 'terraform';
  const terraformVersion = checkTerraform(bin);
  const providerVersion = findAwsProvider(options.mirror);
  const workDir = path.resolve(options.workDir);
  const stateDir = path.join(workDir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const cliConfigFile = writeCliConfig(workDir, options.mirror);
  // Every remote-state read gets this: no outputs, so the reads' defaults apply (a brand-new service's first plan).
  writeFileSync(
    path.join(stateDir, 'empty-remote.tfstate'),
    JSON.stringify({ version: 4, terraform_version: terraformVersion, serial: 1, lineage: '00000000-0000-4000-8000-000000000000', outputs: {}, resources: [] }),
  );

  const endpoint: FakeAwsEndpoint = await startFakeAwsEndpoint(options.fixtures);
  try {
    const synthStarted = performance.now();
    const outRoot = path.join(workDir, 'out');
    mkdirSync(outRoot, { recursive: true });
    const programs = await options.synth({ stateDir, endpoint: endpoint.url, providerVersion, outRoot });
    const synthSeconds = (performance.now() - synthStarted) / 1000;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TF_CLI_CONFIG_FILE: cliConfigFile,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      // Nothing from the caller's AWS setup may leak into the offline run.
      AWS_PROFILE: undefined,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_CONFIG_FILE: path.join(workDir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      CHECKPOINT_DISABLE: '1',
    };
    const work = programs.flatMap((p) =>
      stacksOf(p.outdir)
        .filter((s) => !options.stackFilter || options.stackFilter.test(s.name))
        .map((s) => ({ ...s, program: p.program })),
    );
    const tf = { bin, env };
    const concurrency = options.concurrency ?? 2;
    // Terraform's plugin cache is not safe for concurrent writes: the first init fills
    // it alone, the others only link from it.
    const initStarted = performance.now();
    const inits: CommandResult[] = work.length ? [await initStack(work[0].dir, tf)] : [];
    inits.push(...(await mapLimit(work.slice(1), concurrency, (s) => initStack(s.dir, tf))));
    const initSeconds = (performance.now() - initStarted) / 1000;
    const stacks = await mapLimit(work, concurrency, async (s) => {
      const result = await verifyStack(s.dir, s.name, s.program, tf, inits[work.indexOf(s)]);
      options.onProgress?.(
        `${result.ok ? 'ok  ' : 'FAIL'} ${s.name} (${[result.times.init, result.times.validate, result.times.plan, result.times.show]
          .filter((t) => t !== undefined)
          .map((t) => (t as number).toFixed(1))
          .join(' + ')} s)`,
      );
      return result;
    });
    return {
      terraformVersion,
      providerVersion,
      stacks,
      skew: options.skew,
      lookups: [...endpoint.requests],
      seconds: { total: (performance.now() - started) / 1000, synth: synthSeconds, init: initSeconds },
      ok: stacks.length > 0 && stacks.every((s) => s.ok),
    };
  } finally {
    await endpoint.stop();
  }
}
