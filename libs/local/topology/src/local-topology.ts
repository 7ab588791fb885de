import { join } from 'node:path';
import { GLOBAL_OUTPUTS, LAMBDA_ENVIRONMENT, type ServiceAuthorization } from '@platform/config';
import { SERVICE_TABLE } from '@platform/table-definition';
import { CloudFrontApi } from './cloudfront-api';
import { EdgeCache } from './edge-cache';
import type { FrontDoorProps, FrontDoorRequest } from './front-door';
import type { RegionApi } from './region-api';
import { type RegionTopologyOptions, RegionTopology, settleAll, type StopAttempt } from './region-topology';
import { RegionTable, requireJava } from './region-table';
import { ReplicaLedger } from './replica-ledger';
import type { ReplicaEndpoint, ReplicationEvent } from './replication-link';
import { Replicator } from './replicator';
import { type PlatformStatus, STATUS_JSON_PATH, STATUS_PAGE_PATH, platformStatus, statusPageHtml } from './status-page';
import { StatusMetrics } from './status-metrics';
import { handlerModuleOf } from './topology-config';
import { VersionStamps } from './version-stamps';

/** Options of {@link LocalTopology.start}. */
export interface LocalTopologyOptions extends RegionTopologyOptions {
  /** @default - `apps/<app>/src/main.ts` of the service */
  readonly handlerModule?: string;
  /** Minimum time between a change being read from a region's stream and being applied elsewhere. @default 0 */
  readonly replicationDelayMs?: number;
  /** Wait between reads of a stream that had nothing new. @default 50 */
  readonly replicationPollIntervalMs?: number;
  /** CloudFront's error caching minimum TTL for GETs. @default 0, as the platform's distribution sets it */
  readonly errorCachingMinTtlSeconds?: number;
  /** Environment in which `java` is looked up. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly onReplication?: (event: ReplicationEvent) => void;
}

/** One region of a running topology. */
export interface LocalRegion {
  readonly name: string;
  readonly table: RegionTable;
  readonly api: RegionApi;
  readonly ledger: ReplicaLedger;
}

/** The distribution id the region APIs are given in `invalidate` mode. */
export const LOCAL_DISTRIBUTION_ID = 'ELOCALTOPOLOGY';

/**
 * A service's multi-region topology on one machine: per region the real handler in its
 * own process behind the local HTTP adapter and its own DynamoDB Local; replication
 * between the regions' tables from their streams; Route53-like health checks and
 * routing; a CloudFront-like GET cache with a CloudFront API for invalidations; and one
 * front door URL. What it shares with {@link RelationalTopology} is {@link RegionTopology}'s.
 *
 * ```ts
 * const topology = await LocalTopology.start({ config, workspaceRoot });
 * try { ... fetch(`${topology.frontDoorUrl}/items`) ... } finally { await topology.stop(); }
 * ```
 */
export class LocalTopology extends RegionTopology<LocalTopologyOptions> {
  /** Starts every component; on failure stops what was started and rethrows. */
  static async start(options: LocalTopologyOptions): Promise<LocalTopology> {
    // Before anything starts, so that nothing needs stopping: the config, then Java.
    const handlerModule = options.handlerModule ?? handlerModuleOf(options.config, options.workspaceRoot);
    requireJava(options.env ?? process.env);
    return RegionTopology.startOrStop(new LocalTopology(options, handlerModule));
  }

  readonly cache: EdgeCache;
  /** Each region's table and replica ledger, with its current API. */
  readonly regions = new Map<string, LocalRegion>();
  replicator!: Replicator;
  cloudFront: CloudFrontApi | undefined;
  /** Traffic and replication numbers of the status page. */
  readonly metrics = new StatusMetrics();
  /** Observers of every front door request besides `options.onRequest` (the local alarms). */
  readonly requestObservers = new Set<(entry: FrontDoorRequest) => void>();

  private constructor(options: LocalTopologyOptions, handlerModule: string) {
    super(options, handlerModule, 'LocalTopology', 'local-topology-');
    this.cache = new EdgeCache({
      mode: this.config.edgeCache.mode,
      ttlSeconds: this.config.edgeCache.ttlSeconds,
      errorCachingMinTtlSeconds: options.errorCachingMinTtlSeconds,
    });
  }

  /** What every region's authorizer checks, with the local issuer (issuer empty when auth is off). */
  get authorization(): ServiceAuthorization {
    return this.auth.authorization;
  }

