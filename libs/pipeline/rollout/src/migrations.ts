// Schema migrations as a deploy-time step of the rollout: for every service of the
// environment whose Aurora layer is on and whose app has a `migrate` Nx target, the
// migration runs once, against the primary region's writer, after the global wave and
// before the first wave that deploys a regional stack of that service. A failed
// migration stops the rollout before that wave applies anything.
//
// The decision (which service, before which wave, against which writer) is pure and
// tested with fakes; running it is behind `Migrator` (the pipeline: `NxMigrator`).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { GLOBAL_OUTPUTS, type Platform, databasePort, serviceContract } from '@platform/config';
import type { RolloutPlan, Wave } from './plan';

/** The Nx target a service's app declares to migrate its schema. */
export const MIGRATE_TARGET = 'migrate';

/** One service's migration in one environment. */
export interface MigrationStep {
  readonly service: string;
  readonly environment: string;
  /** The Nx project whose `migrate` target runs. */
  readonly app: string;
  /** The name of the first wave that deploys a regional stack of the service: the migration runs just before it. */
  readonly beforeWave: string;
  /** The primary region: its writer is migrated. */
  readonly region: string;
  /**
   * Where the writer's address comes from: an output of the service's global stack
   * (`GLOBAL_OUTPUTS.auroraWriterEndpoint`, the global writer endpoint), the same output
   * the regional stacks read. Never a hand-built host name.
   */
  readonly writer: { readonly stack: string; readonly output: string };
  readonly database: string;
  readonly port: number;
  /** The database user (IAM authentication), the one the Lambda connects as. */
  readonly user: string;
}

/** What happened to one migration (kept in the rollout's result and printed). */
export interface MigrationOutcome {
  readonly service: string;
  readonly environment: string;
  readonly beforeWave: string;
  readonly ok: boolean;
  /** The migrator's output (last lines) or why it failed. */
  readonly detail: string;
}

/** Runs one migration; resolves with its output, rejects with why it failed. */
export interface Migrator {
  migrate(step: MigrationStep): Promise<string>;
}

/** Thrown by {@link MigrationHook.beforeWave}: the rollout stops before the wave deploys. */
export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';
}

/** Whether `app` declares a `migrate` target (its `apps/<app>/project.json`). */
export function appHasMigrateTarget(workspaceRoot: string, app: string): boolean {
  const file = path.join(workspaceRoot, 'apps', app, 'project.json');
  if (!existsSync(file)) return false;
  const project = JSON.parse(readFileSync(file, 'utf8')) as { targets?: Record<string, unknown> };
  return Boolean(project.targets?.[MIGRATE_TARGET]);
}

/**
 * The migrations of `plan`: one per service with Aurora on in the environment, an app
 * with a `migrate` target, and a regional stack in some wave; placed before the first
 * such wave (after the global wave, which creates or changes the database). A service
 * whose regional stacks are not in the rollout has no code to deploy and is not migrated.
 */
export function planMigrations(platform: Platform, plan: RolloutPlan, hasMigrateTarget: (app: string) => boolean): MigrationStep[] {
  const steps: MigrationStep[] = [];
  const environment = plan.environment;
  for (const [service, svc] of Object.entries(platform.config.services)) {
    if (!svc.aurora) continue;
    if (!platform.stacks.some((s) => s.service === service && s.environment === environment)) continue;
    const contract = serviceContract(platform.config, service, environment);
    if (!hasMigrateTarget(contract.app)) continue;
    const regionalStacks = new Set(contract.regions.map((r) => contract.regionalStack(r)));
    const first = plan.waves.find((w) => w.kind !== 'global' && w.stacks.some((s) => regionalStacks.has(s)));
    if (!first) continue;
    steps.push({
      service,
      environment,
      app: contract.app,
      beforeWave: first.name,
      region: contract.primaryRegion,
      writer: { stack: contract.globalStack, output: GLOBAL_OUTPUTS.auroraWriterEndpoint },
      database: svc.aurora.databaseName,
      port: databasePort(svc.aurora.engine),
      user: contract.names.databaseUser,
    });
  }
  return steps;
}

/** The migrations a plan runs, as `--plan` prints them. */
export function formatMigrations(steps: readonly MigrationStep[]): string[] {
  return steps.map(
    (s) => `migrate ${s.service} (nx run ${s.app}:${MIGRATE_TARGET}) against the writer in ${s.region} (${s.writer.stack} output ${s.writer.output}), before wave "${s.beforeWave}"`,
  );
}

/** The executor's hook: runs the migrations due before a wave, once each, and keeps their outcomes. */
export class MigrationHook {
  readonly outcomes: MigrationOutcome[] = [];
  private readonly done = new Set<string>();

  constructor(
    private readonly steps: readonly MigrationStep[],
    private readonly migrator: Migrator,
  ) {}

