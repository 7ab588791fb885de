import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { localClientConfig } from '@platform/dynamodb-local';
import { LocalHttpAdapter, localLambdaContext, toApiGatewayEvent } from '@platform/lambda-http-adapter';
import { CloudFrontInvalidator } from './cloudfront-invalidator';
import type { ItemsApi } from './items-api';
import { startThrottlingProxy, type ThrottleRule } from './testing/dynamodb-throttling-proxy';
import { startFakeCloudFront, type FakeCloudFront } from './testing/fake-cloudfront';
import { call, invoke, ItemsApiFixture, REGION } from './testing/items-api-fixture';
import { startStalledServer } from './testing/stalled-server';

jest.setTimeout(60_000);

let mockCloudFrontLoads = 0;
jest.mock('@aws-sdk/client-cloudfront', () => {
  mockCloudFrontLoads++;
  return jest.requireActual('@aws-sdk/client-cloudfront');
});

let fixture: ItemsApiFixture;
beforeAll(async () => {
  fixture = await ItemsApiFixture.start();
});
afterAll(async () => {
  await fixture?.stop();
});

function clientFor(endpoint: string, maxAttempts = 3): DynamoDBClient {
  return new DynamoDBClient(localClientConfig({ endpoint, region: REGION, maxAttempts }));
}

describe('DynamoDB throttling: 503 with Retry-After, nothing written', () => {
  const cases: { name: string; rule: ThrottleRule; request: (api: ItemsApi, existing: string) => ReturnType<typeof call> }[] = [
    { name: 'POST (PutItem throttled)', rule: (op) => (op === 'PutItem' ? 'throttle' : 'forward'), request: (api) => call(api, 'POST', '/items', { json: { name: 'x' } }) },
    {
      name: 'POST with Idempotency-Key (transaction cancelled by ThrottlingError)',
      rule: (op) => (op === 'TransactWriteItems' ? 'cancel-throttled' : 'forward'),
      request: (api) => call(api, 'POST', '/items', { json: { name: 'x' }, headers: { 'idempotency-key': 'k' } }),
    },
    { name: 'PUT (UpdateItem throttled)', rule: (op) => (op === 'UpdateItem' ? 'throttle' : 'forward'), request: (api, id) => call(api, 'PUT', `/items/${id}`, { json: { name: 'y' } }) },
    { name: 'PATCH (read passes, write throttled)', rule: (op) => (op === 'PutItem' ? 'throttle' : 'forward'), request: (api, id) => call(api, 'PATCH', `/items/${id}`, { json: { name: 'y' } }) },
    { name: 'DELETE (DeleteItem throttled)', rule: (op) => (op === 'DeleteItem' ? 'throttle' : 'forward'), request: (api, id) => call(api, 'DELETE', `/items/${id}`) },
    { name: 'GET (GetItem throttled)', rule: (op) => (op === 'GetItem' ? 'throttle' : 'forward'), request: (api, id) => call(api, 'GET', `/items/${id}`) },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const table = await fixture.newTable();
      const existing = (await call(fixture.api({ tableName: table }), 'POST', '/items', { json: { name: 'existing' } })).body.id as string;
      const before = await fixture.records(table);
      const proxy = await startThrottlingProxy(fixture.server.endpoint, c.rule);
      const client = clientFor(proxy.endpoint);
      try {
        const res = await c.request(fixture.api({ tableName: table, client }), existing);
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('throttled');
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(proxy.throttled.length).toBeGreaterThanOrEqual(1);
        expect(await fixture.records(table)).toEqual(before);
      } finally {
        client.destroy();
        await proxy.close();
      }
    });
  }

  it('retries a throttle with the SDK before giving up', async () => {
    const table = await fixture.newTable();
    const proxy = await startThrottlingProxy(fixture.server.endpoint, (op) => (op === 'PutItem' ? 'throttle' : 'forward'));
    const client = clientFor(proxy.endpoint, 3);
    try {
      expect((await call(fixture.api({ tableName: table, client }), 'POST', '/items', { json: { name: 'x' } })).status).toBe(503);
      expect(proxy.throttled).toEqual(['PutItem', 'PutItem', 'PutItem']);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});

describe('deep /health', () => {
  it('answers 503 within its timeout when the table hangs', async () => {
    const stalled = await startStalledServer();
    const client = clientFor(stalled.endpoint);
    try {
      const api = fixture.api({ tableName: 'any', client, healthTimeoutMs: 300 });
      const started = Date.now();
      const res = await call(api, 'GET', '/health');
      expect(Date.now() - started).toBeLessThan(1500);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: { code: 'unhealthy' }, status: 'unhealthy', region: REGION });
      expect(res.body.error.message).toContain('did not answer within 300 ms');
      expect(res.headers['cache-control']).toBe('no-store');
    } finally {
      client.destroy();
      await stalled.close();
    }
  });

  it('answers 503 when the table cannot be reached at all', async () => {
    const client = clientFor('http://127.0.0.1:9', 1);
    try {
      const res = await call(fixture.api({ tableName: 'any', client }), 'GET', '/health');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('unhealthy');
    } finally {
      client.destroy();
    }
  });

  it('answers 503 when the table does not exist in this region', async () => {
    const res = await call(fixture.api({ tableName: 'missing-table' }), 'GET', '/health');
    expect(res.status).toBe(503);
  });
});

