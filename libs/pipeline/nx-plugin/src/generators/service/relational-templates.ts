// The files of a service on Aurora PostgreSQL (`--data=aurora`, optionally `--cache`),
// shaped like orders: the app (handler, migrate target, tests on PostgreSQL) and its
// data-access library (record fields, repository, migrations). What they write is code
// on @platform/service-runtime and its `relational` and `cache` entry points.
import { MIGRATE_TARGET } from '@platform/config';
import { recordsTableMigration } from '@platform/service-runtime/relational';
import { CALL_HELPER, HANDLER_ENTRY, appProjectJson, crudTestCases, fieldsTs, jsonFile, projectTsconfig, type ServiceNames } from './templates';

/** Options of the relational templates. */
export interface RelationalOptions {
  /** The cache layer (cache-aside reads by id on Redis / ElastiCache). */
  readonly cache: boolean;
  /** Names the first migration file (`<ms>_<service>.sql`, node-pg-migrate's order). */
  readonly migrationTimestamp: number;
}

/** The records table of the service. */
export const recordsTable = (n: ServiceNames): string => `${n.snake}_records`;

/** Relative path (from the workspace root) -> content of every file of the app and its library. */
export function relationalFiles(n: ServiceNames, options: RelationalOptions): Record<string, string> {
  const app = `apps/${n.app}`;
  const migrate = { command: `node tools/run-ts.mjs apps/${n.app}/migrate/migrate.ts`, cache: false };
  return {
    [`${app}/project.json`]: jsonFile(appProjectJson(n, { [MIGRATE_TARGET]: migrate })),
    [`${app}/tsconfig.json`]: projectTsconfig(2),
    [`${app}/src/main.ts`]: mainTs(n, options),
    [`${app}/src/${n.name}-api.ts`]: apiTs(n),
    [`${app}/src/${n.name}-api.test.ts`]: apiTestTs(n, options),
    [`${app}/migrate/migrate.ts`]: migrateTs(n),
    [`${n.libDir}/project.json`]: jsonFile(libProjectJson(n)),
    [`${n.libDir}/tsconfig.json`]: projectTsconfig(3),
    [`${n.libDir}/migrations/${options.migrationTimestamp}_${n.name}.sql`]: recordsTableMigration(recordsTable(n)),
    [`${n.libDir}/src/index.ts`]: `export * from './${n.name}-fields';\nexport * from './${n.name}-repository';\nexport * from './migrations';\n`,
    [`${n.libDir}/src/${n.name}-fields.ts`]: fieldsTs(n),
    [`${n.libDir}/src/${n.name}-repository.ts`]: repositoryTs(n),
    [`${n.libDir}/src/migrations.ts`]: migrationsTs(n),
    [`${n.libDir}/src/${n.name}-repository.test.ts`]: repositoryTestTs(n),
  };
}

function libProjectJson(n: ServiceNames) {
  return {
    name: n.libProject,
    $schema: '../../../node_modules/nx/schemas/project-schema.json',
    sourceRoot: `${n.libDir}/src`,
    projectType: 'library',
    tags: ['type:lib', `scope:${n.name}`, 'lifecycle:runtime'],
    targets: {
      test: { command: `npx jest ${n.libDir}` },
      lint: { command: `eslint ${n.libDir}` },
      typecheck: { command: `tsc -p ${n.libDir}/tsconfig.json` },
    },
  };
}

function mainTs(n: ServiceNames, options: RelationalOptions): string {
  const cacheImport = options.cache ? `import { ResourceCache, elastiCacheCredentials } from '@platform/service-runtime/cache';\n` : '';
  const cache = options.cache
    ? `
// In AWS the cache takes IAM tokens over TLS; locally no auth. Only the primary region's
// cluster of a global datastore takes writes, so the other regions only read it.
const c = env.cache;
const cache =
  c &&
  new ResourceCache({
    prefix: '${n.name}',
    readerUrl: c.readerUrl,
    writerUrl: c.writerUrl,
    ttlSeconds: c.ttlSeconds,
    writes: c.writes,
    ...(c.iam ? { credentials: elastiCacheCredentials({ ...c.iam, region: env.region, writerRegion: c.writerRegion ?? env.region }) } : {}),
  });
`
    : '';
  return `import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { OriginGuard, RequestLogSampler } from '@platform/service-runtime';
${cacheImport}import { RelationalDatabase, rdsAuthToken, readRelationalEnvironment } from '@platform/service-runtime/relational';
import { create${n.pascal}Repository } from '${n.libAlias}';
import { create${n.pascal}Api } from './${n.name}-api';

// Runs once per cold start; nothing connects until the first request, and no migration
// runs here (that is the deploy-time \`${n.app}:${MIGRATE_TARGET}\`).
const env = readRelationalEnvironment(process.env, '${n.name}');
const db = env.database;

const database = new RelationalDatabase({
  writer: db.writer,
  reader: db.reader,
  database: db.name,
  user: db.user,
  writeRouting: db.writeRouting,
  // Locally a password; in AWS an IAM token per new connection, over TLS.
  password: db.password ?? rdsAuthToken({ user: db.user, region: env.region }),
  ssl: db.password === undefined,
  applicationName: '${n.app}',
});
${cache}
const api = create${n.pascal}Api({
  repository: create${n.pascal}Repository({ database, region: env.region, ${options.cache ? 'cache, ' : ''}idempotencyTtlSeconds: db.idempotencyTtlSeconds }),
  region: env.region,
  logger: new Logger({ serviceName: env.serviceName }),
  healthTimeoutMs: env.healthTimeoutMs,
  requestLog: new RequestLogSampler(env.requestLog),
});

${HANDLER_ENTRY}`;
}

