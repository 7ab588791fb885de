// The files of a generated service's app. Kept as TypeScript functions rather than
// template files so the type-check sees them; what they write is plain code on the
// service runtime (@platform/service-runtime).

/** The names a service's files use. */
export interface ServiceNames {
  /** `catalog`: the service, its path segment (`/catalog`) and its config key. */
  readonly name: string;
  /** `catalog-api`: the Nx project and folder in apps/. */
  readonly app: string;
  /** `Catalog`: type and function names. */
  readonly pascal: string;
  /** `CATALOG`: the record kind in the service table, and the prefix of constants. */
  readonly kind: string;
  /** `catalog_x`: SQL names (the records table, the database user). */
  readonly snake: string;
  /** `libs/catalog/data-access`: the data-access library of a service on Aurora. */
  readonly libDir: string;
  /** `catalog-data-access`: its Nx project. */
  readonly libProject: string;
  /** `@catalog/data-access`: its path alias. */
  readonly libAlias: string;
}

export function serviceNames(name: string): ServiceNames {
  const pascal = name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return {
    name,
    app: `${name}-api`,
    pascal,
    kind: name.toUpperCase().replace(/-/g, '_'),
    snake: name.replace(/-/g, '_'),
    libDir: `libs/${name}/data-access`,
    libProject: `${name}-data-access`,
    libAlias: `@${name}/data-access`,
  };
}

/** A `project.json` or `tsconfig.json` as the workspace writes them. */
export const jsonFile = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The tsconfig.json of a project `depth` folders below the workspace root. */
export const projectTsconfig = (depth: number): string =>
  jsonFile({ extends: `${'../'.repeat(depth)}tsconfig.base.json`, compilerOptions: { noEmit: true }, include: ['**/*.ts'] });

/** Relative path -> content of every file of a service on DynamoDB's app. */
export function appFiles(n: ServiceNames): Record<string, string> {
  return {
    'project.json': jsonFile(appProjectJson(n)),
    'tsconfig.json': projectTsconfig(2),
    'src/main.ts': mainTs(n),
    [`src/${n.name}-fields.ts`]: fieldsTs(n),
    [`src/${n.name}-api.ts`]: apiTs(n),
    [`src/${n.name}-api.test.ts`]: testTs(n),
  };
}

/** The app's project.json: build, test, lint, typecheck, serve, and any `extraTargets` (`migrate`). */
export function appProjectJson(n: ServiceNames, extraTargets: Record<string, unknown> = {}) {
  return {
    name: n.app,
    $schema: '../../node_modules/nx/schemas/project-schema.json',
    sourceRoot: `apps/${n.app}/src`,
    projectType: 'application',
    tags: ['type:app', `service:${n.name}`, 'lifecycle:runtime'],
    targets: {
      build: { command: `node tools/run-ts.mjs tools/build-lambda.ts ${n.app}`, outputs: [`{workspaceRoot}/dist/apps/${n.app}`] },
      test: { command: `npx jest apps/${n.app}` },
      lint: { command: `eslint apps/${n.app}` },
      typecheck: { command: `tsc -p apps/${n.app}/tsconfig.json` },
      serve: { command: `node tools/run-ts.mjs tools/dev.ts --service ${n.name}`, cache: false },
      ...extraTargets,
    },
  };
}

function mainTs(n: ServiceNames): string {
  return `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { OriginGuard, RequestLogSampler, readServiceEnvironment } from '@platform/service-runtime';
import { create${n.pascal}Api } from './${n.name}-api';

// Runs once per cold start: only what every request needs.
const env = readServiceEnvironment(process.env, '${n.name}');

const api = create${n.pascal}Api({
  // Bounded per attempt so a stuck connection becomes a 503, not a Lambda timeout.
  client: new DynamoDBClient({ region: env.region, maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } }),
  tableName: env.tableName,
  region: env.region,
  logger: new Logger({ serviceName: env.serviceName }),
  healthTimeoutMs: env.healthTimeoutMs,
  requestLog: new RequestLogSampler(env.requestLog),
});

${HANDLER_ENTRY}`;
}

