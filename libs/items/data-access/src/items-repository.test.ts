import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createServiceTable, DynamoDbLocal, localClientConfig } from '@platform/dynamodb-local';
import { SERVICE_TABLE } from '@platform/table-definition';
import { ItemsError, ItemsRepository, isItemId, type ItemsRepositoryProps } from './index';

jest.setTimeout(60_000);

const REGION = 'eu-west-1';
let server: DynamoDbLocal;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableCount = 0;

beforeAll(async () => {
  server = await DynamoDbLocal.start();
  client = new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: REGION }));
  doc = DynamoDBDocumentClient.from(client);
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

/** A repository on a fresh table, so counts in one test do not see another's records. */
async function freshRepository(props: Partial<ItemsRepositoryProps> = {}): Promise<{ repo: ItemsRepository; tableName: string }> {
  const tableName = `items-${++tableCount}`;
  await createServiceTable(client, tableName);
  return { repo: new ItemsRepository({ client, tableName, region: REGION, ...props }), tableName };
}

async function allRecords(tableName: string): Promise<Record<string, unknown>[]> {
  const res = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return res.Items ?? [];
}

async function errorOf(promise: Promise<unknown>): Promise<ItemsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ItemsError);
  return err as ItemsError;
}

describe('ItemsRepository', () => {
  describe('create', () => {
    it('stores the item under the shared key schema with server fields', async () => {
      const { repo, tableName } = await freshRepository();
      const { item, replayed } = await repo.create({ name: 'lamp', tags: ['home'], attributes: { watts: 40, led: true } });
      expect(replayed).toBe(false);
      expect(isItemId(item.id)).toBe(true);
      expect(item).toMatchObject({ name: 'lamp', version: 1, updatedRegion: REGION, tags: ['home'], attributes: { watts: 40, led: true } });
      expect(item.createdAt).toBe(item.updatedAt);
      const raw = await doc.send(new GetCommand({ TableName: tableName, Key: { [SERVICE_TABLE.partitionKey]: `ITEM#${item.id}`, [SERVICE_TABLE.sortKey]: 'ITEM' } }));
      expect(raw.Item).toMatchObject({ id: item.id, name: 'lamp', version: 1 });
      expect(await repo.get(item.id)).toEqual(item);
    });

    it('never overwrites an existing item, even with a colliding id', async () => {
      const { repo, tableName } = await freshRepository({ newId: () => 'AAAAAAAAAAAAAAAAAAAAAA' });
      await repo.create({ name: 'first' });
      const err = await errorOf(repo.create({ name: 'second' }));
      expect(err.code).toBe('conflict');
      const records = await allRecords(tableName);
      expect(records).toHaveLength(1);
      expect(records[0].name).toBe('first');
    });
  });

  describe('idempotent create', () => {
    it('gives a retry with the same key and body the first result, and stores one item', async () => {
      const { repo, tableName } = await freshRepository();
      const first = await repo.create({ name: 'x', attributes: { a: 1, b: 2 } }, { idempotencyKey: 'key-1' });
      const retry = await repo.create({ attributes: { b: 2, a: 1 }, name: 'x' }, { idempotencyKey: 'key-1' });
      expect(retry.replayed).toBe(true);
      expect(retry.item).toEqual(first.item);
      const items = (await allRecords(tableName)).filter((r) => r[SERVICE_TABLE.sortKey] === 'ITEM');
      expect(items).toHaveLength(1);
    });

    it('stores the key hashed, with an expiry in the TTL attribute', async () => {
      const now = new Date('2030-01-01T00:00:00Z');
      const { repo, tableName } = await freshRepository({ clock: () => now, idempotencyTtlSeconds: 3600 });
      await repo.create({ name: 'x' }, { idempotencyKey: 'secret-key' });
      const record = (await allRecords(tableName)).find((r) => r[SERVICE_TABLE.sortKey] === 'IDEMPOTENCY')!;
      expect(String(record[SERVICE_TABLE.partitionKey])).toMatch(/^IDEMPOTENCY#[0-9a-f]{64}$/);
      expect(JSON.stringify(record)).not.toContain('secret-key');
      expect(record[SERVICE_TABLE.ttlAttribute]).toBe(now.getTime() / 1000 + 3600);
    });

    it('refuses the same key with a different body and writes nothing', async () => {
      const { repo, tableName } = await freshRepository();
      await repo.create({ name: 'x' }, { idempotencyKey: 'key-2' });
      const before = await allRecords(tableName);
      const err = await errorOf(repo.create({ name: 'y' }, { idempotencyKey: 'key-2' }));
      expect(err.code).toBe('idempotency_key_reused');
      expect(await allRecords(tableName)).toEqual(before);
    });

    it('treats an expired key as unused', async () => {
      let now = new Date('2030-01-01T00:00:00Z');
      const { repo } = await freshRepository({ clock: () => now, idempotencyTtlSeconds: 60 });
      const first = await repo.create({ name: 'x' }, { idempotencyKey: 'key-3' });
      now = new Date(now.getTime() + 61_000);
      const second = await repo.create({ name: 'x' }, { idempotencyKey: 'key-3' });
      expect(second.replayed).toBe(false);
      expect(second.item.id).not.toBe(first.item.id);
    });

    it('creates one item when the same key arrives concurrently', async () => {
      const { repo, tableName } = await freshRepository();
      const results = await Promise.all(Array.from({ length: 4 }, () => repo.create({ name: 'race' }, { idempotencyKey: 'key-4' })));
      expect(new Set(results.map((r) => r.item.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect((await allRecords(tableName)).filter((r) => r[SERVICE_TABLE.sortKey] === 'ITEM')).toHaveLength(1);
    });
  });

  describe('replace', () => {
    it('replaces the fields, removes absent optional ones, bumps the version and keeps createdAt', async () => {
      const { repo } = await freshRepository();
      const { item } = await repo.create({ name: 'a', description: 'd', tags: ['t'] });
      const replaced = await repo.replace(item.id, { name: 'b', attributes: { k: 'v' } });
      expect(replaced).toEqual({
        id: item.id,
        name: 'b',
        attributes: { k: 'v' },
        version: 2,
        createdAt: item.createdAt,
        updatedAt: expect.any(String),
        updatedRegion: REGION,
      });
      expect(await repo.get(item.id)).toEqual(replaced);
    });

    it('fails with precondition_failed and the current version when If-Match is stale', async () => {
      const { repo } = await freshRepository();
      const { item } = await repo.create({ name: 'a' });
      await repo.replace(item.id, { name: 'b' }, { ifMatch: [1] });
      const err = await errorOf(repo.replace(item.id, { name: 'c' }, { ifMatch: [1] }));
      expect(err.code).toBe('precondition_failed');
      expect(err.extra.currentVersion).toBe(2);
      expect((await repo.get(item.id))?.name).toBe('b');
    });

    it('answers not_found for a missing item, with or without If-Match', async () => {
      const { repo, tableName } = await freshRepository();
      expect((await errorOf(repo.replace('AAAAAAAAAAAAAAAAAAAAAA', { name: 'x' }))).code).toBe('not_found');
      expect((await errorOf(repo.replace('AAAAAAAAAAAAAAAAAAAAAA', { name: 'x' }, { ifMatch: [1] }))).code).toBe('not_found');
      expect(await allRecords(tableName)).toEqual([]);
    });

    it('lets exactly one of two concurrent writers with the same If-Match win', async () => {
      const { repo } = await freshRepository();
      const { item } = await repo.create({ name: 'a' });
      const results = await Promise.allSettled([repo.replace(item.id, { name: 'left' }, { ifMatch: [1] }), repo.replace(item.id, { name: 'right' }, { ifMatch: [1] })]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0].reason as ItemsError).code).toBe('precondition_failed');
      const stored = await repo.get(item.id);
      expect(stored?.version).toBe(2);
      expect(stored?.name).toBe((won[0] as PromiseFulfilledResult<{ name: string }>).value.name);
    });
  });

  describe('patch', () => {
    it('merges: absent fields stay, null removes, attributes merge key by key', async () => {
      const { repo } = await freshRepository();
      const { item } = await repo.create({ name: 'a', description: 'd', tags: ['t'], attributes: { keep: 1, drop: 2, change: 'x' } });
      const patched = await repo.patch(item.id, { description: null, tags: ['u', 'v'], attributes: { drop: null, change: 'y', add: true } });
      expect(patched).toMatchObject({ name: 'a', tags: ['u', 'v'], attributes: { keep: 1, change: 'y', add: true }, version: 2 });
      expect(patched).not.toHaveProperty('description');
      expect(await repo.get(item.id)).toEqual(patched);
    });

    it('validates the merged item: more than 50 attributes is refused and nothing is written', async () => {
      const { repo } = await freshRepository();
      const attrs = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`a${i}`, i]));
      const { item } = await repo.create({ name: 'a', attributes: attrs });
      const more = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`b${i}`, i]));
      const err = await errorOf(repo.patch(item.id, { attributes: more }));
      expect(err.code).toBe('validation_failed');
      expect(err.message).toContain('at most 50 keys');
      expect(await repo.get(item.id)).toEqual(item);
    });

    it('refuses a patch that would push the item past 400 KB and writes nothing', async () => {
      const { repo } = await freshRepository();
      const big = (prefix: string) => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${prefix}${i}`, 'x'.repeat(11_000)]));
      const { item } = await repo.create({ name: 'a', attributes: big('a') });
      const err = await errorOf(repo.patch(item.id, { attributes: big('b') }));
      expect(err.code).toBe('item_too_large');
      expect(await repo.get(item.id)).toEqual(item);
    });

    it('answers precondition_failed for a stale If-Match without writing', async () => {
      const { repo } = await freshRepository();
      const { item } = await repo.create({ name: 'a' });
      const err = await errorOf(repo.patch(item.id, { name: 'b' }, { ifMatch: [7] }));
      expect(err.code).toBe('precondition_failed');
      expect(err.extra.currentVersion).toBe(1);
      expect(await repo.get(item.id)).toEqual(item);
    });

    it('lets exactly one of two concurrent patches with the same If-Match win', async () => {
      const { repo } = await freshRepository();
      const { item } = await repo.create({ name: 'a' });
      const results = await Promise.allSettled([repo.patch(item.id, { name: 'left' }, { ifMatch: [1] }), repo.patch(item.id, { name: 'right' }, { ifMatch: [1] })]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect((lost?.reason as ItemsError).code).toBe('precondition_failed');
      expect((await repo.get(item.id))?.version).toBe(2);
    });

    it('applies both of two concurrent patches without If-Match (read-modify-write retries)', async () => {
      const { repo } = await freshRepository();
      const { item } = await repo.create({ name: 'a' });
      await Promise.all([repo.patch(item.id, { attributes: { left: 1 } }), repo.patch(item.id, { attributes: { right: 2 } })]);
      const stored = await repo.get(item.id);
      expect(stored?.version).toBe(3);
      expect(stored?.attributes).toEqual({ left: 1, right: 2 });
    });

    it('answers not_found for a missing item', async () => {
      const { repo } = await freshRepository();
      expect((await errorOf(repo.patch('AAAAAAAAAAAAAAAAAAAAAA', { name: 'x' }))).code).toBe('not_found');
    });
  });

  describe('delete', () => {
    it('deletes, honours If-Match and answers not_found afterwards', async () => {
      const { repo } = await freshRepository();
      const { item } = await repo.create({ name: 'a' });
      expect((await errorOf(repo.delete(item.id, { ifMatch: [2] }))).code).toBe('precondition_failed');
      expect(await repo.get(item.id)).toEqual(item);
      await repo.delete(item.id, { ifMatch: [1] });
      expect(await repo.get(item.id)).toBeUndefined();
      expect((await errorOf(repo.delete(item.id))).code).toBe('not_found');
    });
  });

  describe('list', () => {
    it('pages through more items than one page, each exactly once, skipping idempotency records', async () => {
      const { repo } = await freshRepository();
      const created = new Set<string>();
      for (let i = 0; i < 23; i++) created.add((await repo.create({ name: `n${i}` }, i % 3 === 0 ? { idempotencyKey: `k${i}` } : {})).item.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await repo.list({ limit: 5, cursor });
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 50);
      expect(seen.sort()).toEqual([...created].sort());
      expect(pages).toBeGreaterThanOrEqual(5);
    });

    it('resumes correctly when the item a cursor points at was deleted', async () => {
      const { repo } = await freshRepository();
      for (let i = 0; i < 12; i++) await repo.create({ name: `n${i}` });
      const first = await repo.list({ limit: 4 });
      await repo.delete(first.items[3].id);
      const rest: string[] = [];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await repo.list({ limit: 4, cursor });
        rest.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      }
      expect(rest).toHaveLength(8);
      expect(new Set([...first.items.map((i) => i.id), ...rest]).size).toBe(12);
    });

    it('refuses a cursor it did not issue', async () => {
      const { repo } = await freshRepository();
      for (const cursor of ['not-a-cursor', Buffer.from('{"v":1,"pk":"ITEM#x","sk":"ITEM"}').toString('base64url'), '!!!', 'a'.repeat(500)]) {
        expect((await errorOf(repo.list({ cursor }))).code).toBe('invalid_cursor');
      }
    });

    it('refuses a limit out of range', async () => {
      const { repo } = await freshRepository();
      await expect(repo.list({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(repo.list({ limit: 101 })).rejects.toThrow(RangeError);
    });
  });

  describe('DynamoDB faults', () => {
    it('turns a throttle into a retryable error and writes nothing', async () => {
      const { tableName } = await freshRepository();
      const throttled = new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: REGION }));
      throttled.middlewareStack.add(
        () => async () => {
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' });
        },
        { step: 'initialize', name: 'throttle-everything' },
      );
      try {
        const repo = new ItemsRepository({ client: throttled, tableName, region: REGION });
        const err = await errorOf(repo.create({ name: 'x' }));
        expect(err.code).toBe('throttled');
        expect(err.extra.retryAfterSeconds).toBeGreaterThan(0);
        expect(await allRecords(tableName)).toEqual([]);
      } finally {
        throttled.destroy();
      }
    });

    it('ping answers while the table is reachable', async () => {
      const { repo } = await freshRepository();
      await expect(repo.ping()).resolves.toBeUndefined();
    });
  });

  describe('the table layout and requests (pinned: records written before a change must still be read, replayed and conditioned the same)', () => {
    const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
    const NOW = new Date('2030-01-01T00:00:00.000Z');

    /** A repository whose client records what it sends (table name left out). */
    async function recordingRepository(): Promise<{ repo: ItemsRepository; tableName: string; sent: { command: string; input: Record<string, unknown> }[] }> {
      const tableName = `items-${++tableCount}`;
      await createServiceTable(client, tableName);
      const recording = new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: REGION }));
      const sent: { command: string; input: Record<string, unknown> }[] = [];
      recording.middlewareStack.add(
        (next, context) => async (args) => {
          sent.push({ command: String(context.commandName), input: JSON.parse(JSON.stringify(args.input, (k, v: unknown) => (k === 'TableName' ? undefined : v))) });
          return next(args);
        },
        { step: 'initialize', name: 'record-requests' },
      );
      return { repo: new ItemsRepository({ client: recording, tableName, region: REGION, clock: () => NOW, newId: () => ID, idempotencyTtlSeconds: 3600 }), tableName, sent };
    }

    it('given an idempotent create with a caller, then the item and idempotency records have exactly these attributes', async () => {
      const { repo, tableName, sent } = await recordingRepository();
      const { item } = await repo.create({ name: 'lamp', tags: ['home'] }, { idempotencyKey: 'key-1', actor: 'alice' });
      const expectedItem = { id: ID, name: 'lamp', tags: ['home'], version: 1, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), updatedRegion: REGION, createdBy: 'alice', updatedBy: 'alice' };
      expect(item).toEqual(expectedItem);
      const records = await allRecords(tableName);
      expect(records.find((r) => r.sk === 'ITEM')).toEqual({ pk: `ITEM#${ID}`, sk: 'ITEM', ...expectedItem });
      expect(records.find((r) => r.sk === 'IDEMPOTENCY')).toEqual({
        pk: `IDEMPOTENCY#${createHash('sha256').update('key-1').digest('hex')}`,
        sk: 'IDEMPOTENCY',
        [SERVICE_TABLE.ttlAttribute]: NOW.getTime() / 1000 + 3600,
        fingerprint: createHash('sha256').update('{"name":"lamp","tags":["home"]}').digest('hex'),
        item: expectedItem,
        createdAt: NOW.toISOString(),
      });
      const transaction = sent.find((s) => s.command === 'TransactWriteItemsCommand')!.input.TransactItems as { Put: Record<string, unknown> }[];
      expect(transaction.map((t) => [t.Put.ConditionExpression, t.Put.ExpressionAttributeNames])).toEqual([
        ['attribute_not_exists(#pk) OR #ttl < :now', { '#pk': 'pk', '#ttl': SERVICE_TABLE.ttlAttribute }],
        ['attribute_not_exists(#pk)', { '#pk': 'pk' }],
      ]);
    });

    it('given each write, then its condition expression is the one records were always written under', async () => {
      const { repo, sent } = await recordingRepository();
      await repo.create({ name: 'a', description: 'd' });
      await repo.replace(ID, { name: 'b' }, { ifMatch: [1] }, { actor: 'bob' });
      await repo.patch(ID, { tags: ['t'] }, { ifMatch: [2] });
      await repo.list({ limit: 5 });
      await repo.delete(ID, { ifMatch: [3] });
      const requests = sent.map(({ command, input }) => ({
        command,
        ...Object.fromEntries(['Key', 'ConditionExpression', 'UpdateExpression', 'FilterExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues'].filter((k) => input[k] !== undefined).map((k) => [k, input[k]])),
      }));
      expect(requests).toEqual([
        { command: 'PutItemCommand', ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } },
        {
          command: 'UpdateItemCommand',
          Key: { pk: `ITEM#${ID}`, sk: 'ITEM' },
          UpdateExpression: 'SET #version = #version + :one, #updatedAt = :updatedAt, #updatedRegion = :updatedRegion, #updatedBy = :updatedBy, #name = :name REMOVE #description, #tags, #attributes',
          ConditionExpression: 'attribute_exists(#pk) AND #version IN (:v0)',
          ExpressionAttributeNames: {
            '#pk': 'pk', '#version': 'version', '#updatedAt': 'updatedAt', '#updatedRegion': 'updatedRegion', '#updatedBy': 'updatedBy',
            '#name': 'name', '#description': 'description', '#tags': 'tags', '#attributes': 'attributes',
          },
          ExpressionAttributeValues: { ':one': 1, ':updatedAt': NOW.toISOString(), ':updatedRegion': REGION, ':updatedBy': 'bob', ':name': 'b', ':v0': 1 },
        },
        { command: 'GetItemCommand', Key: { pk: `ITEM#${ID}`, sk: 'ITEM' } },
        { command: 'PutItemCommand', ConditionExpression: '#version = :read', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':read': 2 } },
        { command: 'ScanCommand', FilterExpression: '#sk = :kind', ExpressionAttributeNames: { '#sk': 'sk' }, ExpressionAttributeValues: { ':kind': 'ITEM' } },
        {
          command: 'DeleteItemCommand',
          Key: { pk: `ITEM#${ID}`, sk: 'ITEM' },
          ConditionExpression: 'attribute_exists(#pk) AND #version IN (:v0)',
          ExpressionAttributeNames: { '#pk': 'pk', '#version': 'version' },
          ExpressionAttributeValues: { ':v0': 3 },
        },
      ]);
    });

    it('given a page cut short on an idempotency record, then its cursor is accepted', async () => {
      const { repo } = await freshRepository();
      const cursor = Buffer.from(JSON.stringify({ v: 1, pk: `IDEMPOTENCY#${'a'.repeat(64)}`, sk: 'IDEMPOTENCY' })).toString('base64url');
      await expect(repo.list({ cursor })).resolves.toEqual({ items: [] });
    });
  });

  it('writes records the global stack table accepts (sanity: raw put with the shared keys)', async () => {
    const { tableName } = await freshRepository();
    await doc.send(new PutCommand({ TableName: tableName, Item: { [SERVICE_TABLE.partitionKey]: 'p', [SERVICE_TABLE.sortKey]: 's' } }));
    expect(await allRecords(tableName)).toHaveLength(1);
  });
});
