import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EVEN_WEIGHT, GLOBAL_OUTPUTS, LAMBDA_ENVIRONMENT, ORIGIN_SECRET_HEADER, type ServiceAuthorization } from '@platform/config';
import { SERVICE_TABLE } from '@platform/table-definition';
import { CloudFrontApi } from './cloudfront-api';
import { EdgeCache } from './edge-cache';
import { FrontDoor, type FrontDoorRequest } from './front-door';
import { HealthChecker, type HealthChange } from './health-checker';
import { startLocalAuth } from './local-auth';
import type { LocalIssuer, MintOptions } from './local-issuer';
import type { LocalJwtAuthorizerProps } from './local-jwt-authorizer';
import { RegionApi } from './region-api';
import { RegionRouter } from './region-router';
import { RegionTable, requireJava } from './region-table';
import { ReplicaLedger } from './replica-ledger';
import type { ReplicaEndpoint, ReplicationEvent } from './replication-link';
import { Replicator } from './replicator';
import { type PlatformStatus, STATUS_JSON_PATH, STATUS_PAGE_PATH, platformStatus, statusPageHtml } from './status-page';
import { StatusMetrics } from './status-metrics';
import { handlerModuleOf, type TopologyConfig } from './topology-config';
import { TopologyConfigError } from './topology-config-error';
import { VersionStamps } from './version-stamps';

/** Options of {@link LocalTopology.start}. */
export interface LocalTopologyOptions {
  readonly config: TopologyConfig;
  /** Root of the workspace (its tsconfig resolves the handler's imports). */
  readonly workspaceRoot: string;
  /** @default - `apps/<app>/src/main.ts` of the service */
  readonly handlerModule?: string;
  /** @default - a free port */
  readonly frontDoorPort?: number;
  /** Minimum time between a change being read from a region's stream and being applied elsewhere. @default 0 */
  readonly replicationDelayMs?: number;
  /** Wait between reads of a stream that had nothing new. @default 50 */
  readonly replicationPollIntervalMs?: number;
  /** For latency routing: the region nearest to the simulated client. @default - the primary */
  readonly nearestRegion?: string;
  /** POWERTOOLS_LOG_LEVEL of the region APIs (INFO shows one line per request). @default "WARN" */
  readonly apiLogLevel?: string;
  /** CloudFront's error caching minimum TTL for GETs. @default 0, as the platform's distribution sets it */
  readonly errorCachingMinTtlSeconds?: number;
  /** Where the tables keep their data. @default - a new temporary directory, removed by stop() */
  readonly dataDir?: string;
  /** Environment in which `java` is looked up. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives the start-up lines, health changes and replication pauses. @default - discarded */
  readonly log?: (line: string) => void;
  /** Receives the output of the region APIs, prefixed with the region. @default - discarded */
  readonly apiOutput?: (line: string) => void;
  readonly onReplication?: (event: ReplicationEvent) => void;
  readonly onHealthChange?: (change: HealthChange) => void;
  readonly onRequest?: (entry: FrontDoorRequest) => void;
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
 * front door URL.
 *
 * ```ts
 * const topology = await LocalTopology.start({ config, workspaceRoot });
 * try { ... fetch(`${topology.frontDoorUrl}/items`) ... } finally { await topology.stop(); }
 * ```
 */
export class LocalTopology {
  /** Starts every component; on failure stops what was started and rethrows. */
  static async start(options: LocalTopologyOptions): Promise<LocalTopology> {
    // Before anything starts, so that nothing needs stopping: the config, then Java.
    const handlerModule = options.handlerModule ?? handlerModuleOf(options.config, options.workspaceRoot);
    requireJava(options.env ?? process.env);
    const topology = new LocalTopology(options, handlerModule);
    try {
      await topology.startAll();
      return topology;
    } catch (err) {
      await topology.stop().catch(() => undefined);
      throw err;
    }
  }

