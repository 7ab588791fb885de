// Against a real PostgreSQL (and Redis for the cache), with the table of the migration
// the generator writes for a service on Aurora.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, PostgresServer } from '@platform/local-postgres';
import { RedisServer } from '@platform/local-redis';
import { ResourceCache } from '../cache/resource-cache';
import { ServiceError } from '../service-error';
import { PostgresResourceRepository, recordsTableMigration } from './postgres-resource-repository';
import { RelationalDatabase } from './relational-database';

jest.setTimeout(60_000);

interface Note {
  readonly name: string;
  readonly tags?: readonly string[];
}

let dir: string;
let server: PostgresServer;
let redis: RedisServer;
const opened: { close(): Promise<void> }[] = [];
let tables = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'postgres-repository-'));
  server = await PostgresServer.startPrimary({ dataDir: join(dir, 'pg'), name: 'eu-west-1' });
  await createDatabase(server, { database: 'app', user: 'app', password: 'pw' });
  redis = await RedisServer.start({ dataDir: join(dir, 'redis'), name: 'eu-west-1' });
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((o) => o.close()));
  await Promise.allSettled([server?.stop(), redis?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A repository on a table of its own, made by the generator's first migration. */
async function freshRepository(options: { cache?: ResourceCache; region?: string } = {}) {
  const table = `notes_${++tables}`;
  const database = new RelationalDatabase({
    writer: { host: '127.0.0.1', port: server.port },
    reader: { host: '127.0.0.1', port: server.port },
    database: 'app',
    user: 'app',
    password: 'pw',
    writeRouting: 'writer-endpoint',
  });
  opened.push(database);
  // As the app's user, as the migrate target applies it.
  await database.write((c) => c.query(recordsTableMigration(table).split('-- Down Migration')[0]!));
  return { table, repository: new PostgresResourceRepository<Note>({ database, table, region: options.region ?? 'eu-west-1', cache: options.cache }) };
}

async function error(promise: Promise<unknown>): Promise<ServiceError> {
  return promise.then(
    () => {
      throw new Error('expected a ServiceError');
    },
    (err: unknown) => err as ServiceError,
  );
}

describe('PostgresResourceRepository', () => {
  it('creates a record at version 1 with its metadata, and reads it back', async () => {
    const { repository } = await freshRepository();
    const { resource, replayed } = await repository.create({ name: 'first', tags: ['a'] });
    expect([replayed, resource.version, resource.updatedRegion, resource.id]).toEqual([false, 1, 'eu-west-1', expect.stringMatching(/^[A-Za-z0-9_-]{22}$/)]);
    expect(await repository.get(resource.id)).toEqual(resource);
  });

  it('replaces with a matching If-Match and refuses a stale one with precondition_failed carrying the current version', async () => {
    const { repository } = await freshRepository();
    const { resource } = await repository.create({ name: 'a' });
    const replaced = await repository.replace(resource.id, { name: 'b' }, { ifMatch: [1] });
    const stale = await error(repository.replace(resource.id, { name: 'c' }, { ifMatch: [1] }));
    expect([replaced.version, replaced.name, replaced.createdAt]).toEqual([2, 'b', resource.createdAt]);
    expect([stale.code, stale.extra.currentVersion]).toEqual(['precondition_failed', 2]);
    expect((await repository.get(resource.id))?.name).toBe('b');
  });

  it('deletes with If-Match, and answers not_found for a record that is not there', async () => {
    const { repository } = await freshRepository();
    const { resource } = await repository.create({ name: 'a' });
    await repository.delete(resource.id, { ifMatch: [1] });
    expect(await repository.get(resource.id)).toBeUndefined();
    expect((await error(repository.delete(resource.id))).code).toBe('not_found');
    expect((await error(repository.replace(resource.id, { name: 'x' }))).code).toBe('not_found');
  });

  it('replays a create with the same Idempotency-Key and body, and refuses the key with another body', async () => {
    const { repository } = await freshRepository();
    const first = await repository.create({ name: 'once' }, { idempotencyKey: 'k-1' });
    const again = await repository.create({ name: 'once' }, { idempotencyKey: 'k-1' });
    const other = await error(repository.create({ name: 'twice' }, { idempotencyKey: 'k-1' }));
    expect([again.replayed, again.resource]).toEqual([true, first.resource]);
    expect(other.code).toBe('idempotency_key_reused');
    expect((await repository.list()).items).toHaveLength(1);
  });

  it('creates once when two requests with the same Idempotency-Key race', async () => {
    const { repository } = await freshRepository();
    const results = await Promise.all([1, 2, 3].map(() => repository.create({ name: 'race' }, { idempotencyKey: 'same' })));
    expect(new Set(results.map((r) => r.resource.id)).size).toBe(1);
    expect((await repository.list()).items).toHaveLength(1);
  });

  it('lists in pages with an opaque cursor, and refuses a cursor it did not issue', async () => {
    const { repository } = await freshRepository();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await repository.create({ name });
    const first = await repository.list({ limit: 2 });
    const second = await repository.list({ limit: 2, cursor: first.nextCursor });
    const third = await repository.list({ limit: 2, cursor: second.nextCursor });
    const ids = [...first.items, ...second.items, ...third.items].map((r) => r.id);
    expect([ids.length, new Set(ids).size, third.nextCursor]).toEqual([5, 5, undefined]);
    expect((await error(repository.list({ cursor: 'not-a-cursor' }))).code).toBe('invalid_cursor');
  });

  it('answers 503 unavailable, not a crash, when the writer cannot be reached', async () => {
    const database = new RelationalDatabase({ writer: { host: '127.0.0.1', port: 1 }, reader: { host: '127.0.0.1', port: server.port }, database: 'app', user: 'app', password: 'pw', writeRouting: 'writer-endpoint' });
    opened.push(database);
    const repository = new PostgresResourceRepository<Note>({ database, table: 'notes_1', region: 'eu-west-1' });
    const failure = await error(repository.create({ name: 'x' }));
    expect([failure.code, failure.extra.retryAfterSeconds]).toEqual(['unavailable', 1]);
    await expect(repository.ping()).resolves.toBeUndefined();
  });
});

describe('PostgresResourceRepository with a cache', () => {
  const cacheOf = (writes: boolean) => {
    const cache = new ResourceCache({ prefix: `notes-${tables + 1}`, readerUrl: redis.url, writerUrl: redis.url, ttlSeconds: 60, writes });
    opened.push(cache);
    return cache;
  };
  const connected = async (cache: ResourceCache) => {
    for (let i = 0; i < 100 && !(await cache.ping()); i++) await new Promise((r) => setTimeout(r, 20));
  };

  it('reads a record from the cache after the first read, and the new version after a replace', async () => {
    const cache = cacheOf(true);
    const { repository, table } = await freshRepository({ cache });
    await connected(cache);
    const { resource } = await repository.create({ name: 'a' });
    await server.query(`UPDATE ${table} SET fields = '{"name":"changed behind the cache"}'`, [], 'app');
    expect((await repository.get(resource.id))?.name).toBe('a');
    await repository.replace(resource.id, { name: 'b' });
    expect((await repository.get(resource.id))?.name).toBe('b');
    expect(cache.stats.hits).toBeGreaterThanOrEqual(2);
  });

  it('writes nothing to the cache in a region that does not write to it', async () => {
    const cache = cacheOf(false);
    const { repository } = await freshRepository({ cache, region: 'us-east-1' });
    await connected(cache);
    const { resource } = await repository.create({ name: 'a' });
    await repository.get(resource.id);
    await repository.get(resource.id);
    expect([cache.stats.hits, cache.stats.misses]).toEqual([0, 2]);
  });
});
