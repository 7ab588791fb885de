import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ProviderSkew } from '@platform/constructs';
import { type AwsLookupFixtures, type FakeAwsEndpoint, type FakeAwsRequest, startFakeAwsEndpoint } from './fake-aws-endpoint';
import { checkTerraform, findAwsProvider, skewFor, writeCliConfig } from './toolchain';
import { VerifyInputError } from './verify-input-error';
import type { CommandResult } from './run-command';
import { countDeclaredResources } from './declared-resources';
import { type StackVerification, initStack, planFromEmptyState, verifyStack } from './verify-stack';

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
  /** The arguments and values to strip or swap: what `providerVersion` lacks. */
  readonly skew: readonly ProviderSkew[];
  /** Where the program should write its stacks. */
  readonly outRoot: string;
}

/** Options of {@link verifyTerraform}. */
export interface VerifyTerraformOptions {
  /** Scratch folder: CLI config, plugin cache, state, synthesized stacks. Kept between runs (the plugin cache). */
  readonly workDir: string;
  /**
   * Filesystem mirror holding hashicorp/aws: its newest version is verified, with the
   * skew entries it lacks stripped. @default - the registry (network), at `providerVersion`
   */
  readonly mirror?: string;
  /** The provider version from the registry, when there is no mirror (the stacks' own pin, {@link pinnedAwsProviderVersion}). */
  readonly providerVersion?: string;
  /** @default "terraform" */
  readonly terraformBin?: string;
  readonly fixtures: AwsLookupFixtures;
  /** Synthesizes every program in verification mode. */
  readonly synth: (input: VerificationSynthInput) => Promise<readonly SynthesizedProgram[]>;
  /**
   * Every known skew entry; the run applies (and prints) those the verified provider
   * version lacks ({@link skewFor}): none for the stacks' own pin.
   */
  readonly skew: readonly ProviderSkew[];
  /** Stacks verified at once. @default 2 */
  readonly concurrency?: number;
  /** Only stacks whose name matches. @default - all */
  readonly stackFilter?: RegExp;
  /** Progress lines (one per finished stack). @default - none */
  readonly onProgress?: (line: string) => void;
  /**
   * A check with a stack and a state bucket of its own, given the endpoint and Terraform
   * setup of the run (the apply-guard probe, {@link probeApplyGuard}); it runs beside the
   * second scenario's plans, and its result is part of the verdict.
   * @default - none
   */
  readonly probe?: (run: VerificationRun) => Promise<ProbeResult>;
}

/** What the probe gets: the run's endpoint, folders and Terraform. */
export interface VerificationRun {
  readonly endpoint: FakeAwsEndpoint;
  readonly workDir: string;
  readonly stateDir: string;
  readonly providerVersion: string;
  readonly terraform: { readonly bin: string; readonly env: NodeJS.ProcessEnv };
}

/** The verdict of a check that runs once per run (not per stack). */
export interface ProbeResult {
  readonly name: string;
  readonly ok: boolean;
  /** What it saw (ok) or what failed, one line each. */
  readonly lines: readonly string[];
  readonly seconds: number;
}

/** The result of a whole run. */
export interface TerraformVerification {
  readonly terraformVersion: string;
  readonly providerVersion: string;
  readonly stacks: readonly StackVerification[];
  readonly skew: readonly ProviderSkew[];
  /** Lookups the loopback endpoint answered (or not). */
  readonly lookups: readonly FakeAwsRequest[];
  /** Checks run once beside the second scenario (the apply-guard probe). */
  readonly probes: readonly ProbeResult[];
  /**
   * Wall times: the whole run, both synths, all inits (the first alone, then in
   * parallel), the first scenario (plans, which validate, from existing-but-empty remote
   * state) and the second (plans with the remote state objects missing, and the probe
   * beside them); `probes` is the probe's own time, within the second.
   */
  readonly seconds: {
    readonly total: number;
    readonly synth: number;
    readonly init: number;
    readonly emptyState: number;
    readonly missingState: number;
    readonly probes: number;
  };
  readonly ok: boolean;
}

/** A state object a stack reads through `terraform_remote_state` (S3 backend). */
export interface RemoteStateObject {
  readonly bucket: string;
  readonly key: string;
}