  /** The region's own API URL (what its health check probes). */
  apiUrl(region: string): string {
    return this.region(region).api.url;
  }

  /** The status page's URL (`<front door>/_platform/status`). */
  get statusPageUrl(): string {
    return `${this.frontDoorUrl}${STATUS_PAGE_PATH}`;
  }

  /** What the status page shows right now. */
  status(): PlatformStatus {
    return platformStatus({
      config: this.config,
      health: this.healthChecker.status(),
      routesTo: this.router.pick(),
      metrics: this.metrics,
      links: this.replicator.stats(),
      running: (name) => {
        const r = this.region(name);
        return { api: r.api.isRunning, table: r.table.isRunning };
      },
    });
  }

  region(name: string): LocalRegion {
    const region = this.regions.get(name);
    if (!region) throw new Error(`LocalTopology: no region "${name}"; the regions are ${[...this.regions.keys()].join(', ')}`);
    return region;
  }

  /**
   * Fails a region the way an outage does: at the same moment its API process is
   * killed with SIGKILL (requests in flight are dropped) and its DynamoDB Local is
   * stopped (SIGTERM, so that it keeps every write it acknowledged, as a region does:
   * see {@link RegionTable.kill}). The table's data and stream stay on disk for
   * {@link recoverRegion}. With the table, the region's replication is cut at the same
   * moment (see {@link Replicator.disconnect}).
   * Returns the time of the kill (epoch ms).
   */
  async failRegion(name: string, parts: { readonly api?: boolean; readonly table?: boolean } = {}): Promise<number> {
    const region = this.region(name);
    const at = Date.now();
    const withTable = parts.table !== false;
    await Promise.all([
      withTable ? this.replicator.disconnect(name) : undefined,
      parts.api === false ? undefined : region.api.kill(),
      withTable ? region.table.kill() : undefined,
    ]);
    this.log(
      `region ${name}: failed (${[parts.api === false ? '' : 'API', withTable ? 'table' : ''].filter(Boolean).join(' and ')} killed)` +
        `${withTable ? '; replication to and from it cut' : ''}`,
    );
    return at;
  }

  /** Brings a failed region back: its table with its data and stream, then its API, on the same ports. */
  async recoverRegion(name: string): Promise<void> {
    const region = this.region(name);
    await region.table.restart();
    this.replicator.reconnect(name);
    await region.api.restart();
    this.log(`region ${name}: recovered (table ${region.table.endpoint}, API ${region.api.url})`);
  }

  /** A DynamoDB Local per region, the replicator between their streams, and the CloudFront API the handlers send their invalidations to. */
  protected async startDataLayer(): Promise<void> {
    const { config } = this;
    if (config.notEmulated.length) this.log(`note: ${config.notEmulated.join(' and ')} of the service ${config.notEmulated.length === 1 ? 'is' : 'are'} not run locally`);
    this.cloudFront = await CloudFrontApi.start({ distributionId: LOCAL_DISTRIBUTION_ID, cache: this.cache });
    this.log(`cloudfront api: ${this.cloudFront.endpoint} (invalidations of the front door's cache, distribution ${LOCAL_DISTRIBUTION_ID})`);
    await this.startTablesAndReplication();
  }

  /** A DynamoDB Local per region, and the replicator between their streams. */
  private async startTablesAndReplication(): Promise<void> {
    const { config, options } = this;
    const tables = await settleAll(
      config.regions.map((name) => RegionTable.start({ region: name, tableName: config.tableName, dataDir: join(this.dataDir, name), env: options.env })),
    );
    const versions = new VersionStamps();
    const endpoints: ReplicaEndpoint[] = [];
    const apiOf = (region: string) => this.api(region);
    tables.forEach((table) => {
      const ledger = new ReplicaLedger({ region: table.region });
      // The API is the one the region runs now (RegionTopology.apis; a rollout swaps it).
      this.regions.set(table.region, {
        name: table.region,
        table,
        ledger,
        get api() {
          return apiOf(table.region);
        },
      });
      endpoints.push({
        region: table.region,
        tableName: table.tableName,
        client: table.client,
        streamsClient: table.streamsClient,
        streamArn: table.streamArn,
        keyAttributes: [SERVICE_TABLE.partitionKey, SERVICE_TABLE.sortKey],
        ledger,
        versions,
      });
      this.log(`table ${table.region}: ${table.endpoint} (DynamoDB Local, table ${table.tableName}, stream NEW_AND_OLD_IMAGES, data in ${table.dataDir})`);
    });

    this.replicator = new Replicator({
      replicas: endpoints,
      delayMs: options.replicationDelayMs,
      pollIntervalMs: options.replicationPollIntervalMs,
      onEvent: (event) => {
        if (event.outcome === 'applied') this.metrics.recordReplication(event.source, event.target, event.lagMs);
        options.onReplication?.(event);
      },
      onStateChange: (message) => this.log(message),
    });
    this.replicator.start();
    this.log(
      `replication: ${config.regions.join(' <-> ')} from each table's stream, asynchronous, last writer wins` +
        `${options.replicationDelayMs ? `, delayed ${options.replicationDelayMs} ms` : ''}`,
    );
  }

