import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, EndpointProxy, PostgresServer } from '@platform/local-postgres';
import { RedisServer } from '@platform/local-redis';

/** Where a migration connects: the primary's database, as the app's user. */
export interface DatabaseConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** Options of {@link RelationalDataLayer.start}. */
export interface RelationalDataLayerOptions {
  /** Regions, the primary first. */
  readonly regions: readonly string[];
  /** Directory for every server's data (created). */
  readonly dataDir: string;
  /** Database name and the app's user (the service contract's `DB_NAME` / `DB_IAM_USER`). */
  readonly database: string;
  readonly user: string;
  /** The app user's password (locally; IAM tokens in AWS). @default "local-password" */
  readonly password?: string;
  /** Whether each region gets a Redis (the service's cache layer). @default true */
  readonly cache?: boolean;
  /**
   * Applies the service's schema to the primary before the standbys are cloned from it:
   * the service's own migrations (its data-access library's, or its app's `migrate` target).
   * @default - nothing: an empty database
   */
  readonly migrate?: (connection: DatabaseConnection) => Promise<unknown>;
  readonly log?: (line: string) => void;
}

/** One region's data stores. */
export interface RegionStores {
  readonly region: string;
  readonly postgres: PostgresServer;
  /** Undefined when the layer runs without a cache. */
  readonly redis?: RedisServer;
}

/** What a switchover or failover measured. */
export interface PromotionReport {
  readonly from: string;
  readonly to: string;
  /** Time the writer endpoints led nowhere (writes failed). */
  readonly writeOutageMs: number;
}

/**
 * The relational and cache layers of a service across regions, on one machine, with
 * Aurora global database and ElastiCache global datastore semantics: one PostgreSQL
 * primary and a streaming-replication standby per other region; one Redis primary and a
 * `replicaof` replica per other region (unless `cache` is false); and the endpoints that
 * follow the primary, as the global writer endpoint and the global datastore's primary
 * endpoint do. Depends on no service: the schema comes from `migrate`.
 *
 * `switchover` and `failover` take the steps of docs/runbooks/aurora-global-failover.md.
 */
export class RelationalDataLayer {
  static async start(options: RelationalDataLayerOptions): Promise<RelationalDataLayer> {
    const layer = new RelationalDataLayer(options);
    try {
      await layer.startAll();
      return layer;
    } catch (err) {
      await layer.stop().catch(() => undefined);
      throw err;
    }
  }

  readonly regions = new Map<string, RegionStores>();
  /** The global writer endpoint (PostgreSQL). */
  dbWriter!: EndpointProxy;
  /** The global datastore's primary endpoint (Redis); undefined without a cache. */
  cacheWriter: EndpointProxy | undefined;
  /** The region whose database and cache accept writes. */
  primaryRegion: string;
  readonly password: string;
  private readonly log: (line: string) => void;

  private constructor(private readonly options: RelationalDataLayerOptions) {
    this.primaryRegion = options.regions[0]!;
    this.password = options.password ?? 'local-password';
    this.log = options.log ?? (() => undefined);
  }

  region(name: string): RegionStores {
    const r = this.regions.get(name);
    if (!r) throw new Error(`RelationalDataLayer: no region "${name}"; the regions are ${[...this.regions.keys()].join(', ')}`);
    return r;
  }

