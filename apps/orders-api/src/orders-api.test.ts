// The handler against a real PostgreSQL and Redis (one region: primary only).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { OrderCache, OrdersDatabase, OrdersRepository, runMigrations } from '@orders/data-access';
import { RelationalDataLayer } from '@platform/local-data-layer';
import { OrdersApi } from './orders-api';

const ROOT = join(__dirname, '..', '..', '..');
const REGION = 'eu-west-1';
let dir: string;
let layer: RelationalDataLayer;
let api: OrdersApi;
let database: OrdersDatabase;
let cache: OrderCache;
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const context = { awsRequestId: 'req-1' } as Context;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orders-api-'));
  layer = await RelationalDataLayer.start({ regions: [REGION], dataDir: dir, database: 'app', user: 'orders', migrate: (db) => runMigrations({ ...db, workspaceRoot: ROOT }) });
  const port = layer.region(REGION).postgres.port;
  database = new OrdersDatabase({ writer: { host: '127.0.0.1', port }, reader: { host: '127.0.0.1', port }, database: 'app', user: 'orders', password: layer.password, writeRouting: 'writer-endpoint' });
  cache = new OrderCache({ readerUrl: layer.region(REGION).redis!.url, writerUrl: layer.region(REGION).redis!.url, ttlSeconds: 60 });
  api = new OrdersApi({ repository: new OrdersRepository({ database, cache }), database, cache, region: REGION, logger });
}, 120_000);