/** The S3 state objects a synthesized stack reads through remote state. */
export function remoteStateObjects(tf: { data?: Record<string, Record<string, unknown>> }): RemoteStateObject[] {
  const reads = Object.values((tf.data?.terraform_remote_state ?? {}) as Record<string, { backend?: string; config?: Record<string, unknown> }>);
  return reads
    .filter((r) => r.backend === 's3' && typeof r.config?.bucket === 'string' && typeof r.config?.key === 'string')
    .map((r) => ({ bucket: r.config?.bucket as string, key: r.config?.key as string }));
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
 * lookups and the state objects, synthesizes in verification mode and verifies each
 * stack in two scenarios of the state its remote-state reads find:
 * 1. existing but empty (a global stack applied before it had the outputs read): every
 *    stack is planned (which validates it first) and its change summary checked;
 * 2. missing (a new service's or environment's first pull request: the global stack
 *    was never applied, S3 answers NoSuchKey): every stack that reads remote state is
 *    planned again and must plan the same resources.
 */
export async function verifyTerraform(options: VerifyTerraformOptions): Promise<TerraformVerification> {
  const started = performance.now();
  const bin = options.terraformBin ?? 'terraform';
  const terraformVersion = checkTerraform(bin);
  const providerVersion = options.mirror ? findAwsProvider(options.mirror) : options.providerVersion;
  if (!providerVersion) throw new VerifyInputError('no provider mirror and no provider version: give one of them');
  const skew = skewFor(options.skew, providerVersion);
  const workDir = path.resolve(options.workDir);
  const stateDir = path.join(workDir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const cliConfigFile = writeCliConfig(workDir, options.mirror);
  // Scenario 1's state objects: a state with no outputs, so the reads' defaults apply.
  const emptyState = JSON.stringify({
    version: 4,
    terraform_version: terraformVersion,
    serial: 1,
    lineage: '00000000-0000-4000-8000-000000000000',
    outputs: {},
    resources: [],
  });

  const endpoint: FakeAwsEndpoint = await startFakeAwsEndpoint(options.fixtures);
  try {
    const synthStarted = performance.now();
    const outRoot = path.join(workDir, 'out');
    mkdirSync(outRoot, { recursive: true });
    const programs = await options.synth({ stateDir, endpoint: endpoint.url, providerVersion, skew, outRoot });
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
      // Terraform and every hashicorp/aws process it starts (seven per plan of a stack with
      // three aliased providers) are Go programs that read GOGC
      // (https://pkg.go.dev/runtime#hdr-Environment_Variables). At 400 instead of the
      // default 100 the garbage collector runs a quarter as often: one plan of
      // orders-prod-eu-west-1 took 24.0-24.6 s of CPU instead of 27.6-28.5 s, with a peak
      // of ~0.5 GB instead of ~0.33 GB per process (docs/benchmarks.md). A GOGC the caller set wins.
      GOGC: process.env.GOGC ?? '400',
    };
    const work = programs.flatMap((p) =>
      stacksOf(p.outdir)
        .filter((s) => !options.stackFilter || options.stackFilter.test(s.name))
        .map((s) => {
          const tf = JSON.parse(readFileSync(path.join(s.dir, 'cdk.tf.json'), 'utf8'));
          return { ...s, program: p.program, reads: remoteStateObjects(tf), declared: countDeclaredResources(tf).instances };
        }),
    );
    // Said once the programs are synthesized: from here on the run reads only its own
    // copies (cdktf.out), so .ci/run may rebuild the Lambda bundles while it plans.
    options.onProgress?.(`synthesized: ${work.length} stacks to verify (synth ${synthSeconds.toFixed(1)} s)`);
    const tf = { bin, env };
    const concurrency = options.concurrency ?? 2;
    // Terraform's plugin cache is not safe for concurrent writes: the first init fills
    // it alone, the others only link from it.
    const initStarted = performance.now();
    const inits: CommandResult[] = work.length ? [await initStack(work[0].dir, tf)] : [];
    inits.push(...(await mapLimit(work.slice(1), concurrency, (s) => initStack(s.dir, tf))));
    const initSeconds = (performance.now() - initStarted) / 1000;

    const emptyStarted = performance.now();
    for (const s of work) for (const o of s.reads) endpoint.s3.put(o.bucket, o.key, emptyState);
    const first = await mapLimit(work, concurrency, async (s) => {
      const result = await verifyStack(s.dir, s.name, s.program, tf, inits[work.indexOf(s)]);
      options.onProgress?.(
        `${result.ok ? 'ok  ' : 'FAIL'} ${s.name} (${[result.times.init, result.times.plan]
          .filter((t) => t !== undefined)
          .map((t) => (t as number).toFixed(1))
          .join(' + ')} s)`,
      );
      return result;
    });
    const emptySeconds = (performance.now() - emptyStarted) / 1000;

    const missingStarted = performance.now();
    endpoint.s3.clear();
    // The probe reads and writes only its own bucket, so it runs beside these plans: after
    // them, alone, its Terraform commands (one after the other) left a core idle for ~35 s.
    const probing = options.probe?.({ endpoint, workDir, stateDir, providerVersion, terraform: tf }).then((p) => {
      options.onProgress?.(`${p.ok ? 'ok  ' : 'FAIL'} ${p.name} (${p.seconds.toFixed(1)} s)`);
      return p;
    });
    // Handled here too, so a probe that throws while the plans run is not an unhandled
    // rejection; `await probing` below still throws it.
    probing?.catch(() => undefined);
    const readers = work.filter((s, i) => s.reads.length > 0 && inits[i].exitCode === 0);
    const second = await mapLimit(readers, concurrency, async (s) => {
      const result = await planFromEmptyState(s.dir, s.declared, tf);
      options.onProgress?.(`${result.ok ? 'ok  ' : 'FAIL'} ${s.name}, global state missing (${result.seconds.toFixed(1)} s)`);
      return result;
    });
    const probes = probing ? [await probing] : [];
    const missingSeconds = (performance.now() - missingStarted) / 1000;
    const stacks: StackVerification[] = first.map((result, i) => {
      const missingState = second[readers.indexOf(work[i])];
      return missingState ? { ...result, ok: result.ok && missingState.ok, missingState } : result;
    });

    return {
      terraformVersion,
      providerVersion,
      stacks,
      skew,
      lookups: [...endpoint.requests],
      probes,
      seconds: {
        total: (performance.now() - started) / 1000,
        synth: synthSeconds,
        init: initSeconds,
        emptyState: emptySeconds,
        missingState: missingSeconds,
        probes: probes.reduce((sum, p) => sum + p.seconds, 0),
      },
      ok: stacks.length > 0 && stacks.every((s) => s.ok) && probes.every((p) => p.ok),
    };
  } finally {
    await endpoint.stop();
  }
}
