import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GLOBAL_OUTPUTS, LAMBDA_ENVIRONMENT, ORIGIN_SECRET_HEADER } from '@platform/config';
import { FrontDoor, type FrontDoorRequest } from '../front-door';
import { type LocalAuth, startLocalAuth } from '../local-auth';
import type { LocalIssuer, MintOptions } from '../local-issuer';
import { HealthChecker, type HealthChange } from '../health-checker';
import { RegionApi } from '../region-api';
import { RegionRouter } from '../region-router';
import { handlerModuleOf, type TopologyConfig } from '../topology-config';
import { type PromotionReport, RelationalDataLayer } from '@platform/local-data-layer';
import { appMigrations } from './app-migrations';

/** Options of {@link RelationalTopology.start}. */
export interface RelationalTopologyOptions {
  readonly config: TopologyConfig;
  /** Database name and app user (the service contract's DB_NAME / DB_IAM_USER). */
  readonly database: { readonly name: string; readonly user: string };
  /** Whether the service has the cache layer (a Redis per region). @default true */
  readonly cache?: boolean;
  readonly workspaceRoot: string;
  /** @default - a free port */
  readonly frontDoorPort?: number;
  /** For latency routing: the region nearest to the simulated client. @default - the primary */
  readonly nearestRegion?: string;
  /** POWERTOOLS_LOG_LEVEL of the region APIs. @default "WARN" */
  readonly apiLogLevel?: string;
  /** The app's cache TTL (CACHE_TTL_SECONDS). @default - the service contract's */
  readonly cacheTtlSeconds?: number;
  /** @default - a new temporary directory, removed by stop() */
  readonly dataDir?: string;
  readonly log?: (line: string) => void;
  readonly apiOutput?: (line: string) => void;
  readonly onHealthChange?: (change: HealthChange) => void;
  readonly onRequest?: (entry: FrontDoorRequest) => void;
}

/**
 * A service on the relational layer (and the cache, when it has one), such as orders, on
 * one machine: per region the real handler behind the local HTTP adapter, reading its
 * region's PostgreSQL standby (and Redis replica) and writing the database through the
 * endpoint that follows the primary ({@link RelationalDataLayer}); the cache is written by
 * the primary region only, in its own Redis, as in AWS; Route53-like health checks and
 * routing; a local OIDC issuer when the service requires auth, whose tokens every region
 * validates in front of the handler as its JWT authorizer does (the same as
 * {@link LocalTopology}); one front door, which adds the origin secret every region insists on and fails reads of
 * the service's `edgeCache.failoverPaths` over to the secondary region. The
 * schema comes from the app's `migrate` target, as in a rollout. No edge cache is run
 * (orders answers `private, no-store`).
 */
export class RelationalTopology {
  static async start(options: RelationalTopologyOptions): Promise<RelationalTopology> {
    const handlerModule = handlerModuleOf(options.config, options.workspaceRoot);
    const topology = new RelationalTopology(options, handlerModule);
    try {
      await topology.startAll();
      return topology;
    } catch (err) {
      await topology.stop().catch(() => undefined);
      throw err;
    }
  }

