import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type PlatformConfigInput, parsePlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { MemoryDeploymentRecord } from './deployment-record';
import { executeRollout, formatResult } from './execute';
import { type MigrationStep, MigrationHook, type Migrator, NxMigrator, appHasMigrateTarget, formatMigrations, migrateBeforeWave, planMigrations } from './migrations';
import { planRollout } from './plan';
import { FakeAlarms, FakeClock, FakeDeployer, FakeHealthChecks, FakePager } from './testing/fakes';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];

/** items without Aurora everywhere; orders with Aurora in dev and prod. */
function config(): PlatformConfigInput {
  const c = platformFixture();
  for (const env of ['dev', 'prod'] as const) {
    c.environments[env].network = Object.fromEntries(
      c.environments[env].regions.map((r) => [r, { vpc: { tags: { Name: 'shared' } }, privateSubnets: { tags: { tier: 'private' } } }]),
    );
  }
  c.services.orders.aurora = { engine: 'aurora-postgresql', engineVersion: '16.4', databaseName: 'shop' };
  return c;
}

const everyApp = () => true;

class FakeMigrator implements Migrator {
  readonly calls: MigrationStep[] = [];
  failWith: string | undefined;
  async migrate(step: MigrationStep): Promise<string> {
    this.calls.push(step);
    if (this.failWith) throw new Error(this.failWith);
    return '> Migrating files:\n> - 1764230400000_orders\n### MIGRATION 1764230400000_orders (UP) ###';
  }
}

function rollout(stacks?: string[]) {
  const platform = parsePlatform(config());
  const plan = planRollout(platform, 'prod', stacks);
  const migrator = new FakeMigrator();
  const deployer = new FakeDeployer();
  const hook = new MigrationHook(planMigrations(platform, plan, everyApp), migrator);
  const run = () =>
    executeRollout({
      plan,
      commit: 'bbbbbbb',
      deployer,
      alarms: new FakeAlarms(),
      healthChecks: new FakeHealthChecks(),
      record: new MemoryDeploymentRecord({}),
      pager: new FakePager(),
      clock: new FakeClock(),
      migrations: hook,
    });
  return { plan, migrator, deployer, run };
}

describe('planning the migrations of a rollout', () => {
  it('migrates a service with Aurora once, against the primary writer from its global stack output, before its first regional wave', () => {
    const platform = parsePlatform(config());
    const plan = planRollout(platform, 'prod');
    expect(planMigrations(platform, plan, everyApp)).toEqual([
      {
        service: 'orders',
        environment: 'prod',
        app: 'orders-api',
        beforeWave: 'canary ap-southeast-1',
        region: 'eu-west-1',
        writer: { stack: 'orders-prod-global', output: 'aurora_writer_endpoint' },
        database: 'shop',
        port: 5432,
        user: 'orders',
      },
    ]);
  });

  it('is listed by --plan under the waves', () => {
    const platform = parsePlatform(config());
    expect(formatMigrations(planMigrations(platform, planRollout(platform, 'prod'), everyApp))).toEqual([
      'migrate orders (nx run orders-api:migrate) against the writer in eu-west-1 (orders-prod-global output aurora_writer_endpoint), before wave "canary ap-southeast-1"',
    ]);
  });

  it('places the migration before the first wave that deploys the service, not the first regional wave', () => {
    const platform = parsePlatform(config());
    const plan = planRollout(platform, 'prod', ['items-prod-ap-southeast-1', 'orders-prod-us-east-1', 'orders-prod-eu-west-1']);
    expect(planMigrations(platform, plan, everyApp).map((s) => s.beforeWave)).toEqual(['regions eu-west-1']);
  });

  it('skips a service whose regional stacks are not in the rollout', () => {
    const platform = parsePlatform(config());
    const plan = planRollout(platform, 'prod', ['orders-prod-global', 'items-prod-eu-west-1']);
    expect(planMigrations(platform, plan, everyApp)).toEqual([]);
  });

  it('skips a service whose app has no migrate target', () => {
    const platform = parsePlatform(config());
    const plan = planRollout(platform, 'prod');
    expect(planMigrations(platform, plan, (app) => app !== 'orders-api')).toEqual([]);
  });

  it('skips services without Aurora and environments the service is not in', () => {
    const platform = parsePlatform(config());
    expect(planMigrations(platform, planRollout(platform, 'staging'), everyApp)).toEqual([]);
  });

  it('finds the migrate target in the app project of this workspace, and none where there is none', () => {
    const root = path.join(__dirname, '..', '..', '..', '..');
    expect(appHasMigrateTarget(root, 'orders-api')).toBe(true);
    expect(appHasMigrateTarget(root, 'items-api')).toBe(false);
  });
});

