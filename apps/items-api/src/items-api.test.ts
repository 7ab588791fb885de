import { toApiGatewayEvent } from '@platform/lambda-http-adapter';
import { ItemsApiFixture, call, invoke, REGION, type TestResponse } from './testing/items-api-fixture';
import type { ItemsApi } from './items-api';

jest.setTimeout(60_000);

let fixture: ItemsApiFixture;
beforeAll(async () => {
  fixture = await ItemsApiFixture.start();
});
afterAll(async () => {
  await fixture?.stop();
});

async function freshApi(options: Partial<Parameters<ItemsApiFixture['api']>[0]> = {}): Promise<{ api: ItemsApi; table: string }> {
  const table = await fixture.newTable();
  return { api: fixture.api({ tableName: table, ...options }), table };
}

async function create(api: ItemsApi, json: unknown = { name: 'lamp' }): Promise<TestResponse> {
  const res = await call(api, 'POST', '/items', { json });
  expect(res.status).toBe(201);
  return res;
}

/** Asserts the error envelope: code, a message, nothing else that could leak internals. */
function expectError(res: TestResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(Object.keys(res.body.error).filter((k) => !['code', 'message', 'details'].includes(k))).toEqual([]);
  expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |Exception|\.ts:|node_modules/);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['cache-control']).toBe('no-store');
}