  readonly config: TopologyConfig;
  readonly cache: EdgeCache;
  readonly regions = new Map<string, LocalRegion>();
  replicator!: Replicator;
  healthChecker!: HealthChecker;
  router!: RegionRouter;
  cloudFront: CloudFrontApi | undefined;
  frontDoor: FrontDoor | undefined;
  /** The local OIDC issuer, when the service requires auth. */
  issuer: LocalIssuer | undefined;
  /** The value the front door sends as the origin secret header (a new one every start). */
  readonly originSecret = randomBytes(24).toString('base64url');
  /** What every region's authorizer checks, with the local issuer (issuer empty when auth is off). */
  authorization!: ServiceAuthorization;
  /** How every region API validates tokens (also an API a rollout starts later). */
  private authorizer: LocalJwtAuthorizerProps | undefined;
  /**
   * What a trusted caller of a region's own URL sends: the origin secret (what the edge
   * adds) and, when the service requires auth, a bearer token with every scope. For
   * tests and benchmarks about regions rather than about the edge.
   */
  edgeHeaders: Readonly<Record<string, string>> = {};
  /** Traffic and replication numbers of the status page. */
  readonly metrics = new StatusMetrics();
  /** Directory holding the regions' database files. */
  readonly dataDir: string;
  /** Regions taken out of routing by {@link evacuateRegion} (local-evacuation.ts), whatever their health. */
  readonly evacuated = new Set<string>();
  /** Observers of every front door request besides `options.onRequest` (the local alarms). */
  readonly requestObservers = new Set<(entry: FrontDoorRequest) => void>();
  /** The handler module each region's API runs now. */
  readonly handlerModules = new Map<string, string>();
  private readonly ownsDataDir: boolean;
  private readonly log: (line: string) => void;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly options: LocalTopologyOptions,
    private readonly handlerModule: string,
  ) {
    this.config = options.config;
    this.log = options.log ?? (() => undefined);
    this.ownsDataDir = !options.dataDir;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'local-topology-'));
    this.cache = new EdgeCache({
      mode: this.config.edgeCache.mode,
      ttlSeconds: this.config.edgeCache.ttlSeconds,
      errorCachingMinTtlSeconds: options.errorCachingMinTtlSeconds,
    });
  }

  /** The front door's URL, e.g. `http://127.0.0.1:41234`. */
  get frontDoorUrl(): string {
    if (!this.frontDoor) throw new Error('LocalTopology: the front door is not running');
    return this.frontDoor.url;
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

  /**
   * Starts another API process for the region running `handlerModule`, on a port of its
   * own, without routing to it yet (see {@link useApi}; local-rollout.ts deploys blue/green
   * with these two).
   */
  startApi(name: string, handlerModule: string): Promise<RegionApi> {
    this.region(name);
    return RegionApi.start({
      region: name,
      handlerModule,
      lambdaEnvironment: this.lambdaEnvironment(name),
      cwd: this.options.workspaceRoot,
      authorizer: this.authorizer,
      onOutput: this.options.apiOutput ? (line) => this.options.apiOutput!(`[${name}] ${line}`) : undefined,
    });
  }

  /**
   * Makes `api` the region's API: the front door and the health check move to it at
   * once (as a Lambda alias moving to a new version). Returns the API it replaced, still
   * running: the caller stops it.
   */
  useApi(name: string, api: RegionApi, handlerModule: string): RegionApi {
    const region = this.region(name);
    this.regions.set(name, { ...region, api });
    this.healthChecker.retarget(name, api.url);
    this.handlerModules.set(name, handlerModule);
    this.log(`api ${name}: now ${relative(this.options.workspaceRoot, handlerModule)} on ${api.url}`);
    return region.api;
  }

  /** Every scope the service's routes name: what the `dev token` carries. */
  get allScopes(): string[] {
    return [...new Set(this.authorization.routes.flatMap((r) => r.scopes))].sort();
  }

  /** Mints a token of the local issuer for this service (every scope unless told otherwise). */
  mintToken(options: MintOptions = {}): Promise<string> {
    if (!this.issuer) throw new Error(`LocalTopology: service ${this.config.service} does not require auth, so there is no local issuer`);
    return this.issuer.mint(options);
  }

  /** Stops everything and frees every port. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** Every component, in the order each needs the ones before it. */
  private async startAll(): Promise<void> {
    const { config } = this;
    this.log(
      `local topology: service ${config.service}, environment ${config.environment}, regions ${config.regions.join(', ')} (primary first); ` +
        `${config.routing.policy} routing; health checks every ${config.healthCheck.intervalMs} ms, unhealthy after ${config.healthCheck.failureThreshold} failures`,
    );
    if (config.notEmulated.length) this.log(`note: ${config.notEmulated.join(' and ')} of the service ${config.notEmulated.length === 1 ? 'is' : 'are'} not run locally`);
    await this.startCloudFrontApi();
    await this.startTablesAndReplication();
    await this.startAuth();
    await this.startApis();
    await this.startRouting();
    await this.startFrontDoor();
  }

  /** The CloudFront API the handlers send their invalidations to. */
  private async startCloudFrontApi(): Promise<void> {
    this.cloudFront = await CloudFrontApi.start({ distributionId: LOCAL_DISTRIBUTION_ID, cache: this.cache });
    this.log(`cloudfront api: ${this.cloudFront.endpoint} (invalidations of the front door's cache, distribution ${LOCAL_DISTRIBUTION_ID})`);
  }

  /** A DynamoDB Local per region, and the replicator between their streams. */
  private async startTablesAndReplication(): Promise<void> {
    const { config, options } = this;
    const tables = await settleAll(
      config.regions.map((name) => RegionTable.start({ region: name, tableName: config.tableName, dataDir: join(this.dataDir, name), env: options.env })),
    );
    const versions = new VersionStamps();
    const endpoints: ReplicaEndpoint[] = [];
    tables.forEach((table) => {
      const ledger = new ReplicaLedger({ region: table.region });
      // The API is filled in below; a region is only reachable through the map once complete.
      this.regions.set(table.region, { name: table.region, table, api: undefined as unknown as RegionApi, ledger });
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

  /** The service's issuer and each region's authorizer, as its auth config asks. */
  private async startAuth(): Promise<void> {
    const { config } = this;
    const auth = await startLocalAuth(config, this.log);
    this.issuer = auth.issuer;
    this.authorization = auth.authorization;
    this.authorizer = auth.authorizer;
  }

  /** A process per region running the service's handler behind the local HTTP adapter. */
  private async startApis(): Promise<void> {
    const { config, options } = this;
    const apis = await settleAll(
      config.regions.map((name) =>
        RegionApi.start({
          region: name,
          handlerModule: this.handlerModule,
          lambdaEnvironment: this.lambdaEnvironment(name),
          cwd: options.workspaceRoot,
          authorizer: this.authorizer,
          onOutput: options.apiOutput ? (line) => options.apiOutput!(`[${name}] ${line}`) : undefined,
        }),
      ),
      (api) => api.stop(),
    );
    for (const api of apis) {
      this.regions.set(api.region, { ...this.regions.get(api.region)!, api });
      this.handlerModules.set(api.region, this.handlerModule);
      this.log(`api ${api.region}: ${api.url} (${relative(options.workspaceRoot, this.handlerModule)} behind the local HTTP adapter)`);
    }
  }

  /** The health checks of every region and the router that follows them. */
  private async startRouting(): Promise<void> {
    const { config, options } = this;
    this.healthChecker = new HealthChecker({
      targets: config.regions.map((name) => ({ region: name, url: this.apiUrl(name) })),
      path: config.healthCheck.path,
      intervalMs: config.healthCheck.intervalMs,
      failureThreshold: config.healthCheck.failureThreshold,
      onChange: (change) => {
        this.log(
          `health check: ${change.region} is ${change.healthy ? 'healthy again' : 'unhealthy'} (${change.reason}); ` +
            `the front door now sends requests to ${this.router.pick()}`,
        );
        options.onHealthChange?.(change);
      },
    });
    this.router = new RegionRouter({
      policy: config.routing.policy,
      regions: config.regions,
      weights: config.routing.weights,
      nearestRegion: options.nearestRegion,
      // An evacuated region is out of routing as a Route53 record whose health check is
      // forced unhealthy (inverted and disabled) is.
      isHealthy: (r) => this.healthChecker.isHealthy(r) && !this.evacuated.has(r),
    });
    await this.healthChecker.start();
    this.log(
      `health checks: GET ${config.healthCheck.path} on each region's API every ${config.healthCheck.intervalMs} ms; ` +
        `${config.routing.policy} routing${config.routing.policy === 'weighted' ? ` (weights ${config.regions.map((r) => `${r}=${config.routing.weights[r] ?? EVEN_WEIGHT}`).join(', ')})` : ''}`,
    );
  }

  /** The front door (CloudFront stand-in) with its cache and origin failover. */
  private async startFrontDoor(): Promise<void> {
    const { config, options } = this;
    this.frontDoor = await FrontDoor.start({
      router: this.router,
      originOf: (r) => this.apiUrl(r),
      cache: config.edgeCache.mode === 'off' ? undefined : this.cache,
      varyOnAuthorization: config.varyOnAuthorization,
      originHeaders: { [ORIGIN_SECRET_HEADER]: this.originSecret },
      port: options.frontDoorPort,
      onRequest: (entry) => {
        if (entry.region) this.metrics.recordRequest(entry.region, entry.status, entry.latencyMs);
        if (entry.failedOverFrom) this.metrics.recordFailover(entry.failedOverFrom);
        for (const observe of this.requestObservers) observe(entry);
        options.onRequest?.(entry);
      },
      platformPages: (path) => this.platformPage(path),
      failover: config.edgeCache.failoverPaths.length > 0 ? { paths: config.edgeCache.failoverPaths, secondary: () => this.router.secondary() } : undefined,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err?.code !== 'EADDRINUSE') throw err;
      throw new TopologyConfigError(`the front door cannot listen on port ${options.frontDoorPort}: the port is in use. Choose another (--port) or leave it out to get a free one.`);
    });
    const cacheNote =
      config.edgeCache.mode === 'off' ? 'no edge cache' : `GET cache in ${config.edgeCache.mode} mode, TTL ${config.edgeCache.ttlSeconds} s`;
    this.edgeHeaders = {
      [ORIGIN_SECRET_HEADER]: this.originSecret,
      ...(this.issuer ? { authorization: `Bearer ${await this.issuer.mint({ scopes: this.allScopes })}` } : {}),
    };
    this.log(`front door: ${this.frontDoor.url}`);
    this.log(`(status page = ${this.statusPageUrl}: live health, traffic, replication lag, routing, alarms)`);
    this.log(`(front door = ${cacheNote}, then ${config.routing.policy} routing to the healthy regions)`);
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

  private lambdaEnvironment(region: string): Record<string, string> {
    const { config } = this;
    const table = this.region(region).table;
    const E = LAMBDA_ENVIRONMENT;
    // What the regional stack sets (the service contract's), with the global outputs
    // answered locally; the edge cache mode may be overridden for a local run.
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
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: config.functionName,
      ...app,
      [E.edgeCacheMode]: config.edgeCache.mode,
      [E.edgeCacheTtlSeconds]: String(config.edgeCache.ttlSeconds),
      ...(config.edgeCache.mode === 'invalidate' ? { [E.distributionId]: LOCAL_DISTRIBUTION_ID } : {}),
      [E.powertoolsLogLevel]: this.options.apiLogLevel ?? 'WARN',
      // The SDK's service-specific endpoint variables: the handler code is unchanged and
      // talks to this region's DynamoDB Local and to the local CloudFront API.
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_ENDPOINT_URL_CLOUDFRONT: this.cloudFront!.endpoint,
      // Fake credentials, and no profile files: nothing can reach a real account.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  }

  private async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<unknown> | unknown) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    await attempt(() => this.frontDoor?.close());
    await attempt(() => this.healthChecker?.stop());
    await attempt(() => this.replicator?.stop());
    await Promise.all([...this.regions.values()].map((r) => attempt(() => r.api?.stop())));
    await Promise.all([...this.regions.values()].map((r) => attempt(() => r.table.stop())));
    await attempt(() => this.cloudFront?.close());
    await attempt(() => (this.issuer?.isRunning ? this.issuer.stop() : undefined));
    if (this.ownsDataDir) await attempt(() => rmSync(this.dataDir, { recursive: true, force: true }));
    if (errors.length) throw new AggregateError(errors, `LocalTopology: ${errors.length} component(s) failed to stop: ${errors.map((e) => (e as Error)?.message).join('; ')}`);
  }
}

/**
 * Like Promise.all, but when one start fails, the ones that succeeded are stopped
 * before the first error is thrown (no process is left running).
 */
async function settleAll<T>(starts: Promise<T>[], stop?: (value: T) => Promise<unknown>): Promise<T[]> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  await Promise.all(
    results.map((r) =>
      r.status === 'fulfilled' ? (stop ?? ((v: T) => (v as unknown as { stop(): Promise<unknown> }).stop()))(r.value).catch(() => undefined) : undefined,
    ),
  );
  throw failed.reason;
}