export function fieldsTs(n: ServiceNames): string {
  return `import { parseFields, type FieldsSpec } from '@platform/service-runtime';

/** What a client writes to a ${n.name} record: the body of POST and PUT. */
export interface ${n.pascal}Fields {
  readonly name: string;
  readonly description?: string;
  readonly tags?: readonly string[];
}

/** The fields and their limits; edit these to shape the resource. */
export const ${n.kind}_FIELDS: FieldsSpec = {
  name: { type: 'string', required: true, maxChars: 200 },
  description: { type: 'string', maxChars: 4000 },
  tags: { type: 'string-list', maxCount: 20, maxChars: 50 },
};

/** Checks a request body; throws \`validation_failed\` listing every problem. */
export function parse${n.pascal}Fields(body: Record<string, unknown>): ${n.pascal}Fields {
  return parseFields<${n.pascal}Fields>(body, ${n.kind}_FIELDS);
}
`;
}

function apiTs(n: ServiceNames): string {
  return `import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { crudApi, ResourceRepository, type CrudRoute, type RequestLogSampler, type ServiceHandler, type StructuredLogger } from '@platform/service-runtime';
import { parse${n.pascal}Fields, type ${n.pascal}Fields } from './${n.name}-fields';

/** Props of {@link create${n.pascal}Api}. */
export interface ${n.pascal}ApiProps {
  readonly client: DynamoDBClient;
  /** The service table (this region's replica). */
  readonly tableName: string;
  readonly region: string;
  readonly logger: StructuredLogger;
  /** @default 1000 */
  readonly healthTimeoutMs?: number;
  /** Which requests get an info line. @default - every request */
  readonly requestLog?: RequestLogSampler;
}

/** The ${n.name} service: CRUD of ${n.name} records at /${n.name} and /${n.name}/{id}, and /health. */
export function create${n.pascal}Api(props: ${n.pascal}ApiProps): ServiceHandler<CrudRoute> {
  return crudApi<${n.pascal}Fields>({
    resource: '${n.name}',
    repository: new ResourceRepository<${n.pascal}Fields>({ client: props.client, tableName: props.tableName, region: props.region, kind: '${n.kind}' }),
    parse: parse${n.pascal}Fields,
    region: props.region,
    logger: props.logger,
    healthTimeoutMs: props.healthTimeoutMs,
    requestLog: props.requestLog,
  });
}
`;
}

function testTs(n: ServiceNames): string {
  return `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServiceTable, DynamoDbLocal, localClientConfig } from '@platform/dynamodb-local';
import { localLambdaContext, toApiGatewayEvent } from '@platform/lambda-http-adapter';
import { create${n.pascal}Api } from './${n.name}-api';

jest.setTimeout(60_000);

const REGION = 'eu-west-1';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
let server: DynamoDbLocal;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  server = await DynamoDbLocal.start();
  client = new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: REGION }));
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

async function freshApi() {
  const tableName = \`${n.name}-\${++tables}\`;
  await createServiceTable(client, tableName);
  return create${n.pascal}Api({ client, tableName, region: REGION, logger: silent });
}

${CALL_HELPER}
describe('${n.app} over DynamoDB Local', () => {
${crudTestCases(n)}});
`;
}

/** The end of every generated main.ts: the origin guard in front of \`api\`, and the Lambda entry point. */
export const HANDLER_ENTRY = `// A request that did not come through the edge (CloudFront adds the origin secret) gets 403.
const originGuard = new OriginGuard(env.originSecrets);

/** The Lambda entry point (\`index.handler\` in the bundle). */
export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  return originGuard.check(event) ?? api.handle(event, context);
}
`;

