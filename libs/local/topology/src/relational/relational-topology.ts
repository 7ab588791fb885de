import { join } from 'node:path';
import { GLOBAL_OUTPUTS, LAMBDA_ENVIRONMENT } from '@platform/config';
import { type RegionTopologyOptions, RegionTopology, type StopAttempt } from '../region-topology';
import { handlerModuleOf } from '../topology-config';
import { type PromotionReport, RelationalDataLayer } from '@platform/local-data-layer';
import { appMigrations } from './app-migrations';

/** Options of {@link RelationalTopology.start}. */
export interface RelationalTopologyOptions extends RegionTopologyOptions {
  /** Database name and app user (the service contract's DB_NAME / DB_IAM_USER). */
  readonly database: { readonly name: string; readonly user: string };
  /** Whether the service has the cache layer (a Redis per region). @default true */
  readonly cache?: boolean;
  /** The app's cache TTL (CACHE_TTL_SECONDS). @default - the service contract's */
  readonly cacheTtlSeconds?: number;
}

/**
 * A service on the relational layer (and the cache, when it has one), such as orders, on
 * one machine: per region the real handler behind the local HTTP adapter, reading its
 * region's PostgreSQL standby (and Redis replica) and writing the database through the
 * endpoint that follows the primary ({@link RelationalDataLayer}); the cache is written by
 * the primary region only, in its own Redis, as in AWS. The rest (health checks and
 * routing, the local issuer, the front door with its origin secret and the failover of
 * `edgeCache.failoverPaths` to the secondary region) is {@link RegionTopology}'s, as for
 * {@link LocalTopology}. The schema comes from the app's `migrate` target, as in a
 * rollout. No edge cache is run (orders answers `private, no-store`).
 */
export class RelationalTopology extends RegionTopology<RelationalTopologyOptions> {
  static async start(options: RelationalTopologyOptions): Promise<RelationalTopology> {
    const handlerModule = handlerModuleOf(options.config, options.workspaceRoot);
    return RegionTopology.startOrStop(new RelationalTopology(options, handlerModule));
  }

  data!: RelationalDataLayer;

  private constructor(options: RelationalTopologyOptions, handlerModule: string) {
    super(options, handlerModule, 'RelationalTopology', `${options.config.service}-topology-`);
  }

  /** Fails a region: its API process (SIGKILL), database (immediate shutdown) and cache (SIGKILL) at once. */
  async failRegion(region: string): Promise<void> {
    const api = this.api(region);
    await Promise.all([api.kill(), this.data.kill(region)]);
    this.log(`${region}: failed (API, database${this.data.cacheWriter ? ' and cache' : ''} down)${region === this.data.primaryRegion ? '; it is the primary: writes answer 503 primary_unavailable until it recovers or another region is promoted' : ''}`);
  }

  /** Brings a failed region back (as the primary if none was promoted meanwhile, else as a standby). */
  async recoverRegion(region: string): Promise<void> {
    await this.data.recover(region);
    await this.api(region).restart();
    this.log(`${region}: recovered (${region === this.data.primaryRegion ? 'primary' : `standby of ${this.data.primaryRegion}`})`);
  }

  /** Planned switchover to `region` (runbook A): no acknowledged write is lost. */
  switchover(region: string): Promise<PromotionReport> {
    return this.data.switchover(region);
  }

  /** Unplanned failover to `region` (runbook B): may lose what the old primary had not sent. */
  failover(region: string): Promise<PromotionReport> {
    return this.data.failover(region);
  }

  /** One line per region: health, API, database role, replication. */
  async status(): Promise<string[]> {
    const lines: string[] = [];
    for (const s of this.healthChecker.status()) {
      const stores = this.data.region(s.region);
      const role = s.region === this.data.primaryRegion ? 'primary' : 'standby';
      const wal = stores.postgres.isRunning ? await stores.postgres.walPosition().catch(() => '?') : 'down';
      lines.push(
        `${s.region}: ${s.healthy ? 'healthy' : 'UNHEALTHY'}; API ${this.api(s.region).isRunning ? 'up' : 'down'}; database ${role} ${stores.postgres.isRunning ? `at ${wal}` : 'DOWN'}` +
          (stores.redis ? `; cache ${stores.redis.isRunning ? (stores.redis.replicating ? 'replica' : 'primary') : 'DOWN'}` : ''),
      );
    }
    lines.push(`writes go to ${this.data.primaryRegion}; the front door routes to ${this.router.pick()}`);
    return lines;
  }

  /** PostgreSQL (and Redis) per region, the schema migrated by the app's `migrate` target. */
  protected async startDataLayer(): Promise<void> {
    const { config, options } = this;
    this.data = await RelationalDataLayer.start({
      regions: config.regions,
      dataDir: join(this.dataDir, 'stores'),
      database: options.database.name,
      user: options.database.user,
      cache: options.cache ?? true,
      migrate: appMigrations(options.workspaceRoot, config.app),
      log: this.log,
    });
  }

  protected async stopDataLayer(attempt: StopAttempt): Promise<void> {
    await attempt(() => this.data?.stop());
  }

  protected frontDoorNotes(): string[] {
    return [`(front door = ${this.config.routing.policy} routing to the healthy regions, adding the origin secret; no edge cache is run for a service on the relational layer)`];
  }

  protected regionEnvironment(region: string): Record<string, string> {
    const E = LAMBDA_ENVIRONMENT;
    const O = GLOBAL_OUTPUTS;
    const stores = this.data.region(region);
    const dbWriter = `127.0.0.1:${this.data.dbWriter.port}`;
    // The global stack's outputs, answered by the local servers. Write forwarding has no
    // PostgreSQL equivalent: a region's "cluster endpoint" is the writer endpoint here. The
    // cache writer is the primary region's own Redis, as in AWS the primary region's own
    // replication group: the contract gives it to the primary region only (the others
    // read their replica and never write), so after a switchover nobody writes the cache
    // until the topology restarts (in AWS: until the config's primary is swapped and the
    // regional stacks are deployed, docs/runbooks/aurora-global-failover.md).
    const outputs: Record<string, string> = {
      [O.tableName]: this.config.tableName,
      [O.auroraWriterEndpoint]: dbWriter,
      [O.auroraReaderEndpoint(region)]: `127.0.0.1:${stores.postgres.port}`,
      [O.auroraClusterEndpoint(region)]: dbWriter,
      [O.originSecretAccepted]: this.originSecret,
      ...(stores.redis ? { [O.cacheWriterEndpoint]: this.data.region(this.config.regions[0]!).redis!.url, [O.cacheReaderEndpoint(region)]: stores.redis.url } : {}),
    };
    const app = this.config.appEnvironment(region, (output) => outputs[output] ?? 'not-emulated-locally');
    // Lambda's RDS certificate bundle; the local servers speak no TLS.
    delete app.NODE_EXTRA_CA_CERTS;
    // No IAM locally: without the cache user the app connects to Redis with no auth.
    for (const name of [E.cacheUser, E.cacheReplicationGroup, E.cacheWriterReplicationGroup, E.cacheWriterRegion]) delete app[name];
    return {
      ...app,
      ...(this.options.cacheTtlSeconds ? { [E.cacheTtlSeconds]: String(this.options.cacheTtlSeconds) } : {}),
      // Locally the app authenticates with a password; in AWS with IAM tokens.
      DB_PASSWORD: this.data.password,
    };
  }
}