function apiTs(n: ServiceNames): string {
  return `import { crudApi, type CrudRoute, type RequestLogSampler, type ResourceStore, type ServiceHandler, type StructuredLogger } from '@platform/service-runtime';
import { parse${n.pascal}Fields, type ${n.pascal}Fields } from '${n.libAlias}';

/** Props of {@link create${n.pascal}Api}. */
export interface ${n.pascal}ApiProps {
  readonly repository: ResourceStore<${n.pascal}Fields>;
  readonly region: string;
  readonly logger: StructuredLogger;
  /** @default 1000 */
  readonly healthTimeoutMs?: number;
  /** Which requests get an info line. @default - every request */
  readonly requestLog?: RequestLogSampler;
}

/** The ${n.name} service: CRUD of ${n.name} records at /${n.name} and /${n.name}/{id}, and /health (this region's database). */
export function create${n.pascal}Api(props: ${n.pascal}ApiProps): ServiceHandler<CrudRoute> {
  return crudApi<${n.pascal}Fields>({ resource: '${n.name}', parse: parse${n.pascal}Fields, healthDependency: "this region's database", ...props });
}
`;
}

function repositoryTs(n: ServiceNames): string {
  return `import { PostgresResourceRepository, type RelationalDatabase, type ResourceCacheClient } from '@platform/service-runtime/relational';
import type { ${n.pascal}Fields } from './${n.name}-fields';

/** The table of ${n.name} records (created by the first migration in ../migrations). */
export const ${n.kind}_TABLE = '${n.snake}_records';

/** Props of {@link create${n.pascal}Repository}. */
export interface ${n.pascal}RepositoryProps {
  readonly database: RelationalDatabase;
  /** The region this code runs in. */
  readonly region: string;
  /** Cache-aside for reads by id. @default - none */
  readonly cache?: ResourceCacheClient;
  /** @default 86400 */
  readonly idempotencyTtlSeconds?: number;
}

/** ${n.pascal} records in PostgreSQL (Aurora in AWS): writes on the writer, reads from this region's reader. */
export function create${n.pascal}Repository(props: ${n.pascal}RepositoryProps): PostgresResourceRepository<${n.pascal}Fields> {
  return new PostgresResourceRepository<${n.pascal}Fields>({ ...props, table: ${n.kind}_TABLE });
}
`;
}

function migrationsTs(n: ServiceNames): string {
  return `import { join } from 'node:path';
import { runSqlMigrations, type SqlMigrationsOptions } from '@platform/service-runtime/relational';

/** The ${n.name} schema's migrations (node-pg-migrate SQL files, applied in name order; add a file to change the schema). */
export const ${n.kind}_MIGRATIONS_DIR = join(__dirname, '..', 'migrations');

/** Applies the ${n.name} migrations: what \`${n.app}:${MIGRATE_TARGET}\` runs at deploy time (never the Lambda). */
export function runMigrations(options: Omit<SqlMigrationsOptions, 'migrationsDir'>): Promise<string> {
  return runSqlMigrations({ workspaceRoot: join(__dirname, '..', '..', '..', '..'), ...options, migrationsDir: ${n.kind}_MIGRATIONS_DIR });
}
`;
}

