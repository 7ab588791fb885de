import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { encodeKeyCursor } from './dynamodb';
import { createServiceTable, DynamoDbLocal, localClientConfig } from '@platform/dynamodb-local';
import { ResourceRepository } from './resource-repository';
import { ServiceError } from './service-error';

jest.setTimeout(60_000);

interface Thing {
  readonly name: string;
}

let server: DynamoDbLocal;
let client: DynamoDBClient;
let tables = 0;
beforeAll(async () => {
  server = await DynamoDbLocal.start();
  client = new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: 'eu-west-1' }));
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

async function repository(kind = 'THING') {
  const tableName = `things-${++tables}`;
  await createServiceTable(client, tableName);
  return { tableName, repo: new ResourceRepository<Thing>({ client, tableName, region: 'eu-west-1', kind }) };
}

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    if (err instanceof ServiceError) return err.code;
    throw err;
  }
}

describe('ResourceRepository over DynamoDB Local', () => {
  it('lists page by page with opaque cursors, only its own kind', async () => {
    const { tableName, repo } = await repository();
    const other = new ResourceRepository<Thing>({ client, tableName, region: 'eu-west-1', kind: 'OTHER' });
    for (let i = 0; i < 5; i++) await repo.create({ name: `t${i}` });
    await other.create({ name: 'not mine' });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.list({ limit: 2, cursor });
      seen.push(...page.items.map((t) => t.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });

  it('refuses a cursor of another kind or a forged one', async () => {
    const { repo } = await repository();
    const forged = Buffer.from(JSON.stringify({ v: 1, pk: 'OTHER#AAAAAAAAAAAAAAAAAAAAAA', sk: 'OTHER' })).toString('base64url');
    expect(await code(repo.list({ cursor: forged }))).toBe('invalid_cursor');
    expect(await code(repo.list({ cursor: 'not a cursor' }))).toBe('invalid_cursor');
  });

  it('deletes only at the version If-Match names, and says the current one otherwise', async () => {
    const { repo } = await repository();
    const { resource } = await repo.create({ name: 'a' });
    await repo.replace(resource.id, { name: 'b' });

    const stale = await repo.delete(resource.id, { ifMatch: [1] }).catch((err: ServiceError) => err);
    expect(stale).toMatchObject({ code: 'precondition_failed', extra: { currentVersion: 2 } });
    await repo.delete(resource.id, { ifMatch: [2] });
    expect(await repo.get(resource.id)).toBeUndefined();
    expect(await code(repo.delete(resource.id))).toBe('not_found');
  });

  it('refuses a reused idempotency key with another body', async () => {
    const { repo } = await repository();
    await repo.create({ name: 'a' }, { idempotencyKey: 'k' });
    expect(await code(repo.create({ name: 'b' }, { idempotencyKey: 'k' }))).toBe('idempotency_key_reused');
  });

  it('given a create retried in another region before the first attempt replicated, when both carry the same key and body, then both write the same id (one record once replicated)', async () => {
    // Two tables stand for two regions' replicas between which nothing has replicated yet
    // (the region-kill case: the first region dies before answering, the retry fails over).
    const first = await repository();
    const second = await repository();
    const a = await first.repo.create({ name: 'lamp' }, { idempotencyKey: 'order-7' });
    const b = await second.repo.create({ name: 'lamp' }, { idempotencyKey: 'order-7' });
    expect(b.replayed).toBe(false);
    expect(b.resource.id).toBe(a.resource.id);
    // Another body or another key is another record; no key, a random id every time.
    expect((await second.repo.create({ name: 'desk' }, { idempotencyKey: 'order-7-desk' })).resource.id).not.toBe(a.resource.id);
    expect((await first.repo.create({ name: 'lamp' }, { idempotencyKey: 'order-8' })).resource.id).not.toBe(a.resource.id);
    const [x, y] = [await first.repo.create({ name: 'lamp' }), await first.repo.create({ name: 'lamp' })];
    expect(x.resource.id).not.toBe(y.resource.id);
    expect(a.resource.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('given a record that replicated before its idempotency record, when the same create is retried here, then it is replayed, not written twice', async () => {
    const first = await repository();
    const second = await repository();
    const { resource } = await first.repo.create({ name: 'lamp' }, { idempotencyKey: 'order-9' });
    // Only the record reaches the second region (a global table replicates a transaction's items one by one).
    const copy = await client.send(new ScanCommand({ TableName: first.tableName }));
    await client.send(new PutItemCommand({ TableName: second.tableName, Item: copy.Items!.find((r) => r.sk.S === 'THING')! }));
    const retried = await second.repo.create({ name: 'lamp' }, { idempotencyKey: 'order-9' });
    expect(retried).toEqual({ resource, replayed: true });
    expect((await client.send(new ScanCommand({ TableName: second.tableName }))).Items!.filter((r) => r.sk.S === 'THING')).toHaveLength(1);
  });

  it('given the idempotency record expired, when the same key and body create again, then that is a new record (the key counts as unused)', async () => {
    const tableName = `things-${++tables}`;
    await createServiceTable(client, tableName);
    let now = new Date('2026-01-01T00:00:00Z');
    const repo = new ResourceRepository<Thing>({ client, tableName, region: 'eu-west-1', kind: 'THING', idempotencyTtlSeconds: 60, clock: () => now });
    const first = await repo.create({ name: 'a' }, { idempotencyKey: 'k' });
    now = new Date('2026-01-01T00:05:00Z');
    const second = await repo.create({ name: 'a' }, { idempotencyKey: 'k' });
    expect(second.replayed).toBe(false);
    expect(second.resource.id).not.toBe(first.resource.id);
    // And its retry replays it.
    expect(await repo.create({ name: 'a' }, { idempotencyKey: 'k' })).toEqual({ resource: second.resource, replayed: true });
  });

  it('given a page cut short on one of its idempotency records, when listed from that cursor, then the cursor is accepted', async () => {
    const { repo } = await repository();
    const cursor = encodeKeyCursor({ pk: `IDEMPOTENCY#THING#${'a'.repeat(64)}`, sk: 'IDEMPOTENCY' }, 'pk', 'sk');
    await expect(repo.list({ cursor })).resolves.toEqual({ items: [] });
  });

  it('given a caller, when it creates and another replaces, then createdBy and updatedBy name them', async () => {
    const { repo } = await repository();
    const { resource } = await repo.create({ name: 'a' }, { actor: 'alice' });
    expect(resource).toMatchObject({ createdBy: 'alice', updatedBy: 'alice' });
    expect(await repo.replace(resource.id, { name: 'b' }, {}, { actor: 'bob' })).toMatchObject({ createdBy: 'alice', updatedBy: 'bob', version: 2 });
    const { resource: anonymous } = await repo.create({ name: 'c' });
    expect(Object.keys(anonymous)).not.toEqual(expect.arrayContaining(['createdBy']));
  });

  it('given an idempotent create, then the idempotency record carries the write time the local replication orders by', async () => {
    const { repo, tableName } = await repository();
    await repo.create({ name: 'a' }, { idempotencyKey: 'k' });
    const scan = await client.send(new ScanCommand({ TableName: tableName }));
    const record = scan.Items!.find((r) => r.sk.S === 'IDEMPOTENCY')!;
    expect(record.pk.S).toMatch(/^IDEMPOTENCY#THING#[0-9a-f]{64}$/);
    expect(Object.keys(record).sort()).toEqual(['createdAt', 'expiresAt', 'fingerprint', 'pk', 'resource', 'sk']);
  });

  it('refuses a kind that is not upper case', () => {
    expect(() => new ResourceRepository({ client, tableName: 't', region: 'eu-west-1', kind: 'thing' })).toThrow('must be upper case');
  });
});