  private async startAll(): Promise<void> {
    const { regions, dataDir } = this.options;
    mkdirSync(dataDir, { recursive: true });
    const primaryName = regions[0]!;
    const primary = await PostgresServer.startPrimary({ dataDir: join(dataDir, `pg-${primaryName}`), name: primaryName });
    await createDatabase(primary, { database: this.options.database, user: this.options.user, password: this.password });
    const { database, user } = this.options;
    await this.options.migrate?.({ host: '127.0.0.1', port: primary.port, database, user, password: this.password });
    const withCache = this.options.cache ?? true;
    const redisPrimary = withCache ? await RedisServer.start({ dataDir: join(dataDir, `redis-${primaryName}`), name: primaryName }) : undefined;
    this.regions.set(primaryName, { region: primaryName, postgres: primary, redis: redisPrimary });
    this.log(`database ${primaryName}: postgresql://127.0.0.1:${primary.port}/${database} (PostgreSQL primary, data in ${primary.dataDir})${this.options.migrate ? '; migrations applied' : ''}`);
    if (redisPrimary) this.log(`cache ${primaryName}: ${redisPrimary.url} (Redis primary)`);
    const others = await Promise.all(
      regions.slice(1).map(async (name) => {
        const postgres = await PostgresServer.startStandby(primary.endpoint, { dataDir: join(dataDir, `pg-${name}`), name });
        const redis = redisPrimary ? await RedisServer.start({ dataDir: join(dataDir, `redis-${name}`), name, replicaOf: { host: '127.0.0.1', port: redisPrimary.port } }) : undefined;
        return { region: name, postgres, redis };
      }),
    );
    for (const stores of others) {
      this.regions.set(stores.region, stores);
      this.log(`database ${stores.region}: postgresql://127.0.0.1:${stores.postgres.port}/${database} (streaming-replication standby of ${primaryName}: reads only)`);
      if (stores.redis) this.log(`cache ${stores.region}: ${stores.redis.url} (Redis replica of ${primaryName}: reads only)`);
    }
    this.dbWriter = await EndpointProxy.start({ host: '127.0.0.1', port: primary.port });
    this.cacheWriter = redisPrimary ? await EndpointProxy.start({ host: '127.0.0.1', port: redisPrimary.port }) : undefined;
    this.log(
      `writer endpoints: database 127.0.0.1:${this.dbWriter.port}${this.cacheWriter ? `, cache 127.0.0.1:${this.cacheWriter.port}` : ''} (follow the primary region, as Aurora's global writer endpoint does)`,
    );
  }

  /** Crashes a region's database and cache (PostgreSQL immediate shutdown, Redis SIGKILL). */
  async kill(region: string): Promise<void> {
    const r = this.region(region);
    await Promise.all([r.postgres.kill(), r.redis?.kill()]);
  }

  /**
   * Brings a killed region's stores back: as the primary again if no other region was
   * promoted meanwhile (crash recovery keeps every committed write), else as a standby
   * and replica of the current primary (cloned afresh: what it had and never sent is
   * gone, as with Aurora after an unplanned failover).
   */
  async recover(region: string): Promise<void> {
    const r = this.region(region);
    if (region === this.primaryRegion) {
      await r.postgres.restart();
      await r.redis?.restart();
      return;
    }
    const primary = this.region(this.primaryRegion);
    if (!r.postgres.isRunning || !r.postgres.isStandby) await r.postgres.rejoinAsStandby(primary.postgres.endpoint);
    else await r.postgres.follow(primary.postgres.endpoint);
    if (r.redis && primary.redis) await followCache(r.redis, primary.redis);
  }

  /**
   * Planned switchover (runbook A): no acknowledged write is lost. The writer endpoints
   * lead nowhere while the roles move (writes fail fast with 503 and are retried); the
   * old primary stops cleanly, so every write it acknowledged reaches the target before
   * the target is promoted; then every other region follows the target.
   */
  async switchover(target: string): Promise<PromotionReport> {
    const from = this.primaryRegion;
    if (target === from) throw new Error(`${target} is already the primary region`);
    const old = this.region(from);
    const next = this.region(target);
    if (!old.postgres.isRunning) throw new Error(`${from} is down: a switchover needs a healthy primary; use "failover ${target}" instead`);
    const started = performance.now();
    this.dbWriter.moveTo(undefined);
    this.cacheWriter?.moveTo(undefined);
    // 1. Fence the old primary (end every client session: nothing can commit after this)
    //    and wait for the target to have everything it wrote.
    await old.postgres.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
    const finalLsn = await old.postgres.walPosition();
    const redisOffset = (await old.redis?.replicationOffset().catch(() => 0)) ?? 0;
    await waitFor(async () => lsnAtLeast(await next.postgres.walPosition(), finalLsn), 30_000, `${target} to replay up to ${finalLsn}`);
    if (next.redis) await waitFor(async () => (await next.redis!.replicationOffset()) >= redisOffset, 10_000, `the cache replica in ${target} to catch up`).catch(() => undefined);
    await old.postgres.stop();
    // 2. Promote the target; 3. point the writer endpoints at it.
    await this.promote(next);
    const writeOutageMs = performance.now() - started;
    // 4. Every other region follows the new primary; the old one rejoins as a standby.
    await this.followPrimary(from);
    this.log(`switchover: ${target} is the primary region (writes were refused for ${Math.round(writeOutageMs)} ms); ${from} rejoined as a standby`);
    return { from, to: target, writeOutageMs };
  }

