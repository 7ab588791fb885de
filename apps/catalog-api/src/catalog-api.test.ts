import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServiceTable, DynamoDbLocal, localClientConfig } from '@platform/dynamodb-local';
import { localLambdaContext, toApiGatewayEvent } from '@platform/lambda-http-adapter';
import { createCatalogApi } from './catalog-api';

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
  const tableName = `catalog-${++tables}`;
  await createServiceTable(client, tableName);
  return createCatalogApi({ client, tableName, region: REGION, logger: silent });
}

async function call(api: Awaited<ReturnType<typeof freshApi>>, method: string, path: string, options: { json?: unknown; headers?: Record<string, string> } = {}) {
  const headers = { ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
  const event = toApiGatewayEvent({ method, path, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json) });
  const res = await api.handle(event, localLambdaContext());
  return { status: res.statusCode, headers: (res.headers ?? {}) as Record<string, string>, body: res.body ? JSON.parse(res.body) : undefined };
}

describe('catalog-api over DynamoDB Local', () => {
  it('creates a record: 201, Location, ETag and the record with its id', async () => {
    const api = await freshApi();
    const res = await call(api, 'POST', '/catalog', { json: { name: 'first' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'first', version: 1, updatedRegion: REGION });
    expect(res.headers.location).toBe(`/catalog/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
  });

  it('reads, lists, replaces with If-Match and deletes a record', async () => {
    const api = await freshApi();
    const { body } = await call(api, 'POST', '/catalog', { json: { name: 'a' } });
    expect((await call(api, 'GET', `/catalog/${body.id}`)).body.name).toBe('a');
    expect((await call(api, 'GET', '/catalog')).body.items.map((r: { id: string }) => r.id)).toEqual([body.id]);
    const replaced = await call(api, 'PUT', `/catalog/${body.id}`, { json: { name: 'b' }, headers: { 'if-match': '"1"' } });
    expect([replaced.status, replaced.body.name, replaced.headers.etag]).toEqual([200, 'b', '"2"']);
    expect((await call(api, 'DELETE', `/catalog/${body.id}`, { headers: { 'if-match': '"2"' } })).status).toBe(204);
    expect((await call(api, 'GET', `/catalog/${body.id}`)).status).toBe(404);
  });

  it('answers a stale If-Match with 412 and the current ETag, and writes nothing', async () => {
    const api = await freshApi();
    const { body } = await call(api, 'POST', '/catalog', { json: { name: 'a' } });
    await call(api, 'PUT', `/catalog/${body.id}`, { json: { name: 'b' } });
    const res = await call(api, 'PUT', `/catalog/${body.id}`, { json: { name: 'c' }, headers: { 'if-match': '"1"' } });
    expect([res.status, res.body.error.code, res.headers.etag]).toEqual([412, 'precondition_failed', '"2"']);
    expect((await call(api, 'GET', `/catalog/${body.id}`)).body.name).toBe('b');
  });

  it('replays a POST with the same Idempotency-Key instead of creating twice', async () => {
    const api = await freshApi();
    const first = await call(api, 'POST', '/catalog', { json: { name: 'once' }, headers: { 'idempotency-key': 'k-1' } });
    const again = await call(api, 'POST', '/catalog', { json: { name: 'once' }, headers: { 'idempotency-key': 'k-1' } });
    expect([again.status, again.body.id, again.headers['idempotent-replayed']]).toEqual([201, first.body.id, 'true']);
    expect((await call(api, 'GET', '/catalog')).body.items).toHaveLength(1);
  });

  it('refuses a body that breaks the fields with 400 validation_failed naming each field', async () => {
    const api = await freshApi();
    const res = await call(api, 'POST', '/catalog', { json: { name: '', colour: 'red', id: 'x' } });
    expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['colour', 'id', 'name']);
  });

  it('answers /health with 200 when the table answers', async () => {
    const api = await freshApi();
    const res = await call(api, 'GET', '/health');
    expect([res.status, res.body.status, res.body.region]).toEqual([200, 'ok', REGION]);
  });

  it('answers an unknown path with 404 route_not_found', async () => {
    const api = await freshApi();
    expect((await call(api, 'GET', '/nope')).body.error.code).toBe('route_not_found');
  });
});
