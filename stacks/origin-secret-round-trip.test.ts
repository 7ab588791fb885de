// Check 5 of issue 22, the origin-secret round trip: the value CloudFront is configured
// to send is accepted by every regional function of every service with an edge (items,
// catalog, orders), all from the synthesized Terraform of the example platform, evaluated
// by real Terraform, and checked by each app's real handler.
//
// Per service (environment dev): the global stack's expressions that make the secret
// (its terraform_data, the secret version's secret_string, the data source reading the
// current version, the distribution's custom header, the origin_secret_accepted output)
// are applied by Terraform with only its built-in provider: AWS resources become
// terraform_data holding what AWS would hold (Secrets Manager answers the data source
// with the version the resource wrote: the version takes the AWSCURRENT label,
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/secretsmanager_secret_version#version_stages).
// Each regional stack's Lambda environment is then evaluated by Terraform with its
// terraform_remote_state pointed at that global state (local backend, same defaults).
// Finally each region's real handler (apps/<app>/src/main.ts behind the local HTTP
// adapter, with local DynamoDB / PostgreSQL and Redis as its data stores) is asked with
// and without the header CloudFront sends: 200 and 403.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LAMBDA_ENVIRONMENT as E, GLOBAL_OUTPUTS, ORIGIN_SECRET_HEADER, appEntryPath, loadPlatform, serviceContract, type PlatformConfig } from '@platform/config';
import { createServiceTable, DynamoDbLocal, localClientConfig } from '@platform/dynamodb-local';
import { RelationalDataLayer } from '@platform/local-data-layer';
import { RegionApi, appMigrations } from '@platform/local-topology';
import { synthPlatform } from './main';
import { fakeWorkspace } from './test-workspace';

jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'config', 'platform.json');
const ENVIRONMENT = 'dev';
const TERRAFORM = process.env.TERRAFORM_BIN ?? 'terraform';
const terraformRuns = spawnSync(TERRAFORM, ['version'], { stdio: 'ignore' }).status === 0;
if (!terraformRuns) console.warn(`origin-secret round trip skipped: no terraform binary (${TERRAFORM}); install Terraform >= 1.11 or set TERRAFORM_BIN`);
const describeWithTerraform = terraformRuns ? describe : describe.skip;

/** Where a service's API answers a list with 200 when its data stores are empty. */
const LIST_PATH: Readonly<Record<string, string>> = { 'items-api': '/items', 'catalog-api': '/catalog', 'orders-api': '/customers/round-trip/orders' };

type Json = Record<string, any>;
const run = promisify(execFile);
let workDir: string;

/** Runs terraform in `dir` with no CLI configuration of this machine and no network check. */
async function terraform(dir: string, args: string[]): Promise<string> {
  const cliConfig = path.join(workDir, 'empty.tfrc');
  const { stdout } = await run(TERRAFORM, args, {
    cwd: dir,
    env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: cliConfig, TF_INPUT: '0' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Applies a configuration of built-in resources only and returns its outputs. */
async function applyAndReadOutputs(dir: string, config: Json): Promise<Record<string, unknown>> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config, null, 2));
  await terraform(dir, ['init', '-no-color', '-input=false']);
  await terraform(dir, ['apply', '-no-color', '-input=false', '-auto-approve']);
  const outputs = JSON.parse(await terraform(dir, ['output', '-no-color', '-json'])) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/** Fails with what cannot be evaluated when an expression still names an AWS resource or data source. */
function onlyBuiltIns(where: string, value: unknown, allowed: RegExp): void {
  const refs = [...JSON.stringify(value).matchAll(/\b((?:data\.)?aws_[\w]+\.[\w-]+)/g)].map((m) => m[1]).filter((r) => !allowed.test(r));
  if (refs.length > 0) throw new Error(`${where} references ${[...new Set(refs)].join(', ')}, which the round trip does not evaluate; extend stacks/origin-secret-round-trip.test.ts`);
}

/**
 * The global stack's origin-secret expressions as a configuration of Terraform's
 * built-in terraform_data: its own terraform_data as synthesized, each secret version
 * as a terraform_data holding its secret_string, each data source reading the current
 * version as a terraform_data holding what that version wrote.
 */
function globalEvaluation(stack: string, global: Json): Json {
  const rewrite = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value)
        .replace(/data\.aws_secretsmanager_secret_version\.([\w-]+)\.secret_string/g, 'terraform_data.current_$1.output')
        .replace(/aws_secretsmanager_secret_version\.([\w-]+)\.secret_string/g, 'terraform_data.version_$1.output'),
    );
  const terraformData: Json = {};
  for (const [name, r] of Object.entries<Json>(global.resource?.terraform_data ?? {})) {
    const { '//': _meta, ...rest } = r;
    terraformData[name] = rest;
  }
  const versions = Object.entries<Json>(global.resource?.aws_secretsmanager_secret_version ?? {});
  for (const [name, v] of versions) terraformData[`version_${name}`] = { input: rewrite(v.secret_string) };
  for (const [name, d] of Object.entries<Json>(global.data?.aws_secretsmanager_secret_version ?? {})) {
    const written = versions.find(([, v]) => v.secret_id === d.secret_id);
    if (!written) throw new Error(`${stack}: data.aws_secretsmanager_secret_version.${name} reads a secret no version of this stack writes`);
    terraformData[`current_${name}`] = { input: `\${terraform_data.version_${written[0]}.output}` };
  }
  const [distribution] = Object.values<Json>(global.resource?.aws_cloudfront_distribution ?? {});
  // Every origin (the secondary of an origin group too) must send the same secret, or a
  // read that fails over would be refused by the secondary region.
  const headers = (distribution?.origin ?? []).map((o: Json) => (o.custom_header ?? []).find((h: Json) => h.name === ORIGIN_SECRET_HEADER));
  const missing = (distribution?.origin ?? []).filter((_: Json, i: number) => !headers[i]).map((o: Json) => o.origin_id);
  if (headers.length === 0 || missing.length > 0) throw new Error(`${stack}: origin(s) ${missing.join(', ') || '(none)'} of the distribution send no ${ORIGIN_SECRET_HEADER} header`);
  if (new Set(headers.map((h: Json) => h.value)).size !== 1) throw new Error(`${stack}: the origins of the distribution send different ${ORIGIN_SECRET_HEADER} values`);
  const header = headers[0];
  const accepted = global.output?.[GLOBAL_OUTPUTS.originSecretAccepted];
  if (!accepted) throw new Error(`${stack}: no ${GLOBAL_OUTPUTS.originSecretAccepted} output`);
  const config = {
    resource: { terraform_data: terraformData },
    output: {
      cloudfront_sends: { value: rewrite(header.value), sensitive: true },
      [GLOBAL_OUTPUTS.originSecretAccepted]: { value: rewrite(accepted.value), sensitive: true },
    },
  };
  onlyBuiltIns(stack, config, /^$/);
  return config;
}

