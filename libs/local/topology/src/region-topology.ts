import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EVEN_WEIGHT, LAMBDA_ENVIRONMENT, ORIGIN_SECRET_HEADER, readFailoverOf } from '@platform/config';
import { FrontDoor, type FrontDoorProps, type FrontDoorRequest } from './front-door';
import { HealthChecker, type HealthChange } from './health-checker';
import { type LocalAuth, startLocalAuth } from './local-auth';
import type { LocalIssuer, MintOptions } from './local-issuer';
import { RegionApi } from './region-api';
import { RegionRouter } from './region-router';
import type { TopologyConfig } from './topology-config';
import { TopologyConfigError } from './topology-config-error';

/** What every local topology is started with, whatever its data layer. */
export interface RegionTopologyOptions {
  readonly config: TopologyConfig;
  /** Root of the workspace (its tsconfig resolves the handler's imports). */
  readonly workspaceRoot: string;
  /** @default - a free port */
  readonly frontDoorPort?: number;
  /** For latency routing: the region nearest to the simulated client. @default - the primary */
  readonly nearestRegion?: string;
  /** POWERTOOLS_LOG_LEVEL of the region APIs (INFO shows one line per request). @default "WARN" */
  readonly apiLogLevel?: string;
  /** Where the data layer keeps its files. @default - a new temporary directory, removed by stop() */
  readonly dataDir?: string;
  /** Receives the start-up lines and health changes. @default - discarded */
  readonly log?: (line: string) => void;
  /** Receives the output of the region APIs, prefixed with the region. @default - discarded */
  readonly apiOutput?: (line: string) => void;
  readonly onHealthChange?: (change: HealthChange) => void;
  readonly onRequest?: (entry: FrontDoorRequest) => void;
}

/** Calls `fn` and keeps what it throws, so that stopping goes on with the next component. */
export type StopAttempt = (fn: () => Promise<unknown> | unknown) => Promise<void>;

/**
 * What the local topologies share, whatever their data layer: per region the service's
 * real handler in its own process behind the local HTTP adapter, the local issuer,
 * Route53-like health checks and routing, and one front door that adds the origin
 * secret. A subclass brings the data layer ({@link startDataLayer}, {@link stopDataLayer})
 * and what each region's Lambda environment adds for it ({@link regionEnvironment}).
 *
 * Start: the data layer, the auth, the APIs, the health checks and router, the front
 * door; a failed start stops what was started. Stop: the reverse order.
 */
export abstract class RegionTopology<Options extends RegionTopologyOptions = RegionTopologyOptions> {
  /** Starts every component of `topology`; on failure stops what was started and rethrows. */
  protected static async startOrStop<T extends RegionTopology>(topology: T): Promise<T> {
    try {
      await topology.startAll();
      return topology;
    } catch (err) {
      await topology.stop().catch(() => undefined);
      throw err;
    }
  }

  readonly config: TopologyConfig;
  /** Each region's API process (the one the front door and the health check reach). */
  readonly apis = new Map<string, RegionApi>();
  /** The handler module each region's API runs now. */
  readonly handlerModules = new Map<string, string>();
  healthChecker!: HealthChecker;
  router!: RegionRouter;
  frontDoor: FrontDoor | undefined;
  /** The local issuer and what every region's authorizer checks. */
  auth!: LocalAuth;
  /** The value the front door sends as the origin secret header (a new one every start). */
  readonly originSecret = randomBytes(24).toString('base64url');
  /**
   * What a trusted caller of a region's own URL sends: the origin secret (what the edge
   * adds) and, when the service requires auth, a bearer token with every scope. For
   * tests and benchmarks about regions rather than about the edge.
   */
  edgeHeaders: Readonly<Record<string, string>> = { [ORIGIN_SECRET_HEADER]: this.originSecret };
  /** Regions taken out of routing (local-evacuation.ts), whatever their health. */
  readonly evacuated = new Set<string>();
  /** Directory holding the data layer's files. */
  readonly dataDir: string;
  protected readonly log: (line: string) => void;
  private readonly ownsDataDir: boolean;
  private stopping: Promise<void> | undefined;