  /** Runs the migrations due before `wave`; throws {@link MigrationFailedError} (one line) at the first that fails. */
  async beforeWave(wave: Wave, log: (line: string) => void): Promise<void> {
    for (const step of this.steps.filter((s) => s.beforeWave === wave.name && !this.done.has(s.service))) {
      this.done.add(step.service);
      log(`migrations of ${step.service} in ${step.environment}: running against the writer in ${step.region}`);
      let output: string;
      try {
        output = await this.migrator.migrate(step);
      } catch (err) {
        const why = oneLine((err as Error)?.message ?? String(err));
        this.outcomes.push({ service: step.service, environment: step.environment, beforeWave: wave.name, ok: false, detail: why });
        throw new MigrationFailedError(
          `migration of ${step.service} in ${step.environment} failed (${step.app}:${MIGRATE_TARGET} against the writer in ${step.region}): ${why}; no regional stack of ${step.service} deployed`,
        );
      }
      const detail = oneLine(output.split('\n').slice(-3).join(' | ')) || 'no output';
      this.outcomes.push({ service: step.service, environment: step.environment, beforeWave: wave.name, ok: true, detail });
      log(`migrations of ${step.service} in ${step.environment}: done (${detail})`);
    }
  }
}

/** What {@link migrateBeforeWave} did: every outcome, and the one-line error when one failed. */
export interface WaveMigrations {
  readonly outcomes: readonly MigrationOutcome[];
  readonly error?: string;
}

/**
 * Runs the migrations due before `wave` on their own (a sharded rollout runs them in one
 * job before the wave's shards, `npm run rollout:shard -- migrate`). Never throws for a
 * failed migration: the result says what failed.
 */
export async function migrateBeforeWave(steps: readonly MigrationStep[], wave: Wave, migrator: Migrator, log: (line: string) => void = () => undefined): Promise<WaveMigrations> {
  const hook = new MigrationHook(steps, migrator);
  try {
    await hook.beforeWave(wave, log);
    return { outcomes: hook.outcomes };
  } catch (err) {
    if (!(err instanceof MigrationFailedError)) throw err;
    return { outcomes: hook.outcomes, error: err.message };
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' | ').trim();
}

/** Runs a command; its exit status and output. */
export type CapturingRunner = (command: string, args: readonly string[], cwd: string) => { status: number; stdout: string; stderr: string };

const capture: CapturingRunner = (command, args, cwd) => {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
};

/**
 * The pipeline's migrator: reads the writer endpoint from the global stack's state
 * (`terraform output`, in the stack's synthesized folder, initialised by the runner
 * like any deploy), then runs `npx nx run <app>:migrate -- --host <writer> --iam
 * --region <primary>` with the deploy role's credentials. The runner must reach the
 * writer (see docs/orders.md, "Migrations").
 */
export class NxMigrator implements Migrator {
  constructor(
    private readonly workspaceRoot: string,
    private readonly run: CapturingRunner = capture,
    /** The synthesized stacks' folder. @default cdktf.out/stacks */
    private readonly stacksDir = path.join('cdktf.out', 'stacks'),
  ) {}

  async migrate(step: MigrationStep): Promise<string> {
    const dir = path.join(this.stacksDir, step.writer.stack);
    // A job that deployed nothing yet (a sharded rollout's migrate job) synthesizes first.
    if (!existsSync(path.join(this.workspaceRoot, dir))) {
      const synth = this.run('npx', ['nx', 'run', `${step.writer.stack}:synth`], this.workspaceRoot);
      if (synth.status !== 0) throw new Error(`synth of ${step.writer.stack} failed: ${lastLine(synth.stderr || synth.stdout)}`);
    }
    const init = this.run('terraform', [`-chdir=${dir}`, 'init', '-input=false', '-no-color'], this.workspaceRoot);
    if (init.status !== 0) throw new Error(`terraform init of ${step.writer.stack} failed: ${lastLine(init.stderr || init.stdout)}`);
    const out = this.run('terraform', [`-chdir=${dir}`, 'output', '-raw', '-no-color', step.writer.output], this.workspaceRoot);
    const host = out.stdout.trim();
    if (out.status !== 0 || !host) throw new Error(`no output ${step.writer.output} in the state of ${step.writer.stack}: ${lastLine(out.stderr) || 'empty'}`);
    const args = ['nx', 'run', `${step.app}:${MIGRATE_TARGET}`, '--', '--host', host, '--port', String(step.port), '--database', step.database, '--user', step.user, '--iam', '--region', step.region];
    const r = this.run('npx', args, this.workspaceRoot);
    if (r.status !== 0) throw new Error(`exit ${r.status}: ${lastLine(r.stderr || r.stdout)}`);
    return r.stdout;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-2).join(' | ');
}