  /** The replication, then the tables, then the CloudFront API. */
  protected async stopDataLayer(attempt: StopAttempt): Promise<void> {
    await attempt(() => this.replicator?.stop());
    await Promise.all([...this.regions.values()].map((r) => attempt(() => r.table.stop())));
    await attempt(() => this.cloudFront?.close());
  }

  /** The front door's GET cache, its platform pages, and the traffic numbers of the status page. */
  protected override frontDoorProps(): Partial<FrontDoorProps> {
    const { config, options } = this;
    return {
      cache: config.edgeCache.mode === 'off' ? undefined : this.cache,
      varyOnAuthorization: config.varyOnAuthorization,
      onRequest: (entry) => {
        if (entry.region) this.metrics.recordRequest(entry.region, entry.status, entry.latencyMs);
        if (entry.failedOverFrom) this.metrics.recordFailover(entry.failedOverFrom);
        for (const observe of this.requestObservers) observe(entry);
        options.onRequest?.(entry);
      },
      platformPages: (path) => this.platformPage(path),
    };
  }

  protected frontDoorNotes(): string[] {
    const { config } = this;
    const cacheNote = config.edgeCache.mode === 'off' ? 'no edge cache' : `GET cache in ${config.edgeCache.mode} mode, TTL ${config.edgeCache.ttlSeconds} s`;
    return [
      `(status page = ${this.statusPageUrl}: live health, traffic, replication lag, routing, alarms)`,
      `(front door = ${cacheNote}, then ${config.routing.policy} routing to the healthy regions)`,
    ];
  }

  private platformPage(path: string): { contentType: string; body: string } | undefined {
    if (path === STATUS_JSON_PATH) return { contentType: 'application/json', body: JSON.stringify(this.status()) };
    if (path === STATUS_PAGE_PATH) {
      // Poll a few times per health-check interval, so a change shows within a fraction of it.
      const pollMs = Math.max(100, Math.min(1000, Math.round(this.config.healthCheck.intervalMs / 4)));
      return { contentType: 'text/html; charset=utf-8', body: statusPageHtml({ title: `${this.config.service} (${this.config.environment}): platform status`, pollMs }) };
    }
    return undefined;
  }

  protected regionEnvironment(region: string): Record<string, string> {
    const { config } = this;
    const table = this.region(region).table;
    const E = LAMBDA_ENVIRONMENT;
    // The service contract's, with the global outputs answered locally; the edge cache
    // mode may be overridden for a local run.
    const app = config.appEnvironment(region, (output) =>
      output === GLOBAL_OUTPUTS.tableName
        ? config.tableName
        : output === GLOBAL_OUTPUTS.distributionId
          ? LOCAL_DISTRIBUTION_ID
          : output === GLOBAL_OUTPUTS.originSecretAccepted
            ? this.originSecret
            : 'not-emulated-locally',
    );
    delete app[E.distributionId];
    return {
      ...app,
      [E.edgeCacheMode]: config.edgeCache.mode,
      [E.edgeCacheTtlSeconds]: String(config.edgeCache.ttlSeconds),
      ...(config.edgeCache.mode === 'invalidate' ? { [E.distributionId]: LOCAL_DISTRIBUTION_ID } : {}),
      // The SDK's service-specific endpoint variables: the handler code is unchanged and
      // talks to this region's DynamoDB Local and to the local CloudFront API.
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_ENDPOINT_URL_CLOUDFRONT: this.cloudFront!.endpoint,
    };
  }
}