  readonly config: TopologyConfig;
  data!: RelationalDataLayer;
  readonly apis = new Map<string, RegionApi>();
  healthChecker!: HealthChecker;
  router!: RegionRouter;
  frontDoor: FrontDoor | undefined;
  readonly dataDir: string;
  /** The value the front door sends as the origin secret header (a new one every start). */
  readonly originSecret = randomBytes(24).toString('base64url');
  /**
   * What a trusted caller of a region's own URL sends: the origin secret (what the edge
   * adds) and, when the service requires auth, a bearer token with every scope.
   */
  edgeHeaders: Readonly<Record<string, string>> = { [ORIGIN_SECRET_HEADER]: this.originSecret };
  /** The local issuer and what every region's authorizer checks. */
  auth!: LocalAuth;
  private readonly ownsDataDir: boolean;
  private readonly log: (line: string) => void;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly options: RelationalTopologyOptions,
    private readonly handlerModule: string,
  ) {
    this.config = options.config;
    this.log = options.log ?? (() => undefined);
    this.ownsDataDir = !options.dataDir;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `${options.config.service}-topology-`));
  }

  get frontDoorUrl(): string {
    if (!this.frontDoor) throw new Error('RelationalTopology: the front door is not running');
    return this.frontDoor.url;
  }

  /** The local OIDC issuer, when the service requires auth. */
  get issuer(): LocalIssuer | undefined {
    return this.auth?.issuer;
  }

  /** Mints a token of the local issuer (every scope unless told otherwise; `subject` is the caller, e.g. the customer id of orders). */
  mintToken(options: MintOptions = {}): Promise<string> {
    if (!this.issuer) throw new Error(`RelationalTopology: service ${this.config.service} does not require auth, so there is no local issuer`);
    return this.issuer.mint(options);
  }

  api(region: string): RegionApi {
    const api = this.apis.get(region);
    if (!api) throw new Error(`no region "${region}"; the regions are ${this.config.regions.join(', ')}`);
    return api;
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

  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async startAll(): Promise<void> {
    const { config, options } = this;
    this.log(
      `local topology: service ${config.service}, environment ${config.environment}, regions ${config.regions.join(', ')} (primary first); ${config.routing.policy} routing; ` +
        `health checks every ${config.healthCheck.intervalMs} ms, unhealthy after ${config.healthCheck.failureThreshold} failures`,
    );
    this.data = await RelationalDataLayer.start({
      regions: config.regions,
      dataDir: join(this.dataDir, 'stores'),
      database: options.database.name,
      user: options.database.user,
      cache: options.cache ?? true,
      migrate: appMigrations(options.workspaceRoot, config.app),
      log: this.log,
    });
    this.auth = await startLocalAuth(config, this.log);
    for (const region of config.regions) {
      const api = await RegionApi.start({
        region,
        handlerModule: this.handlerModule,
        lambdaEnvironment: this.lambdaEnvironment(region),
        cwd: options.workspaceRoot,
        authorizer: this.auth.authorizer,
        onOutput: options.apiOutput ? (line) => options.apiOutput!(`[${region}] ${line}`) : undefined,
      });
      this.apis.set(region, api);
      this.log(`api ${region}: ${api.url} (${relative(options.workspaceRoot, this.handlerModule)} behind the local HTTP adapter)`);
    }
    this.healthChecker = new HealthChecker({
      targets: config.regions.map((region) => ({ region, url: this.api(region).url })),
      path: config.healthCheck.path,
      intervalMs: config.healthCheck.intervalMs,
      failureThreshold: config.healthCheck.failureThreshold,
      onChange: (change) => {
        this.log(`health check: ${change.region} is ${change.healthy ? 'healthy again' : 'unhealthy'} (${change.reason}); the front door now sends requests to ${this.router.pick()}`);
        options.onHealthChange?.(change);
      },
    });
    this.router = new RegionRouter({
      policy: config.routing.policy,
      regions: config.regions,
      weights: config.routing.weights,
      nearestRegion: options.nearestRegion,
      isHealthy: (r) => this.healthChecker.isHealthy(r),
    });
    await this.healthChecker.start();
    this.frontDoor = await FrontDoor.start({
      router: this.router,
      originOf: (r) => this.api(r).url,
      originHeaders: { [ORIGIN_SECRET_HEADER]: this.originSecret },
      port: options.frontDoorPort,
      onRequest: options.onRequest,
      // The distribution's origin group (docs/traffic.md, "Origin failover"): reads of
      // the failover paths (orders: /customers/*) are retried once on the secondary.
      failover: config.edgeCache.failoverPaths.length > 0 ? { paths: config.edgeCache.failoverPaths, secondary: () => this.router.secondary() } : undefined,
    });
    if (this.issuer) this.edgeHeaders = { ...this.edgeHeaders, authorization: `Bearer ${await this.mintToken()}` };
    this.log(`front door: ${this.frontDoor.url}`);
    this.log(`(front door = ${config.routing.policy} routing to the healthy regions, adding the origin secret; no edge cache is run for a service on the relational layer)`);
  }

  private lambdaEnvironment(region: string): Record<string, string> {
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
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: this.config.functionName,
      ...app,
      ...(this.options.cacheTtlSeconds ? { [E.cacheTtlSeconds]: String(this.options.cacheTtlSeconds) } : {}),
      // Locally the app authenticates with a password; in AWS with IAM tokens.
      DB_PASSWORD: this.data.password,
      [E.powertoolsLogLevel]: this.options.apiLogLevel ?? 'WARN',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  }

  private async stopAll(): Promise<void> {
    await this.frontDoor?.close().catch(() => undefined);
    await Promise.resolve(this.healthChecker?.stop()).catch(() => undefined);
    await Promise.all([...this.apis.values()].map((a) => a.stop().catch(() => undefined)));
    await this.data?.stop().catch(() => undefined);
    if (this.issuer?.isRunning) await this.issuer.stop().catch(() => undefined);
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