/** A regional stack's Lambda environment, its remote state read from the global state file. */
function regionalEvaluation(stack: string, regional: Json, globalStateKey: string, globalState: string): Json {
  const states: Json = {};
  for (const [name, s] of Object.entries<Json>(regional.data?.terraform_remote_state ?? {})) {
    if (s.config?.key !== globalStateKey) throw new Error(`${stack}: remote state ${name} reads ${s.config?.key}, not the global stack's ${globalStateKey}`);
    states[name] = { backend: 'local', config: { path: globalState }, ...(s.defaults ? { defaults: s.defaults } : {}) };
  }
  // GlobalStackOutputs reads the state only when its object is listed in the bucket (an AWS
  // data source) and falls back to the guard's defaults: here the global state exists, so
  // the outputs are the remote state's, read unconditionally, with no fallback to hide a miss.
  const locals = Object.fromEntries(
    Object.entries<string>(regional.locals ?? {}).map(([name, value]) => [
      name,
      value.replace(/(data\.terraform_remote_state\.[\w-]+)\[0\]/g, '$1').replace(/terraform_data\.[\w-]+\.input\.defaults/g, 'null'),
    ]),
  );
  const [fn] = Object.values<Json>(regional.resource?.aws_lambda_function ?? {});
  const config = { locals, data: { terraform_remote_state: states }, output: { environment: { value: fn.environment.variables, sensitive: true } } };
  onlyBuiltIns(stack, config, /^$/);
  return config;
}

interface Evaluated {
  readonly service: string;
  readonly app: string;
  readonly region: string;
  /** What CloudFront sends. */
  readonly header: string;
  /** The region's Lambda environment, as Terraform evaluates it. */
  readonly environment: Record<string, string>;
}