function migrateTs(n: ServiceNames): string {
  return `// npx nx run ${n.app}:${MIGRATE_TARGET} -- --host <writer> [--port 5432] [--database app] [--user ${n.snake}] [--iam --region <r>]
// The deploy-time step that applies the ${n.name} schema's migrations to the writer, before
// the regional stacks deploy the code that needs them (the rollout runs it). The password
// comes from PGPASSWORD, or with --iam an RDS IAM authentication token is made for the user.
import { Signer } from '@aws-sdk/rds-signer';
import { UsageError, integerOption, runCli } from '@platform/cli';
import { runMigrations } from '${n.libAlias}';

void runCli(
  {
    name: '${n.name}-migrate',
    command: 'npx nx run ${n.app}:${MIGRATE_TARGET} --',
    summary: "Applies the ${n.name} schema's migrations to the primary region's writer (deploy time, before the regional deploy).",
    options: {
      host: { type: 'string', valueName: '<host>', description: 'the writer endpoint (the global stack output aurora_writer_endpoint)' },
      port: { type: 'string', valueName: '<port>', description: 'default: 5432' },
      database: { type: 'string', valueName: '<name>', description: 'default: app (services.${n.name}.aurora.databaseName)' },
      user: { type: 'string', valueName: '<user>', description: 'default: ${n.snake}' },
      iam: { type: 'boolean', description: 'authenticate with an RDS IAM token instead of PGPASSWORD' },
      region: { type: 'string', valueName: '<region>', description: "with --iam: the writer's region" },
      down: { type: 'boolean', description: 'undo the last migration instead' },
    },
  },
  async ({ values }) => {
    if (!values.host) throw new UsageError('--host is required: the writer endpoint of the environment (the global stack output aurora_writer_endpoint)');
    const port = integerOption('port', values.port, { min: 1, max: 65535 }) ?? 5432;
    const user = values.user ?? '${n.snake}';
    let password = process.env.PGPASSWORD;
    if (values.iam) {
      if (!values.region) throw new UsageError("--iam needs --region (the writer's region)");
      password = await new Signer({ hostname: values.host, port, username: user, region: values.region }).getAuthToken();
    }
    if (!password) throw new UsageError('no password: set PGPASSWORD, or pass --iam --region <region>');
    console.log(await runMigrations({ host: values.host, port, database: values.database ?? 'app', user, password, ssl: Boolean(values.iam), direction: values.down ? 'down' : 'up' }));
  },
);
`;
}

/** The start of a test on a local PostgreSQL (and Redis) with the service's migrations applied. */
function dataLayerSetup(n: ServiceNames, cache: boolean, imports: string): string {
  return `import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelationalDataLayer } from '@platform/local-data-layer';
${imports}
jest.setTimeout(120_000);

const REGION = 'eu-west-1';
let dir: string;
let layer: RelationalDataLayer;
let database: RelationalDatabase;
${cache ? 'let cache: ResourceCache;\n' : ''}
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), '${n.name}-'));
  layer = await RelationalDataLayer.start({ regions: [REGION], dataDir: dir, database: 'app', user: '${n.snake}', cache: ${cache}, migrate: (db) => runMigrations(db) });
  const endpoint = { host: '127.0.0.1', port: layer.dbWriter.port };
  database = new RelationalDatabase({ writer: endpoint, reader: endpoint, database: 'app', user: '${n.snake}', password: layer.password, writeRouting: 'writer-endpoint' });
${cache ? `  const url = layer.region(REGION).redis!.url;\n  cache = new ResourceCache({ prefix: '${n.name}', readerUrl: url, writerUrl: url, ttlSeconds: 60 });\n` : ''}}, 120_000);

afterAll(async () => {
  await database?.close();
${cache ? '  await cache?.close();\n' : ''}  await layer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every test starts from empty tables. */
async function emptyTable(): Promise<void> {
  await database.write((c) => c.query(\`DELETE FROM \${${n.kind}_TABLE}_idempotency; DELETE FROM \${${n.kind}_TABLE}\`));
}
`;
}

function apiTestTs(n: ServiceNames, options: RelationalOptions): string {
  const imports =
    `import { localLambdaContext, toApiGatewayEvent } from '@platform/lambda-http-adapter';\n` +
    (options.cache ? `import { ResourceCache } from '@platform/service-runtime/cache';\n` : '') +
    `import { RelationalDatabase } from '@platform/service-runtime/relational';\n` +
    `import { ${n.kind}_TABLE, create${n.pascal}Repository, runMigrations } from '${n.libAlias}';\n` +
    `import { create${n.pascal}Api } from './${n.name}-api';\n`;
  return `// The handler against a real PostgreSQL${options.cache ? ' and Redis' : ''} (one region), with the service's migrations.
${dataLayerSetup(n, options.cache, imports)}
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function freshApi() {
  await emptyTable();
  return create${n.pascal}Api({ repository: create${n.pascal}Repository({ database, region: REGION${options.cache ? ', cache' : ''} }), region: REGION, logger: silent });
}

${CALL_HELPER}
describe('${n.app} over PostgreSQL${options.cache ? ' and Redis' : ''}', () => {
${crudTestCases(n, 'database')}});
`;
}

function repositoryTestTs(n: ServiceNames): string {
  const imports =
    `import { RelationalDatabase } from '@platform/service-runtime/relational';\n` +
    `import { ${n.kind}_TABLE, create${n.pascal}Repository } from './${n.name}-repository';\n` +
    `import { runMigrations } from './migrations';\n`;
  return `// The repository against a real PostgreSQL, with the schema the migrations make.
${dataLayerSetup(n, false, imports)}
describe('${n.name} repository', () => {
  it('stores a record with its fields and reads it back after a replace', async () => {
    await emptyTable();
    const repository = create${n.pascal}Repository({ database, region: REGION });
    const { resource } = await repository.create({ name: 'first', tags: ['a'] });
    await repository.replace(resource.id, { name: 'second' }, { ifMatch: [1] });
    expect(await repository.get(resource.id)).toMatchObject({ name: 'second', version: 2, updatedRegion: REGION });
  });
});
`;
}