  /**
   * Unplanned failover (runbook B): the target is promoted with whatever it has
   * received; writes the old primary acknowledged and never sent are lost (the RPO).
   * The old primary, when it comes back, rejoins as a standby (`recover`).
   */
  async failover(target: string): Promise<PromotionReport> {
    const from = this.primaryRegion;
    if (target === from) throw new Error(`${target} is already the primary region`);
    const next = this.region(target);
    if (!next.postgres.isRunning) throw new Error(`${target}'s database is down; fail over to a healthy region`);
    const started = performance.now();
    this.dbWriter.moveTo(undefined);
    this.cacheWriter?.moveTo(undefined);
    // A primary that is still up (a partition, not a crash) must not take writes anymore.
    const old = this.region(from);
    if (old.postgres.isRunning) await old.postgres.kill();
    if (old.redis?.isRunning) await old.redis.kill();
    await this.promote(next);
    const writeOutageMs = performance.now() - started;
    await this.followPrimary(from);
    this.log(`failover: ${target} is the primary region; ${from} is down and rejoins as a standby when recovered`);
    return { from, to: target, writeOutageMs };
  }

  /** Makes `next` the primary region and points the writer endpoints at it. */
  private async promote(next: RegionStores): Promise<void> {
    await next.postgres.promote();
    await next.redis?.replicaOf(undefined);
    this.primaryRegion = next.region;
    this.dbWriter.moveTo({ host: '127.0.0.1', port: next.postgres.port });
    if (next.redis) this.cacheWriter?.moveTo({ host: '127.0.0.1', port: next.redis.port });
  }

  /** Points every region but the primary (and `skip`, when down) at the primary. */
  private async followPrimary(oldPrimary: string): Promise<void> {
    const primary = this.region(this.primaryRegion);
    for (const r of this.regions.values()) {
      if (r.region === this.primaryRegion) continue;
      if (r.region === oldPrimary && !r.postgres.isRunning && !r.redis?.isRunning) {
        // Crashed: it rejoins on recover.
        continue;
      }
      // A standby may have received more than the promoted one (failover) or be the old
      // primary (switchover): clone afresh rather than risk a diverged timeline.
      await r.postgres.rejoinAsStandby(primary.postgres.endpoint);
      if (r.redis && primary.redis) await followCache(r.redis, primary.redis);
    }
  }

  /** Stops every server and endpoint. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.dbWriter?.close(), this.cacheWriter?.close()]);
    await Promise.allSettled([...this.regions.values()].flatMap((r) => [r.postgres.stop(), r.redis?.stop()]));
  }
}

/** Makes `replica` a replica of `primary`, restarting it first when it is down. */
async function followCache(replica: RedisServer, primary: RedisServer): Promise<void> {
  const of = { host: '127.0.0.1', port: primary.port };
  if (replica.isRunning) await replica.replicaOf(of);
  else await replica.restart(of);
}

/** Whether PostgreSQL LSN `a` (`X/Y`) is at or after `b`. */
export function lsnAtLeast(a: string, b: string): boolean {
  const value = (lsn: string) => {
    const [hi, lo] = lsn.split('/');
    return BigInt(`0x${hi}`) * 2n ** 32n + BigInt(`0x${lo}`);
  };
  return value(a) >= value(b);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