  protected constructor(
    protected readonly options: Options,
    protected readonly handlerModule: string,
    /** The class name that starts this topology's error messages. */
    private readonly kind: string,
    dataDirPrefix: string,
  ) {
    this.config = options.config;
    this.log = options.log ?? (() => undefined);
    this.ownsDataDir = !options.dataDir;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), dataDirPrefix));
  }

  /** The front door's URL, e.g. `http://127.0.0.1:41234`. */
  get frontDoorUrl(): string {
    if (!this.frontDoor) throw new Error(`${this.kind}: the front door is not running`);
    return this.frontDoor.url;
  }

  /** The region's API process. */
  api(region: string): RegionApi {
    const api = this.apis.get(region);
    if (!api) throw new Error(`no region "${region}"; the regions are ${this.config.regions.join(', ')}`);
    return api;
  }

  /** The local OIDC issuer, when the service requires auth. */
  get issuer(): LocalIssuer | undefined {
    return this.auth?.issuer;
  }

  /** Every scope the service's routes name: what the `dev token` carries. */
  get allScopes(): string[] {
    return this.auth.allScopes;
  }

  /** Mints a token of the local issuer (every scope unless told otherwise; `subject` is the caller). */
  mintToken(options: MintOptions = {}): Promise<string> {
    if (!this.issuer) throw new Error(`${this.kind}: service ${this.config.service} does not require auth, so there is no local issuer`);
    return this.issuer.mint(options);
  }

  /**
   * Starts another API process for the region running `handlerModule`, on a port of its
   * own, without routing to it yet (see {@link useApi}; local-rollout.ts deploys blue/green
   * with these two).
   */
  startApi(region: string, handlerModule: string): Promise<RegionApi> {
    this.api(region);
    return RegionApi.start({
      region,
      handlerModule,
      lambdaEnvironment: this.lambdaEnvironment(region),
      cwd: this.options.workspaceRoot,
      authorizer: this.auth?.authorizer,
      onOutput: this.options.apiOutput ? (line) => this.options.apiOutput!(`[${region}] ${line}`) : undefined,
    });
  }

  /**
   * Makes `api` the region's API: the front door and the health check move to it at
   * once (as a Lambda alias moving to a new version). Returns the API it replaced, still
   * running: the caller stops it.
   */
  useApi(region: string, api: RegionApi, handlerModule: string): RegionApi {
    const old = this.api(region);
    this.apis.set(region, api);
    this.healthChecker.retarget(region, api.url);
    this.handlerModules.set(region, handlerModule);
    this.log(`api ${region}: now ${relative(this.options.workspaceRoot, handlerModule)} on ${api.url}`);
    return old;
  }

  /** Stops everything and frees every port. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** The regions' data stores (and what else the handlers call), before anything that uses them. */
  protected abstract startDataLayer(): Promise<void>;

  /** Stops what {@link startDataLayer} started (each component through `attempt`). */
  protected abstract stopDataLayer(attempt: StopAttempt): Promise<void>;

  /** What the region's Lambda environment has for this data layer: the service contract's, with the global outputs answered by the local servers. */
  protected abstract regionEnvironment(region: string): Record<string, string>;

  /** What the front door does besides routing, failover and the origin secret (an edge cache, platform pages). */
  protected frontDoorProps(): Partial<FrontDoorProps> {
    return { onRequest: this.options.onRequest };
  }

  /** The lines logged after the front door's URL. */
  protected abstract frontDoorNotes(): string[];

  /** Every component, in the order each needs the ones before it. */
  private async startAll(): Promise<void> {
    const { config } = this;
    this.log(
      `local topology: service ${config.service}, environment ${config.environment}, regions ${config.regions.join(', ')} (primary first); ` +
        `${config.routing.policy} routing; health checks every ${config.healthCheck.intervalMs} ms, unhealthy after ${config.healthCheck.failureThreshold} failures`,
    );
    await this.startDataLayer();
    this.auth = await startLocalAuth(config, this.log);
    await this.startApis();
    await this.startRouting();
    await this.startFrontDoor();
  }

  /** A process per region running the service's handler behind the local HTTP adapter. */
  private async startApis(): Promise<void> {
    const apis = await settleAll(
      this.config.regions.map((region) => RegionApi.start({
        region,
        handlerModule: this.handlerModule,
        lambdaEnvironment: this.lambdaEnvironment(region),
        cwd: this.options.workspaceRoot,
        authorizer: this.auth.authorizer,
        onOutput: this.options.apiOutput ? (line) => this.options.apiOutput!(`[${region}] ${line}`) : undefined,
      })),
    );
    for (const api of apis) {
      this.apis.set(api.region, api);
      this.handlerModules.set(api.region, this.handlerModule);
      this.log(`api ${api.region}: ${api.url} (${relative(this.options.workspaceRoot, this.handlerModule)} behind the local HTTP adapter)`);
    }
  }

  /** The health checks of every region and the router that follows them. */
  private async startRouting(): Promise<void> {
    const { config, options } = this;
    this.healthChecker = new HealthChecker({
      targets: config.regions.map((region) => ({ region, url: this.api(region).url })),
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

  /** The front door (CloudFront stand-in): the origin secret, routing, and origin failover on the failover paths. */
  private async startFrontDoor(): Promise<void> {
    const { config, options } = this;
    this.frontDoor = await FrontDoor.start({
      router: this.router,
      originOf: (r) => this.api(r).url,
      originHeaders: { [ORIGIN_SECRET_HEADER]: this.originSecret },
      port: options.frontDoorPort,
      // The distribution's read failover (docs/traffic.md, "Origin failover"): reads of
      // the failover paths are retried once on the group's second origin.
      failover: readFailoverOf({ routing: config.routing, edgeCache: { enabled: true, failoverPaths: config.edgeCache.failoverPaths } }, config.regions),
      ...this.frontDoorProps(),
    }).catch((err: NodeJS.ErrnoException) => {
      if (err?.code !== 'EADDRINUSE') throw err;
      throw new TopologyConfigError(`the front door cannot listen on port ${options.frontDoorPort}: the port is in use. Choose another (--port) or leave it out to get a free one.`);
    });
    this.edgeHeaders = {
      [ORIGIN_SECRET_HEADER]: this.originSecret,
      ...(this.issuer ? { authorization: `Bearer ${await this.issuer.mint({ scopes: this.allScopes })}` } : {}),
    };
    this.log(`front door: ${this.frontDoor.url}`);
    for (const line of this.frontDoorNotes()) this.log(line);
  }

  /** What the regional stack sets, then what makes the handler talk to the local servers and never to an account. */
  private lambdaEnvironment(region: string): Record<string, string> {
    return {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: this.config.functionName,
      ...this.regionEnvironment(region),
      [LAMBDA_ENVIRONMENT.powertoolsLogLevel]: this.options.apiLogLevel ?? 'WARN',
      // Fake credentials, and no profile files: nothing can reach a real account.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  }

  /** In the reverse order of the start; a component that fails to stop does not keep the others running. */
  private async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    const attempt: StopAttempt = async (fn) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    await attempt(() => this.frontDoor?.close());
    await attempt(() => this.healthChecker?.stop());
    await Promise.all([...this.apis.values()].map((api) => attempt(() => api.stop())));
    await attempt(() => (this.issuer?.isRunning ? this.issuer.stop() : undefined));
    await this.stopDataLayer(attempt);
    if (this.ownsDataDir) await attempt(() => rmSync(this.dataDir, { recursive: true, force: true }));
    if (errors.length) throw new AggregateError(errors, `${this.kind}: ${errors.length} component(s) failed to stop: ${errors.map((e) => (e as Error)?.message).join('; ')}`);
  }
}

/**
 * Like Promise.all, but when one start fails, the ones that succeeded are stopped
 * before the first error is thrown (no process is left running).
 */
export async function settleAll<T extends { stop(): Promise<unknown> }>(starts: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop().catch(() => undefined) : undefined)));
  throw failed.reason;
}
