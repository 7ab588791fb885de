// Against real servers: a PostgreSQL primary (eu-west-1) with a streaming-replication
// standby (us-east-1), a Redis primary with a replica, and the writer endpoints that
// follow the primary (libs/local/data-layer's RelationalDataLayer).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelationalDataLayer } from '@platform/local-data-layer';
import { decodeConsistencyToken } from './consistency-token';
import { parseNewOrder } from './order';
import { runMigrations } from './migrations';
import { OrderCache } from './order-cache';
import { OrdersDatabase } from './orders-database';
import { OrdersError } from './orders-error';
import { OrdersRepository } from './orders-repository';

const ROOT = join(__dirname, '..', '..', '..', '..');
const PRIMARY = 'eu-west-1';
const SECONDARY = 'us-east-1';

let dir: string;
let layer: RelationalDataLayer;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orders-repository-'));
  layer = await RelationalDataLayer.start({ regions: [PRIMARY, SECONDARY], dataDir: dir, database: 'app', user: 'orders', migrate: (db) => runMigrations({ ...db, workspaceRoot: ROOT }) });
}, 120_000);

afterAll(async () => {
  await Promise.all(opened.map((o) => o.close()));
  await layer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The repository as the app in `region` builds it: database writes through the writer
 * endpoint, reads from the region; the cache read in the region and written only in the
 * primary region, in its own replication group (`cacheWriterUrl` overrides that).
 */
async function repositoryIn(
  region: string,
  options: { ttlSeconds?: number; cache?: boolean; cacheWriterUrl?: string; idempotencyTtlSeconds?: number; idempotencyCleanupBatch?: number } = {},
) {
  const stores = layer.region(region);
  const database = new OrdersDatabase({
    writer: { host: '127.0.0.1', port: layer.dbWriter.port },
    reader: { host: '127.0.0.1', port: stores.postgres.port },
    database: 'app',
    user: 'orders',
    password: layer.password,
    writeRouting: 'writer-endpoint',
  });
  opened.push(database);
  const cache =
    options.cache === false
      ? undefined
      : new OrderCache({
          readerUrl: stores.redis!.url,
          writerUrl: options.cacheWriterUrl ?? (region === layer.primaryRegion ? stores.redis!.url : undefined),
          ttlSeconds: options.ttlSeconds ?? 60,
        });
  if (cache) {
    opened.push(cache);
    // Its clients connect in the background; wait for the reader, so that a test's first read can hit.
    while (!(await cache.ping())) await new Promise((r) => setTimeout(r, 10));
  }
  const idempotency = { idempotencyTtlSeconds: options.idempotencyTtlSeconds, idempotencyCleanupBatch: options.idempotencyCleanupBatch };
  return { repository: new OrdersRepository({ database, cache, ...idempotency }), database, cache };
}

const newOrder = (customerId = 'c-1') => parseNewOrder({ customerId, currency: 'EUR', lines: [{ sku: 'ABC-1', quantity: 2, price: '19.99' }, { sku: 'XYZ', quantity: 1, price: 5 }] });

async function waitForCacheReplica(): Promise<void> {
  const primary = layer.region(layer.primaryRegion).redis!;
  const offset = await primary.replicationOffset();
  for (const r of layer.regions.values()) {
    if (r.region === layer.primaryRegion) continue;
    while ((await r.redis!.replicationOffset()) < offset) await new Promise((res) => setTimeout(res, 5));
  }
}

describe('OrdersRepository on a primary and a standby', () => {
  it('creates a pending order at version 1 with the total computed from the lines', async () => {
    const { repository } = await repositoryIn(PRIMARY);
    const { order } = await repository.create(newOrder());
    expect(order).toMatchObject({ status: 'pending', version: 1, total: '44.98', currency: 'EUR' });
    expect((await repository.get(order.id)).order).toEqual(order);
  });

  it('reads its own write in a secondary region whose replica has not replayed it (token → writer)', async () => {
    const standby = layer.region(SECONDARY).postgres;
    const { repository } = await repositoryIn(SECONDARY, { cache: false });
    await standby.query('SELECT pg_wal_replay_pause()');
    try {
      const { order, consistencyToken } = await repository.create(newOrder('ryw'));
      expect((await repository.get(order.id)).order).toBeUndefined(); // the replica lags for real
      const read = await repository.get(order.id, { after: decodeConsistencyToken(consistencyToken) });
      expect([read.order?.id, read.source]).toEqual([order.id, 'writer']);
      const list = await repository.listByCustomer('ryw', { after: decodeConsistencyToken(consistencyToken) });
      expect(list.orders.map((o) => o.id)).toEqual([order.id]);
    } finally {
      await standby.query('SELECT pg_wal_replay_resume()');
    }
  });

  it('answers a read with a token from the replica once it has caught up', async () => {
    const { repository } = await repositoryIn(SECONDARY, { cache: false });
    const { order, consistencyToken } = await repository.create(newOrder());
    const read = await repository.get(order.id, { after: decodeConsistencyToken(consistencyToken) });
    expect(read.order?.version).toBe(1);
    expect(['replica', 'writer']).toContain(read.source);
  });

  it('serves a status change from the secondary cache while the database replica still lags', async () => {
    const standby = layer.region(SECONDARY).postgres;
    const primary = (await repositoryIn(PRIMARY)).repository;
    const secondary = (await repositoryIn(SECONDARY)).repository;
    const { order } = await primary.create(newOrder());
    await standby.query('SELECT pg_wal_replay_pause()');
    try {
      await primary.changeStatus(order.id, 'paid');
      await waitForCacheReplica();
      const read = await secondary.get(order.id);
      expect([read.order?.status, read.source]).toEqual(['paid', 'cache']);
    } finally {
      await standby.query('SELECT pg_wal_replay_resume()');
    }
  });

  it('never lets a cache fill from a lagging replica overwrite a newer version', async () => {
    const { repository, cache } = await repositoryIn(PRIMARY);
    const { order } = await repository.create(newOrder());
    const { order: paid } = await repository.changeStatus(order.id, 'paid');
    expect(await cache!.put(order)).toBe(false);
    await waitForCacheReplica();
    expect((await (await repositoryIn(SECONDARY)).repository.get(order.id)).order?.version).toBe(paid.version);
  });

  it('keeps a stale cache entry at most the TTL when the cache writer is unreachable at a write', async () => {
    // A TTL long enough for the steps before the stale read even on a loaded machine.
    const primary = (await repositoryIn(PRIMARY, { ttlSeconds: 3 })).repository;
    const { order } = await primary.create(newOrder());
    await waitForCacheReplica();
    const target = layer.cacheWriter!.target;
    layer.cacheWriter!.moveTo(undefined);
    try {
      const { repository: fresh } = await repositoryIn(PRIMARY, { ttlSeconds: 3, cacheWriterUrl: `redis://127.0.0.1:${layer.cacheWriter!.port}` });
      await fresh.changeStatus(order.id, 'cancelled');
      expect((await fresh.get(order.id)).order?.status).toBe('pending'); // stale, from the cache
      await new Promise((r) => setTimeout(r, 3100));
      expect((await fresh.get(order.id)).order?.status).toBe('cancelled');
    } finally {
      layer.cacheWriter!.moveTo(target);
    }
  });

  // A secondary region's replication group is read-only and another region's is out of
  // reach (security groups cannot name a group of another region:
  // https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html), so
  // the app there never writes the cache: its writes go to the database only.
  it('in a secondary region writes nothing to the cache: the entry keeps its version until the TTL, and the write\'s consistency token still reads the new version', async () => {
    const primary = (await repositoryIn(PRIMARY)).repository;
    const secondary = await repositoryIn(SECONDARY);
    const { order } = await primary.create(newOrder());
    await waitForCacheReplica();
    const { consistencyToken } = await secondary.repository.changeStatus(order.id, 'paid');
    await waitForCacheReplica();
    const cached = await layer.region(PRIMARY).redis!.command('GET', OrderCache.key(order.id));
    expect(JSON.parse(String(cached))).toMatchObject({ version: 1, status: 'pending' });
    expect(await secondary.repository.get(order.id)).toMatchObject({ order: { status: 'pending' }, source: 'cache' });
    const own = await secondary.repository.get(order.id, { after: decodeConsistencyToken(consistencyToken) });
    expect(own.order).toMatchObject({ status: 'paid', version: 2 });
    expect(own.source).not.toBe('cache');
    // No store was even tried (none could succeed): skipped, not failed.
    expect(secondary.cache!.stats).toMatchObject({ writeFailures: 0 });
    expect(secondary.cache!.stats.skippedWrites).toBeGreaterThan(0);
    expect(secondary.cache!.writable).toBe(false);
  });

  it('refuses an illegal transition with illegal_transition and changes nothing', async () => {
    const { repository } = await repositoryIn(PRIMARY);
    const { order } = await repository.create(newOrder());
    await expect(repository.changeStatus(order.id, 'shipped')).rejects.toMatchObject({ code: 'illegal_transition' });
    expect((await repository.get(order.id)).order).toMatchObject({ status: 'pending', version: 1 });
  });

  it('refuses a status change on another version with precondition_failed carrying the current version', async () => {
    const { repository } = await repositoryIn(PRIMARY);
    const { order } = await repository.create(newOrder());
    await repository.changeStatus(order.id, 'paid', { ifMatch: 1 });
    await expect(repository.changeStatus(order.id, 'shipped', { ifMatch: 1 })).rejects.toMatchObject({ code: 'precondition_failed', extra: { currentVersion: 2 } });
  });

  it('returns the first order for a repeated Idempotency-Key, and refuses the key for another order', async () => {
    const { repository } = await repositoryIn(PRIMARY);
    const first = await repository.create(newOrder('idem'), { idempotencyKey: 'k-1' });
    const again = await repository.create(newOrder('idem'), { idempotencyKey: 'k-1' });
    expect([again.order.id, again.replayed]).toEqual([first.order.id, true]);
    const other = parseNewOrder({ customerId: 'idem', currency: 'USD', lines: [{ sku: 'ABC', quantity: 1, price: 1 }] });
    await expect(repository.create(other, { idempotencyKey: 'k-1' })).rejects.toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('ignores an expired idempotency record: the key makes a new order, even for another body', async () => {
    const writer = layer.region(PRIMARY).postgres;
    const { repository } = await repositoryIn(PRIMARY, { cache: false, idempotencyTtlSeconds: 3600 });
    const first = await repository.create(newOrder('expiry'), { idempotencyKey: 'k-old' });
    await writer.query("UPDATE order_idempotency SET created_at = now() - interval '3601 seconds' WHERE customer_id = 'expiry'", [], 'app');
    const other = parseNewOrder({ customerId: 'expiry', currency: 'USD', lines: [{ sku: 'ABC', quantity: 1, price: 1 }] });
    const second = await repository.create(other, { idempotencyKey: 'k-old' });
    expect(second.replayed).toBeUndefined();
    expect(second.order.id).not.toBe(first.order.id);
    // The key now answers with the new order.
    const again = await repository.create(other, { idempotencyKey: 'k-old' });
    expect([again.order.id, again.replayed]).toEqual([second.order.id, true]);
  });

  it('keeps replaying within the TTL', async () => {
    const writer = layer.region(PRIMARY).postgres;
    const { repository } = await repositoryIn(PRIMARY, { cache: false, idempotencyTtlSeconds: 3600 });
    const first = await repository.create(newOrder('fresh'), { idempotencyKey: 'k-fresh' });
    await writer.query("UPDATE order_idempotency SET created_at = now() - interval '3500 seconds' WHERE customer_id = 'fresh'", [], 'app');
    const again = await repository.create(newOrder('fresh'), { idempotencyKey: 'k-fresh' });
    expect([again.order.id, again.replayed]).toEqual([first.order.id, true]);
  });

  it('deletes expired idempotency records on a keyed create, oldest first and at most the batch, never a live one', async () => {
    const writer = layer.region(PRIMARY).postgres;
    const { repository } = await repositoryIn(PRIMARY, { cache: false, idempotencyTtlSeconds: 3600, idempotencyCleanupBatch: 3 });
    // Records of earlier tests are not this test's.
    await writer.query('DELETE FROM order_idempotency', [], 'app');
    for (let i = 0; i < 5; i++) await repository.create(newOrder('cleanup'), { idempotencyKey: `k-${i}` });
    // k-0 .. k-3 expired (k-0 oldest), k-4 live.
    await writer.query(
      "UPDATE order_idempotency SET created_at = now() - make_interval(hours => 10 - substr(idempotency_key, 3)::int) WHERE customer_id = 'cleanup' AND idempotency_key <> 'k-4'",
      [],
      'app',
    );
    await repository.create(newOrder('cleanup'), { idempotencyKey: 'k-new' });
    const left = await writer.query<{ idempotency_key: string }>("SELECT idempotency_key FROM order_idempotency WHERE customer_id = 'cleanup' ORDER BY idempotency_key", [], 'app');
    expect(left.map((r) => r.idempotency_key)).toEqual(['k-3', 'k-4', 'k-new']);
  });

  it('lists a customer\'s orders newest first, a page at a time', async () => {
    const { repository } = await repositoryIn(PRIMARY, { cache: false });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await repository.create(newOrder('pager'))).order.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await (await repositoryIn(PRIMARY, { cache: false })).repository.listByCustomer('pager', { limit: 2, cursor });
      seen.push(...page.orders.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('fails writes fast with primary_unavailable while the primary is down, and keeps serving reads in the secondary', async () => {
    const { repository } = await repositoryIn(SECONDARY);
    const { order } = await repository.create(newOrder());
    await new Promise((r) => setTimeout(r, 200));
    await layer.kill(PRIMARY);
    try {
      const started = performance.now();
      const failure = await repository.create(newOrder()).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(OrdersError);
      expect((failure as OrdersError).code).toBe('primary_unavailable');
      expect(performance.now() - started).toBeLessThan(1500);
      expect((await repository.get(order.id)).order?.id).toBe(order.id);
    } finally {
      await layer.recover(PRIMARY);
    }
  });
});