describe('deadline', () => {
  it('answers 503 before the Lambda deadline when DynamoDB hangs', async () => {
    const stalled = await startStalledServer();
    const client = clientFor(stalled.endpoint);
    try {
      const api = fixture.api({ tableName: 'any', client });
      const event = toApiGatewayEvent({ method: 'GET', path: '/items/AAAAAAAAAAAAAAAAAAAAAA' });
      const started = Date.now();
      const res = await invoke(api, event, localLambdaContext({ timeoutMs: 1500 }));
      expect(Date.now() - started).toBeLessThan(1400);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('timeout');
      expect(res.headers['retry-after']).toBe('1');
    } finally {
      client.destroy();
      await stalled.close();
    }
  });
});

describe('edge cache invalidation (invalidate mode)', () => {
  let cloudFront: FakeCloudFront;
  beforeAll(async () => {
    cloudFront = await startFakeCloudFront();
  });
  afterAll(async () => {
    await cloudFront?.close();
  });
  beforeEach(() => {
    cloudFront.received.length = 0;
    cloudFront.failing = false;
  });

  function invalidator(): CloudFrontInvalidator {
    return new CloudFrontInvalidator({
      distributionId: 'E2EXAMPLE',
      clientConfig: { endpoint: cloudFront.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 },
    });
  }

  it('loads the CloudFront client only on the first write in invalidate mode', async () => {
    const table = await fixture.newTable();
    const ttlApi = fixture.api({ tableName: table, cacheMode: 'ttl' });
    const { body } = await call(ttlApi, 'POST', '/items', { json: { name: 'a' } });
    await call(ttlApi, 'PUT', `/items/${body.id}`, { json: { name: 'b' } });
    expect(mockCloudFrontLoads).toBe(0);

    const api = fixture.api({ tableName: table, cacheMode: 'invalidate', invalidator: invalidator() });
    await call(api, 'GET', `/items/${body.id}`);
    await call(api, 'GET', '/items');
    expect(mockCloudFrontLoads).toBe(0);
    await call(api, 'PATCH', `/items/${body.id}`, { json: { name: 'c' } });
    expect(mockCloudFrontLoads).toBe(1);
  });

  it('invalidates the item path and the list path after every successful write, and only then', async () => {
    const api = fixture.api({ tableName: await fixture.newTable(), cacheMode: 'invalidate', ttlSeconds: 300, invalidator: invalidator() });
    const created = await call(api, 'POST', '/items', { json: { name: 'a' }, headers: { 'idempotency-key': 'once' } });
    const id = created.body.id as string;
    const paths = [`/items/${id}`, '/items'];
    expect(cloudFront.received).toEqual([{ distributionId: 'E2EXAMPLE', paths, callerReference: expect.stringContaining(id) }]);

    const get = await call(api, 'GET', `/items/${id}`);
    expect(get.headers['cache-control']).toBe('public, max-age=0, s-maxage=300');
    await call(api, 'POST', '/items', { json: { name: 'a' }, headers: { 'idempotency-key': 'once' } }); // replay: no write
    await call(api, 'PUT', `/items/${id}`, { json: { name: 'x'.repeat(300) } }); // 400: no write
    expect(cloudFront.received).toHaveLength(1);

    await call(api, 'PUT', `/items/${id}`, { json: { name: 'b' } });
    await call(api, 'PATCH', `/items/${id}`, { json: { name: 'c' } });
    await call(api, 'DELETE', `/items/${id}`);
    expect(cloudFront.received.map((r) => r.paths)).toEqual([paths, paths, paths, paths]);
    expect(new Set(cloudFront.received.map((r) => r.callerReference)).size).toBe(4);
  });

  it('keeps the write when the invalidation fails, and logs and counts the failure', async () => {
    const lines = captureLogs();
    try {
      const table = await fixture.newTable();
      const logger = new Logger({ serviceName: 'items', logLevel: 'INFO' });
      const api = fixture.api({ tableName: table, cacheMode: 'invalidate', invalidator: invalidator(), logger });
      const { body } = await call(api, 'POST', '/items', { json: { name: 'a' } });
      cloudFront.failing = true;
      const res = await call(api, 'PUT', `/items/${body.id}`, { json: { name: 'kept' } });
      expect(res.status).toBe(200);
      expect((await call(api, 'GET', `/items/${body.id}`)).body).toMatchObject({ name: 'kept', version: 2 });
      expect(api.invalidationFailures).toBe(1);
      const warning = lines().find((l) => l.message?.toString().startsWith('edge cache invalidation failed'));
      expect(warning).toMatchObject({ level: 'WARN', region: REGION, EdgeInvalidationFailures: 1, paths: [`/items/${body.id}`, '/items'] });
      expect(warning?._aws).toMatchObject({ CloudWatchMetrics: [{ Dimensions: [['service', 'region']], Metrics: [{ Name: 'EdgeInvalidationFailures', Unit: 'Count' }] }] });
    } finally {
      lines.restore();
    }
  });
});