describe('running the migrations in a rollout', () => {
  it('migrates after the global wave and before the wave that deploys the service, once', async () => {
    const t = rollout();
    const order: string[] = [];
    t.deployer.onDeploy = (stacks) => order.push(`deploy ${stacks.join(',')}`);
    const migrate = t.migrator.migrate.bind(t.migrator);
    t.migrator.migrate = async (step) => (order.push(`migrate ${step.service}`), migrate(step));
    const result = await t.run();
    expect(result.outcome).toBe('deployed');
    expect(order.slice(0, 3)).toEqual(['deploy items-prod-global,orders-prod-global', 'migrate orders', 'deploy items-prod-ap-southeast-1,orders-prod-ap-southeast-1']);
    expect(t.migrator.calls).toHaveLength(1);
    expect(result.migrations).toEqual([{ service: 'orders', environment: 'prod', beforeWave: 'canary ap-southeast-1', ok: true, detail: expect.stringContaining('MIGRATION 1764230400000_orders') }]);
  });

  it('stops before the wave when the migration fails: no regional stack deploys, and the output says which service, environment and why', async () => {
    const t = rollout();
    t.migrator.failWith = 'exit 1: error: relation "orders" already exists';
    const result = await t.run();
    expect(result).toMatchObject({ outcome: 'migration-failed', completed: ['global'], failedWave: 'canary ap-southeast-1', rolledBack: [], untouched: REGIONS.filter((r) => r !== 'ap-southeast-1').map((r) => `regions ${r}`) });
    expect(t.deployer.calls).toEqual([{ stacks: ['items-prod-global', 'orders-prod-global'] }]);
    expect(result.reasons).toEqual([
      'migration of orders in prod failed (orders-api:migrate against the writer in eu-west-1): exit 1: error: relation "orders" already exists; no regional stack of orders deployed',
    ]);
    expect(formatResult(t.plan, result).split('\n').slice(0, 2)).toEqual([
      'migration of orders in prod before "canary ap-southeast-1": FAILED (exit 1: error: relation "orders" already exists)',
      `rollout of prod STOPPED before wave "canary ap-southeast-1" applied anything: ${result.reasons[0]}`,
    ]);
  });
});

describe('the migrations of one wave of a sharded rollout', () => {
  const platform = parsePlatform(config());
  const plan = planRollout(platform, 'prod');
  const steps = planMigrations(platform, plan, everyApp);

  it('runs nothing before a wave that has none due', async () => {
    const migrator = new FakeMigrator();
    expect(await migrateBeforeWave(steps, plan.waves[0], migrator)).toEqual({ outcomes: [] });
    expect(migrator.calls).toEqual([]);
  });

  it('reports a failed migration as one line, without throwing', async () => {
    const migrator = new FakeMigrator();
    migrator.failWith = 'connect ETIMEDOUT 10.0.1.5:5432';
    const done = await migrateBeforeWave(steps, plan.waves[1], migrator);
    expect(done.error).toBe('migration of orders in prod failed (orders-api:migrate against the writer in eu-west-1): connect ETIMEDOUT 10.0.1.5:5432; no regional stack of orders deployed');
    expect(done.outcomes).toEqual([{ service: 'orders', environment: 'prod', beforeWave: 'canary ap-southeast-1', ok: false, detail: 'connect ETIMEDOUT 10.0.1.5:5432' }]);
  });
});

describe('the pipeline migrator', () => {
  function workspace(synthesized = true) {
    const root = mkdtempSync(path.join(tmpdir(), 'migrator-'));
    mkdirSync(path.join(root, 'apps', 'orders-api'), { recursive: true });
    writeFileSync(path.join(root, 'apps', 'orders-api', 'project.json'), JSON.stringify({ targets: { migrate: { command: 'x' } } }));
    if (synthesized) mkdirSync(path.join(root, 'cdktf.out', 'stacks', 'orders-prod-global'), { recursive: true });
    return root;
  }
  const step = planMigrations(parsePlatform(config()), planRollout(parsePlatform(config()), 'prod'), everyApp)[0];

  it('reads the writer from the global stack output and runs the Nx target with IAM against the primary region', async () => {
    const calls: string[][] = [];
    const migrator = new NxMigrator(workspace(), (command, args) => {
      calls.push([command, ...args]);
      return { status: 0, stdout: args.includes('output') ? 'orders-prod.global-abc.global.rds.amazonaws.com\n' : 'migrated', stderr: '' };
    });
    await expect(migrator.migrate(step)).resolves.toBe('migrated');
    expect(calls[1]).toEqual(['terraform', `-chdir=${path.join('cdktf.out', 'stacks', 'orders-prod-global')}`, 'output', '-raw', '-no-color', 'aurora_writer_endpoint']);
    expect(calls[2]).toEqual(['npx', 'nx', 'run', 'orders-api:migrate', '--', '--host', 'orders-prod.global-abc.global.rds.amazonaws.com', '--port', '5432', '--database', 'shop', '--user', 'orders', '--iam', '--region', 'eu-west-1']);
  });

  it('synthesizes the global stack first when this job has not', async () => {
    const calls: string[][] = [];
    const migrator = new NxMigrator(workspace(false), (command, args) => {
      calls.push([command, ...args]);
      return { status: 0, stdout: args.includes('output') ? 'writer.example\n' : '', stderr: '' };
    });
    await migrator.migrate(step);
    expect(calls[0]).toEqual(['npx', 'nx', 'run', 'orders-prod-global:synth']);
  });

  it('fails without running the migration when the global stack has no writer output', async () => {
    const calls: string[] = [];
    const migrator = new NxMigrator(workspace(), (command, args) => {
      calls.push(command);
      return args.includes('output') ? { status: 1, stdout: '', stderr: 'Warning: No outputs found' } : { status: 0, stdout: '', stderr: '' };
    });
    await expect(migrator.migrate(step)).rejects.toThrow('no output aurora_writer_endpoint in the state of orders-prod-global: Warning: No outputs found');
    expect(calls).not.toContain('npx');
  });
});