afterAll(async () => {
  await database?.close();
  await cache?.close();
  await layer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function event(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; sub?: string; query?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    queryStringParameters: options.query,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'api-1',
      ...(options.sub ? { authorizer: { jwt: { claims: { sub: options.sub }, scopes: [] } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

async function call(e: APIGatewayProxyEventV2): Promise<{ status: number; body: any; headers: Record<string, string> }> {
  const r = (await api.handle(e, context)) as APIGatewayProxyStructuredResultV2;
  return { status: r.statusCode ?? 0, body: r.body ? JSON.parse(r.body) : undefined, headers: (r.headers ?? {}) as Record<string, string> };
}

const validOrder = { customerId: 'cust-1', currency: 'EUR', lines: [{ sku: 'ABC-1', quantity: 2, price: '10.50' }] };
const orderCount = async () => Number((await layer.region(REGION).postgres.query<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app'))[0]!.n);

describe('orders-api', () => {
  it('creates an order (201, ETag, Location, Consistency-Token) and gets it back', async () => {
    const created = await call(event('POST', '/orders', { body: validOrder }));
    expect([created.status, created.body.total, created.body.status, created.headers.etag]).toEqual([201, '21.00', 'pending', '"1"']);
    expect(created.headers['consistency-token']).toMatch(/^[A-Za-z0-9_-]+$/);
    const got = await call(event('GET', created.headers.location!));
    expect([got.status, got.body.id]).toEqual([200, created.body.id]);
  });

  it.each([
    ['an unknown sku format', { ...validOrder, lines: [{ sku: 'abc 1', quantity: 1, price: 1 }] }, 'lines[0].sku'],
    ['a quantity of 0', { ...validOrder, lines: [{ sku: 'ABC', quantity: 0, price: 1 }] }, 'lines[0].quantity'],
    ['a fractional quantity', { ...validOrder, lines: [{ sku: 'ABC', quantity: 1.5, price: 1 }] }, 'lines[0].quantity'],
    ['a price with 3 decimals', { ...validOrder, lines: [{ sku: 'ABC', quantity: 1, price: '1.999' }] }, 'lines[0].price'],
    ['101 lines', { ...validOrder, lines: Array.from({ length: 101 }, () => ({ sku: 'ABC', quantity: 1, price: 1 })) }, 'lines'],
    ['a total sent by the client', { ...validOrder, total: '1.00' }, 'total'],
  ])('refuses %s with 400 validation_failed naming the field, and writes nothing', async (_what, body, path) => {
    const before = await orderCount();
    const r = await call(event('POST', '/orders', { body }));
    expect([r.status, r.body.error.code]).toEqual([400, 'validation_failed']);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await orderCount()).toBe(before);
  });

  it('refuses an illegal status transition with 409 and leaves the order as it was', async () => {
    const created = await call(event('POST', '/orders', { body: validOrder }));
    const r = await call(event('PATCH', `/orders/${created.body.id}`, { body: { status: 'shipped' } }));
    expect([r.status, r.body.error.code]).toEqual([409, 'illegal_transition']);
    expect((await call(event('GET', `/orders/${created.body.id}`))).body).toMatchObject({ status: 'pending', version: 1 });
  });

  it('answers 412 with the current ETag to a status change with a stale If-Match', async () => {
    const created = await call(event('POST', '/orders', { body: validOrder }));
    await call(event('PATCH', `/orders/${created.body.id}`, { body: { status: 'paid' }, headers: { 'if-match': '"1"' } }));
    const r = await call(event('PATCH', `/orders/${created.body.id}`, { body: { status: 'shipped' }, headers: { 'if-match': '"1"' } }));
    expect([r.status, r.body.error.code, r.headers.etag]).toEqual([412, 'precondition_failed', '"2"']);
  });

  it('replays an idempotent create and refuses the key for a different order with 422', async () => {
    const headers = { 'idempotency-key': 'same-key' };
    const first = await call(event('POST', '/orders', { body: validOrder, headers }));
    const again = await call(event('POST', '/orders', { body: validOrder, headers }));
    expect([again.status, again.body.id, again.headers['idempotent-replayed']]).toEqual([201, first.body.id, 'true']);
    const other = await call(event('POST', '/orders', { body: { ...validOrder, currency: 'USD' }, headers }));
    expect([other.status, other.body.error.code]).toEqual([422, 'idempotency_key_reused']);
  });

  it('refuses with 403 a create for another customer when auth is on, and writes nothing', async () => {
    const before = await orderCount();
    const r = await call(event('POST', '/orders', { body: validOrder, sub: 'someone-else' }));
    expect([r.status, r.body.error.code]).toEqual([403, 'forbidden']);
    expect(await orderCount()).toBe(before);
  });

  it('lists a customer\'s orders with a cursor', async () => {
    for (let i = 0; i < 3; i++) await call(event('POST', '/orders', { body: { ...validOrder, customerId: 'lister' } }));
    const page = await call(event('GET', '/customers/lister/orders', { query: { limit: '2' } }));
    expect([page.status, page.body.orders.length, typeof page.body.nextCursor]).toEqual([200, 2, 'string']);
    const rest = await call(event('GET', '/customers/lister/orders', { query: { limit: '2', cursor: page.body.nextCursor } }));
    expect(rest.body.orders.length).toBe(1);
  });

  it('answers reads from the database when the cache is down', async () => {
    const created = await call(event('POST', '/orders', { body: validOrder }));
    await layer.region(REGION).redis!.kill();
    try {
      const r = await call(event('GET', `/orders/${created.body.id}`));
      expect([r.status, r.headers['x-order-source']]).toEqual([200, 'replica']);
    } finally {
      await layer.region(REGION).redis!.restart();
    }
  });

  it('answers 503 with a code and Retry-After, never a 500, while the database is down', async () => {
    await layer.region(REGION).postgres.kill();
    try {
      const write = await call(event('POST', '/orders', { body: validOrder }));
      expect([write.status, write.body.error.code, write.headers['retry-after']]).toEqual([503, 'primary_unavailable', '1']);
      const read = await call(event('GET', '/customers/cust-1/orders'));
      expect([read.status, read.body.error.code]).toEqual([503, 'database_unavailable']);
      const health = await call(event('GET', '/health'));
      expect([health.status, health.body.status]).toEqual([503, 'unhealthy']);
    } finally {
      await layer.region(REGION).postgres.restart();
    }
  });
});