describeWithTerraform('the origin secret, from the synthesized Terraform to every regional function', () => {
  let platform: PlatformConfig;
  const evaluated: Evaluated[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'origin-secret-round-trip-'));
    writeFileSync(path.join(workDir, 'empty.tfrc'), '');
    const loaded = loadPlatform(EXAMPLE);
    platform = loaded.config;
    const workspace = fakeWorkspace(loaded.services.map((s) => s.app));
    const outdir = path.join(workspace, 'cdktf.out');
    synthPlatform({ configPath: EXAMPLE, outdir, workspaceRoot: workspace });
    const stackJson = (name: string): Json => JSON.parse(readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
    const services = loaded.services.filter((s) => s.edgeCache.enabled && s.environments.includes(ENVIRONMENT));
    await Promise.all(
      services.map(async (s) => {
        const contract = serviceContract(platform, s.name, ENVIRONMENT);
        const globalDir = path.join(workDir, contract.globalStack);
        const global = await applyAndReadOutputs(globalDir, globalEvaluation(contract.globalStack, stackJson(contract.globalStack)));
        for (const region of contract.regions) {
          const stack = contract.regionalStack(region);
          const outputs = await applyAndReadOutputs(
            path.join(workDir, stack),
            regionalEvaluation(stack, stackJson(stack), contract.stateBackend(contract.globalStack).key, path.join(globalDir, 'terraform.tfstate')),
          );
          evaluated.push({ service: s.name, app: contract.app, region, header: String(global.cloudfront_sends), environment: outputs.environment as Record<string, string> });
        }
      }),
    );
  });

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('evaluates every service with an edge in every region of the environment', () => {
    expect(evaluated.map((e) => `${e.service} ${e.region}`).sort()).toEqual(
      ['catalog', 'items', 'orders'].flatMap((s) => platform.environments[ENVIRONMENT].regions.map((r) => `${s} ${r}`)).sort(),
    );
  });

  it('gives every regional function the value CloudFront sends among the values it accepts (ORIGIN_SECRETS)', () => {
    for (const e of evaluated) {
      expect(e.header).toMatch(/^[0-9a-f]{64}$/);
      expect({ function: `${e.service} ${e.region}`, accepts: e.environment[E.originSecrets].split(',') }).toEqual({ function: `${e.service} ${e.region}`, accepts: [e.header] });
    }
  });

  describe('each app\'s real handler, with that environment', () => {
    let dynamodb: DynamoDbLocal | undefined;
    let orders: RelationalDataLayer | undefined;
    const apis: { e: Evaluated; api: RegionApi }[] = [];

    beforeAll(async () => {
      const local = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', [E.powertoolsLogLevel]: 'ERROR' };
      const backends = async (e: Evaluated): Promise<Record<string, string>> => {
        if (e.app !== 'orders-api') {
          dynamodb ??= await DynamoDbLocal.start();
          const tableName = `${e.service}-${e.region}`;
          const client = new DynamoDBClient(localClientConfig({ endpoint: dynamodb.endpoint, region: e.region }));
          await createServiceTable(client, tableName);
          client.destroy();
          return { [E.tableName]: tableName, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint };
        }
        orders ??= await RelationalDataLayer.start({
          regions: [e.region],
          dataDir: path.join(workDir, 'orders-data'),
          database: e.environment[E.dbName],
          user: e.environment[E.dbIamUser],
          migrate: appMigrations(ROOT, e.app),
        });
        const stores = orders.region(orders.primaryRegion);
        const db = `127.0.0.1:${stores.postgres.port}`;
        return {
          [E.dbWriterEndpoint]: db,
          [E.dbReaderEndpoint]: db,
          [E.dbClusterEndpoint]: db,
          DB_PASSWORD: orders.password,
          ...(stores.redis ? { [E.cacheReaderEndpoint]: stores.redis.url } : {}),
          ...(stores.redis && e.environment[E.cacheWriterEndpoint] ? { [E.cacheWriterEndpoint]: stores.redis.url } : {}),
        };
      };
      for (const e of evaluated) {
        const environment: Record<string, string> = { ...e.environment, AWS_REGION: e.region, ...local, ...(await backends(e)) };
        // Locally there is no TLS and no IAM to the data stores (docs/orders.md).
        for (const name of ['NODE_EXTRA_CA_CERTS', E.cacheUser, E.cacheReplicationGroup, E.cacheWriterReplicationGroup, E.cacheWriterRegion]) delete environment[name];
        apis.push({ e, api: await RegionApi.start({ region: e.region, handlerModule: path.join(ROOT, appEntryPath(e.app)), lambdaEnvironment: environment, cwd: ROOT }) });
      }
    });

    afterAll(async () => {
      await Promise.all(apis.map(({ api }) => api.stop()));
      await dynamodb?.stop();
      await orders?.stop();
    });

    it('answers 200 to a request with the header CloudFront sends and 403 without it or with another value, in every region', async () => {
      const answers = [];
      for (const { e, api } of apis) {
        const url = `${api.url}${LIST_PATH[e.app]}`;
        const status = async (headers: Record<string, string>) => (await fetch(url, { headers })).status;
        answers.push({
          function: `${e.service} ${e.region}`,
          fromCloudFront: await status({ [ORIGIN_SECRET_HEADER]: e.header }),
          withoutHeader: await status({}),
          otherValue: await status({ [ORIGIN_SECRET_HEADER]: 'f'.repeat(64) }),
        });
      }
      expect(answers).toEqual(answers.map((a) => ({ function: a.function, fromCloudFront: 200, withoutHeader: 403, otherValue: 403 })));
    });
  });
});