describe('structured logs', () => {
  it('writes one line per request with region, request ids, route, status and latency, and never a body', async () => {
    const lines = captureLogs();
    const secret = 'SECRET-MARKER-7f3a';
    try {
      const logger = new Logger({ serviceName: 'items', logLevel: 'INFO' });
      const api = fixture.api({ tableName: await fixture.newTable(), logger });
      const created = await call(api, 'POST', '/items', {
        json: { name: `${secret}-name`, description: `${secret}-description`, attributes: { [`${secret}-key`]: `${secret}-value` } },
        headers: { 'idempotency-key': `${secret}-idem` },
      });
      await call(api, 'GET', `/items/${created.body.id}`);
      await call(api, 'PUT', `/items/${created.body.id}`, { json: { name: 'x', colour: `${secret}-unknown-field` } });
      await call(api, 'GET', `/items?cursor=${secret}`);
      await call(api, 'GET', `/nope/${secret}`);

      const requestLines = lines().filter((l) => l.message === 'request');
      expect(requestLines.map((l) => [l.method, l.route, l.status, l.errorCode])).toEqual([
        ['POST', 'POST /items', 201, undefined],
        ['GET', 'GET /items/{id}', 200, undefined],
        ['PUT', 'PUT /items/{id}', 400, 'validation_failed'],
        ['GET', 'GET /items', 400, 'invalid_cursor'],
        ['GET', 'unmatched', 404, 'route_not_found'],
      ]);
      for (const line of requestLines) {
        expect(line).toMatchObject({ level: 'INFO', service: 'items', region: REGION, requestId: expect.any(String), apiRequestId: expect.any(String), latencyMs: expect.any(Number) });
      }
      expect(lines.raw()).not.toContain(secret);
    } finally {
      lines.restore();
    }
  });
});

describe('local HTTP adapter', () => {
  it('serves the handler over real HTTP with API Gateway v2 events', async () => {
    const api = fixture.api({ tableName: await fixture.newTable() });
    const adapter = await LocalHttpAdapter.start((event, context) => api.handle(event, context));
    try {
      const created = await fetch(`${adapter.url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'over http' }) });
      expect(created.status).toBe(201);
      const item = (await created.json()) as { id: string };
      const got = await fetch(`${adapter.url}${created.headers.get('location')}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('etag')).toBe('"1"');
      expect(((await got.json()) as { id: string }).id).toBe(item.id);
      const page = await fetch(`${adapter.url}/items?limit=1`);
      expect(((await page.json()) as { items: unknown[] }).items).toHaveLength(1);
      const wrong = await fetch(`${adapter.url}/items`, { method: 'DELETE' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET, POST');
    } finally {
      await adapter.close();
    }
  });
});

/** Captures what Powertools writes to stdout/stderr, parsed as JSON lines. */
function captureLogs(): (() => Record<string, any>[]) & { raw(): string; restore(): void } {
  const captured: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      captured.push(chunk.toString());
      return true;
    }) as never),
  );
  const read = () =>
    captured
      .join('')
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
  return Object.assign(read, { raw: () => captured.join(''), restore: () => spies.forEach((s) => s.mockRestore()) });
}