describe('items API over DynamoDB Local', () => {
  describe('routes', () => {
    it('POST /items creates the item: 201, Location, ETag and the whole item with its id', async () => {
      const { api } = await freshApi();
      const res = await create(api, { name: 'lamp', description: 'desk lamp', tags: ['home'], attributes: { watts: 40, led: true, colour: 'red' } });
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        name: 'lamp',
        description: 'desk lamp',
        tags: ['home'],
        attributes: { watts: 40, led: true, colour: 'red' },
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        updatedRegion: REGION,
      });
      expect(res.headers.location).toBe(`/items/${res.body.id}`);
      expect(res.headers.etag).toBe('"1"');
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('GET /items/{id} returns the item with its ETag', async () => {
      const { api } = await freshApi();
      const created = await create(api);
      const res = await call(api, 'GET', `/items/${created.body.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created.body);
      expect(res.headers.etag).toBe('"1"');
    });

    it('GET /items/{id} of an unknown id is a 404', async () => {
      const { api } = await freshApi();
      expectError(await call(api, 'GET', '/items/AAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found');
    });

    it('GET /items lists the items', async () => {
      const { api } = await freshApi();
      const a = await create(api, { name: 'a' });
      const b = await create(api, { name: 'b' });
      const res = await call(api, 'GET', '/items');
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeUndefined();
      expect(res.body.items.map((i: { id: string }) => i.id).sort()).toEqual([a.body.id, b.body.id].sort());
    });

    it('PUT /items/{id} replaces the item and bumps version and ETag', async () => {
      const { api } = await freshApi();
      const created = await create(api, { name: 'a', description: 'gone after PUT' });
      const res = await call(api, 'PUT', `/items/${created.body.id}`, { json: { name: 'b', tags: ['x'] } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.body.id, name: 'b', tags: ['x'], version: 2, createdAt: created.body.createdAt });
      expect(res.body).not.toHaveProperty('description');
      expect(res.headers.etag).toBe('"2"');
    });

    it('PATCH /items/{id} merges a JSON Merge Patch', async () => {
      const { api } = await freshApi();
      const created = await create(api, { name: 'a', description: 'd', attributes: { keep: 1, drop: 2 } });
      const res = await call(api, 'PATCH', `/items/${created.body.id}`, {
        body: JSON.stringify({ description: null, attributes: { drop: null, add: 'x' } }),
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'a', attributes: { keep: 1, add: 'x' }, version: 2 });
      expect(res.body).not.toHaveProperty('description');
    });

    it('DELETE /items/{id} deletes: 204, then 404', async () => {
      const { api, table } = await freshApi();
      const created = await create(api);
      const res = await call(api, 'DELETE', `/items/${created.body.id}`);
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
      expectError(await call(api, 'GET', `/items/${created.body.id}`), 404, 'not_found');
      expect(await fixture.records(table)).toEqual([]);
    });

    it('GET /health reads the table and reports region and latency, uncached', async () => {
      const { api } = await freshApi();
      const res = await call(api, 'GET', '/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', region: REGION, latencyMs: expect.any(Number) });
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('accepts a base64-encoded JSON body, as API Gateway may send it', async () => {
      const { api } = await freshApi();
      const event = toApiGatewayEvent({ method: 'POST', path: '/items', headers: { 'content-type': 'application/json' } });
      const res = await invoke(api, { ...event, body: Buffer.from(JSON.stringify({ name: 'encoded ✓' })).toString('base64'), isBase64Encoded: true });
      expect(res.status).toBe(201);
      expect(res.body.name).toBe('encoded ✓');
    });
  });

  describe('optimistic concurrency', () => {
    it('honours a matching If-Match on PUT, PATCH and DELETE', async () => {
      const { api } = await freshApi();
      const { body } = await create(api);
      expect((await call(api, 'PUT', `/items/${body.id}`, { json: { name: 'b' }, headers: { 'if-match': '"1"' } })).status).toBe(200);
      expect((await call(api, 'PATCH', `/items/${body.id}`, { json: { name: 'c' }, headers: { 'if-match': 'W/"2"' } })).status).toBe(200);
      expect((await call(api, 'DELETE', `/items/${body.id}`, { headers: { 'if-match': '"3"' } })).status).toBe(204);
    });

    it('answers 412 with the current ETag to a stale If-Match, and writes nothing', async () => {
      const { api, table } = await freshApi();
      const { body } = await create(api);
      await call(api, 'PUT', `/items/${body.id}`, { json: { name: 'b' } });
      const before = await fixture.records(table);
      for (const [method, json] of [
        ['PUT', { name: 'c' }],
        ['PATCH', { name: 'c' }],
        ['DELETE', undefined],
      ] as const) {
        const res = await call(api, method, `/items/${body.id}`, { json, headers: { 'if-match': '"1"' } });
        expectError(res, 412, 'precondition_failed');
        expect(res.headers.etag).toBe('"2"');
      }
      expect(await fixture.records(table)).toEqual(before);
    });

    it('lets exactly one of two concurrent updates with the same If-Match win', async () => {
      const { api } = await freshApi();
      const { body } = await create(api);
      const [left, right] = await Promise.all([
        call(api, 'PUT', `/items/${body.id}`, { json: { name: 'left' }, headers: { 'if-match': '"1"' } }),
        call(api, 'PATCH', `/items/${body.id}`, { json: { name: 'right' }, headers: { 'if-match': '"1"' } }),
      ]);
      expect([left.status, right.status].sort()).toEqual([200, 412]);
      const winner = left.status === 200 ? left : right;
      const stored = await call(api, 'GET', `/items/${body.id}`);
      expect(stored.body.version).toBe(2);
      expect(stored.body.name).toBe(winner.body.name);
    });

    it('answers 404, not 412, when the item does not exist', async () => {
      const { api } = await freshApi();
      expectError(await call(api, 'PUT', '/items/AAAAAAAAAAAAAAAAAAAAAA', { json: { name: 'x' }, headers: { 'if-match': '"1"' } }), 404, 'not_found');
    });
  });

  describe('Idempotency-Key', () => {
    it('gives a retried POST the first result instead of a duplicate item', async () => {
      const { api, table } = await freshApi();
      const headers = { 'idempotency-key': '6f1c0a52-retry-after-failover' };
      const first = await call(api, 'POST', '/items', { json: { name: 'once' }, headers });
      const retry = await call(api, 'POST', '/items', { json: { name: 'once' }, headers });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect((await fixture.records(table)).filter((r) => r.sk === 'ITEM')).toHaveLength(1);
    });

    it('refuses the same key with another body (422) and writes nothing', async () => {
      const { api, table } = await freshApi();
      const headers = { 'idempotency-key': 'k-1' };
      await call(api, 'POST', '/items', { json: { name: 'one' }, headers });
      const before = await fixture.records(table);
      expectError(await call(api, 'POST', '/items', { json: { name: 'two' }, headers }), 422, 'idempotency_key_reused');
      expect(await fixture.records(table)).toEqual(before);
    });
  });

  describe('pagination', () => {
    it('walks more items than one page with limit and cursor, each item once', async () => {
      const { api } = await freshApi();
      const ids = new Set<string>();
      for (let i = 0; i < 25; i++) ids.add((await create(api, { name: `n${i}` })).body.id);
      const seen: string[] = [];
      let path = '/items?limit=10';
      let pages = 0;
      for (;;) {
        const res = await call(api, 'GET', path);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(10);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        pages++;
        if (!res.body.nextCursor) break;
        path = `/items?limit=10&cursor=${encodeURIComponent(res.body.nextCursor)}`;
      }
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual([...ids].sort());
    });
  });

  describe('edge cache headers', () => {
    it('ttl mode: successful reads carry max-age=<ttl>, writes and errors no-store', async () => {
      const { api } = await freshApi({ cacheMode: 'ttl', ttlSeconds: 120 });
      const { body, headers } = await create(api);
      expect(headers['cache-control']).toBe('no-store');
      expect((await call(api, 'GET', `/items/${body.id}`)).headers['cache-control']).toBe('public, max-age=120');
      expect((await call(api, 'GET', '/items')).headers['cache-control']).toBe('public, max-age=120');
      expect((await call(api, 'GET', '/items/AAAAAAAAAAAAAAAAAAAAAA')).headers['cache-control']).toBe('no-store');
    });

    it('off mode: nothing is cacheable', async () => {
      const { api } = await freshApi({ cacheMode: 'off' });
      const { body } = await create(api);
      expect((await call(api, 'GET', `/items/${body.id}`)).headers['cache-control']).toBe('no-store');
    });
  });

  describe('bad input: the right status, a JSON error, nothing written', () => {
    let api: ItemsApi;
    let table: string;
    let existingId: string;
    let before: Record<string, unknown>[];

    beforeAll(async () => {
      ({ api, table } = await freshApi());
      existingId = (await create(api, { name: 'existing', attributes: { a: 1 } })).body.id;
    });
    beforeEach(async () => {
      before = await fixture.records(table);
    });
    afterEach(async () => {
      expect(await fixture.records(table)).toEqual(before);
    });

    it('malformed JSON -> 400 malformed_json', async () => {
      expectError(await call(api, 'POST', '/items', { body: '{"name": "x",', headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
      expectError(await call(api, 'PUT', `/items/${existingId}`, { body: "{name: 'x'}", headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
    });

    it('a body that is not valid UTF-8 -> 400 malformed_json', async () => {
      const event = toApiGatewayEvent({ method: 'POST', path: '/items', headers: { 'content-type': 'application/json' } });
      const body = Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('base64');
      const res = await invoke(api, { ...event, body, isBase64Encoded: true });
      expectError(res, 400, 'malformed_json');
      expect(res.body.error.message).toContain('UTF-8');
    });

    it('a media type other than JSON -> 415 unsupported_media_type', async () => {
      const res = await call(api, 'POST', '/items', { body: Buffer.from('{"name":"x"}'), headers: { 'content-type': 'application/octet-stream' } });
      expectError(res, 415, 'unsupported_media_type');
    });

    it('a body that is not a JSON object -> 400 invalid_body', async () => {
      for (const body of ['[]', '"name"', '42', 'null', 'true']) {
        expectError(await call(api, 'POST', '/items', { body, headers: { 'content-type': 'application/json' } }), 400, 'invalid_body');
      }
    });

    it('no body -> 400 missing_body', async () => {
      expectError(await call(api, 'POST', '/items', { headers: { 'content-type': 'application/json' } }), 400, 'missing_body');
    });

    it('a form-encoded body -> 415 unsupported_media_type', async () => {
      expectError(await call(api, 'POST', '/items', { body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    });

    it('unknown fields -> 400 validation_failed naming each', async () => {
      const res = await call(api, 'POST', '/items', { json: { name: 'x', colour: 'red', id: 'mine' } });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['colour', 'id']);
    });

    it('wrongly typed fields -> 400 validation_failed', async () => {
      const res = await call(api, 'POST', '/items', { json: { name: 1, tags: 'a', attributes: { nested: { x: 1 } } } });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['name', 'tags', 'attributes.nested']);
    });

    it('a missing name -> 400 validation_failed', async () => {
      expectError(await call(api, 'POST', '/items', { json: { description: 'no name' } }), 400, 'validation_failed');
    });

    it('a name over 200 characters -> 400 validation_failed', async () => {
      const res = await call(api, 'POST', '/items', { json: { name: 'x'.repeat(201) } });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.message).toContain('name: must be 1-200 characters long');
    });

    it('a description over 4,000 characters -> 400 validation_failed', async () => {
      expectError(await call(api, 'PUT', `/items/${existingId}`, { json: { name: 'x', description: 'd'.repeat(4001) } }), 400, 'validation_failed');
    });

    it('more than 20 tags -> 400 validation_failed', async () => {
      expectError(await call(api, 'POST', '/items', { json: { name: 'x', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) } }), 400, 'validation_failed');
    });

    it('a tag over 50 characters -> 400 validation_failed', async () => {
      expectError(await call(api, 'PATCH', `/items/${existingId}`, { json: { tags: ['t'.repeat(51)] } }), 400, 'validation_failed');
    });

    it('more than 50 attributes, also after merging a PATCH -> 400 validation_failed', async () => {
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
      expectError(await call(api, 'POST', '/items', { json: { name: 'x', attributes: many } }), 400, 'validation_failed');
      const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
      expectError(await call(api, 'PATCH', `/items/${existingId}`, { json: { attributes: fifty } }), 400, 'validation_failed');
    });

    it('an empty PATCH -> 400 validation_failed', async () => {
      expectError(await call(api, 'PATCH', `/items/${existingId}`, { json: {} }), 400, 'validation_failed');
    });

    it('a body over 256 KB -> 413 payload_too_large', async () => {
      const res = await call(api, 'POST', '/items', { json: { name: 'x', description: 'd', attributes: { big: 'x'.repeat(256 * 1024) } } });
      expectError(res, 413, 'payload_too_large');
    });

    it('an item that would exceed DynamoDB 400 KB -> 413 item_too_large', async () => {
      const half = (prefix: string) => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${prefix}${i}`, 'v'.repeat(11_000)]));
      // Each body is under 256 KB; merged, the item would not fit.
      const big = await create(api, { name: 'big', attributes: half('a') });
      before = await fixture.records(table);
      expectError(await call(api, 'PATCH', `/items/${big.body.id}`, { json: { attributes: half('b') } }), 413, 'item_too_large');
    });

    it('an invalid id -> 400 invalid_id on every item route', async () => {
      for (const [method, json] of [['GET'], ['PUT', { name: 'x' }], ['PATCH', { name: 'x' }], ['DELETE']] as const) {
        for (const id of ['short', 'A'.repeat(23), 'AAAAAAAAAAAAAAAAAAAA%2F', "AAAAAAAAAAAAAAAAAAAAA'"]) {
          expectError(await call(api, method, `/items/${id}`, { json }), 400, 'invalid_id');
        }
      }
    });

    it('a bad cursor -> 400 invalid_cursor', async () => {
      for (const cursor of ['garbage', 'eyJ2IjoxLCJwayI6IklURU0jeCIsInNrIjoiSVRFTSJ9', '%25%25']) {
        expectError(await call(api, 'GET', `/items?cursor=${cursor}`), 400, 'invalid_cursor');
      }
    });

    it('limit out of range or not an integer -> 400 invalid_limit', async () => {
      for (const limit of ['0', '101', '-1', '1.5', 'ten', '', '1e2', '5&limit=6']) {
        expectError(await call(api, 'GET', `/items?limit=${limit}`), 400, 'invalid_limit');
      }
    });

    it('a malformed If-Match -> 400 invalid_if_match', async () => {
      for (const value of ['"abc"', '"0"', 'W/', '"1", nope']) {
        expectError(await call(api, 'PUT', `/items/${existingId}`, { json: { name: 'x' }, headers: { 'if-match': value } }), 400, 'invalid_if_match');
      }
    });

    it('a malformed Idempotency-Key -> 400 invalid_idempotency_key', async () => {
      for (const value of ['', 'k'.repeat(256), 'naïve']) {
        expectError(await call(api, 'POST', '/items', { json: { name: 'x' }, headers: { 'idempotency-key': value } }), 400, 'invalid_idempotency_key');
      }
    });

    it('an unknown route -> 404 route_not_found', async () => {
      for (const path of ['/', '/item', '/items/', `/items/${'A'.repeat(22)}/extra`, '/health/deep']) {
        expectError(await call(api, 'GET', path), 404, 'route_not_found');
      }
    });

    it('a wrong method -> 405 method_not_allowed with Allow', async () => {
      const cases: [string, string, string][] = [
        ['DELETE', '/items', 'GET, POST'],
        ['POST', `/items/${existingId}`, 'GET, PUT, PATCH, DELETE'],
        ['PUT', '/health', 'GET'],
        ['OPTIONS', '/items', 'GET, POST'],
      ];
      for (const [method, path, allow] of cases) {
        const res = await call(api, method, path, { json: { name: 'x' } });
        expectError(res, 405, 'method_not_allowed');
        expect(res.headers.allow).toBe(allow);
      }
    });
  });

  it('answers an unexpected fault with 500 internal_error and no internal detail', async () => {
    const api = fixture.api({ tableName: 'no-such-table' });
    const res = await call(api, 'GET', '/items/AAAAAAAAAAAAAAAAAAAAAA');
    expectError(res, 500, 'internal_error');
    expect(res.body.error.message).not.toContain('no-such-table');
    expect(res.body.error.message).not.toContain('ResourceNotFound');
  });
});