/** A generated test's `call(api, method, path, options)`: one request through the handler as API Gateway sends it. */
export const CALL_HELPER = `async function call(api: Awaited<ReturnType<typeof freshApi>>, method: string, path: string, options: { json?: unknown; headers?: Record<string, string> } = {}) {
  const headers = { ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
  const event = toApiGatewayEvent({ method, path, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json) });
  const res = await api.handle(event, localLambdaContext());
  return { status: res.statusCode, headers: (res.headers ?? {}) as Record<string, string>, body: res.body ? JSON.parse(res.body) : undefined };
}
`;

/**
 * The test cases of a CRUD service, whatever stores its records (`store`, as /health
 * names it): each test calls `freshApi()` (an API on an empty store) and `call(api, method, path, options)`.
 */
export function crudTestCases(n: ServiceNames, store = 'table'): string {
  return `  it('creates a record: 201, Location, ETag and the record with its id', async () => {
    const api = await freshApi();
    const res = await call(api, 'POST', '/${n.name}', { json: { name: 'first' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'first', version: 1, updatedRegion: REGION });
    expect(res.headers.location).toBe(\`/${n.name}/\${res.body.id}\`);
    expect(res.headers.etag).toBe('"1"');
  });

  it('reads, lists, replaces with If-Match and deletes a record', async () => {
    const api = await freshApi();
    const { body } = await call(api, 'POST', '/${n.name}', { json: { name: 'a' } });
    expect((await call(api, 'GET', \`/${n.name}/\${body.id}\`)).body.name).toBe('a');
    expect((await call(api, 'GET', '/${n.name}')).body.items.map((r: { id: string }) => r.id)).toEqual([body.id]);
    const replaced = await call(api, 'PUT', \`/${n.name}/\${body.id}\`, { json: { name: 'b' }, headers: { 'if-match': '"1"' } });
    expect([replaced.status, replaced.body.name, replaced.headers.etag]).toEqual([200, 'b', '"2"']);
    expect((await call(api, 'DELETE', \`/${n.name}/\${body.id}\`, { headers: { 'if-match': '"2"' } })).status).toBe(204);
    expect((await call(api, 'GET', \`/${n.name}/\${body.id}\`)).status).toBe(404);
  });

  it('answers a stale If-Match with 412 and the current ETag, and writes nothing', async () => {
    const api = await freshApi();
    const { body } = await call(api, 'POST', '/${n.name}', { json: { name: 'a' } });
    await call(api, 'PUT', \`/${n.name}/\${body.id}\`, { json: { name: 'b' } });
    const res = await call(api, 'PUT', \`/${n.name}/\${body.id}\`, { json: { name: 'c' }, headers: { 'if-match': '"1"' } });
    expect([res.status, res.body.error.code, res.headers.etag]).toEqual([412, 'precondition_failed', '"2"']);
    expect((await call(api, 'GET', \`/${n.name}/\${body.id}\`)).body.name).toBe('b');
  });

  it('replays a POST with the same Idempotency-Key instead of creating twice', async () => {
    const api = await freshApi();
    const first = await call(api, 'POST', '/${n.name}', { json: { name: 'once' }, headers: { 'idempotency-key': 'k-1' } });
    const again = await call(api, 'POST', '/${n.name}', { json: { name: 'once' }, headers: { 'idempotency-key': 'k-1' } });
    expect([again.status, again.body.id, again.headers['idempotent-replayed']]).toEqual([201, first.body.id, 'true']);
    expect((await call(api, 'GET', '/${n.name}')).body.items).toHaveLength(1);
  });

  it('refuses a body that breaks the fields with 400 validation_failed naming each field', async () => {
    const api = await freshApi();
    const res = await call(api, 'POST', '/${n.name}', { json: { name: '', colour: 'red', id: 'x' } });
    expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['colour', 'id', 'name']);
  });

  it('answers /health with 200 when the ${store} answers', async () => {
    const api = await freshApi();
    const res = await call(api, 'GET', '/health');
    expect([res.status, res.body.status, res.body.region]).toEqual([200, 'ok', REGION]);
  });

  it('answers an unknown path with 404 route_not_found', async () => {
    const api = await freshApi();
    expect((await call(api, 'GET', '/nope')).body.error.code).toBe('route_not_found');
  });
`;
}
