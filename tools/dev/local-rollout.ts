// The rollout against the local topology: the same executor as the pipeline
// (@platform/rollout), with the region's API process as the "stack", a handler
// module as the "commit", and local gates: the front door's 5xx rate per region as the
// composite alarm, and the local health checker as the Route53 health check.
import { type Platform, regionalStackName, serviceContract } from '@platform/config';
import {
  type AlarmReader,
  type AlarmState,
  type HealthCheckReader,
  MemoryDeploymentRecord,
  type Pager,
  type RolloutPlan,
  type RolloutResult,
  type StackDeployer,
  type Wave,
  executeRollout,
  resolveRollout,
} from '@platform/rollout';
import type { FrontDoorRequest, LocalTopology, RegionApi } from '@platform/local-topology';

const PREVIOUS = 'previous';

/** The local "region unhealthy" alarm: at least `thresholdPercent` % 5xx of at least `minRequests` requests in the last `windowMs`. */
export interface LocalAlarmOptions {
  /** @default 5000 */
  readonly windowMs?: number;
  /** @default 10 */
  readonly thresholdPercent?: number;
  /** Fewer requests in the window: OK (as CloudWatch's treatMissingData notBreaching). @default 10 */
  readonly minRequests?: number;
}

/**
 * Per-region 5xx rate of the requests the front door sent to a region's API, over a
 * sliding window: the local composite alarm of each region. Reads as an
 * {@link AlarmReader} under the contract's alarm names.
 */
export class LocalRegionAlarms implements AlarmReader {
  private readonly seen = new Map<string, { at: number; failed: boolean }[]>();
  private readonly observer = (e: FrontDoorRequest) => this.observe(e);
  readonly windowMs: number;
  readonly thresholdPercent: number;
  readonly minRequests: number;

  constructor(
    private readonly topology: LocalTopology,
    /** Alarm name → region. */
    private readonly alarmRegions: ReadonlyMap<string, string>,
    options: LocalAlarmOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 5000;
    this.thresholdPercent = options.thresholdPercent ?? 10;
    this.minRequests = options.minRequests ?? 10;
    topology.requestObservers.add(this.observer);
  }

  close(): void {
    this.topology.requestObservers.delete(this.observer);
  }

  private observe(e: FrontDoorRequest): void {
    if (!e.region) return; // a cache hit reached no region
    const list = this.seen.get(e.region) ?? [];
    list.push({ at: Date.now(), failed: e.status >= 500 });
    this.seen.set(e.region, list);
  }

  /** The region's state now. */
  state(region: string): AlarmState {
    const since = Date.now() - this.windowMs;
    const list = (this.seen.get(region) ?? []).filter((x) => x.at >= since);
    this.seen.set(region, list);
    if (list.length < this.minRequests) return 'OK';
    const failed = list.filter((x) => x.failed).length;
    return (failed * 100) / list.length >= this.thresholdPercent ? 'ALARM' : 'OK';
  }

  async alarmStates(_region: string, alarmNames: readonly string[]): Promise<ReadonlyMap<string, AlarmState>> {
    const out = new Map<string, AlarmState>();
    for (const name of alarmNames) {
      const region = this.alarmRegions.get(name);
      if (region) out.set(name, this.state(region));
    }
    return out;
  }
}

/** The local health checker under the contract's routing health check names. */
export class LocalHealthChecks implements HealthCheckReader {
  constructor(
    private readonly topology: LocalTopology,
    /** Health check name → region. */
    private readonly checkRegions: ReadonlyMap<string, string>,
  ) {}

  async healthChecks(names: readonly string[]): Promise<ReadonlyMap<string, boolean>> {
    const out = new Map<string, boolean>();
    for (const name of names) {
      const region = this.checkRegions.get(name);
      if (region) out.set(name, this.topology.healthChecker.isHealthy(region));
    }
    return out;
  }
}

/**
 * Blue/green deploys of handler modules to the topology's regions: the new API process
 * starts beside the old one, traffic moves to it, and the old one keeps running until
 * the rollout is over, so going back is moving traffic back to exactly the code that
 * ran before (even when the module's source has changed since), as a Lambda alias
 * moves back to the previous version.
 */
export class LocalRegionDeployments {
  private readonly previous = new Map<string, { api: RegionApi; module: string }>();

  constructor(private readonly topology: LocalTopology) {}

  /** Runs `handlerModule` in `region` from when this resolves. */
  async deploy(region: string, handlerModule: string): Promise<void> {
    const next = await this.topology.startApi(region, handlerModule);
    const oldModule = this.topology.handlerModules.get(region)!;
    const old = this.topology.useApi(region, next, handlerModule);
    // One step back is kept; an older one is stopped.
    await this.previous.get(region)?.api.stop();
    this.previous.set(region, { api: old, module: oldModule });
  }

  /** Moves `region` back to what ran before the last deploy, and stops the replaced process. */
  async revert(region: string): Promise<void> {
    const prev = this.previous.get(region);
    if (!prev) throw new Error(`region ${region}: nothing to go back to`);
    this.previous.delete(region);
    const bad = this.topology.useApi(region, prev.api, prev.module);
    await bad.stop();
  }

  /** Stops every kept previous process (the rollout is over). */
  async release(): Promise<void> {
    await Promise.all([...this.previous.values()].map((p) => p.api.stop()));
    this.previous.clear();
  }
}

/** Options of {@link rollOutLocally}. */
export interface LocalRolloutOptions {
  readonly topology: LocalTopology;
  readonly platform: Platform;
  /** The handler module to roll out (absolute path). */
  readonly handlerModule: string;
  /** Seconds the canary bakes. @default - the environment's bake (0 in the first environment) */
  readonly bakeSeconds?: number;
  /** Seconds each later wave is watched. @default - the environment's watchSeconds */
  readonly watchSeconds?: number;
  /** @default 0.25 */
  readonly pollSeconds?: number;
  /** Seconds the alarm may take to clear after a rollback before paging. @default - 3 x the alarm's window */
  readonly recoverySeconds?: number;
  readonly alarm?: LocalAlarmOptions;
  readonly log?: (line: string) => void;
}

/** What a local rollout did, with the times the fault test reports. */
export interface LocalRolloutReport {
  readonly plan: RolloutPlan;
  readonly result: RolloutResult;
  /** When the new module first served in each region (epoch ms). */
  readonly liveAt: ReadonlyMap<string, number>;
  /** When the rollback finished (epoch ms), if there was one. */
  readonly rolledBackAt?: number;
}

/**
 * Rolls `handlerModule` out over the topology's regions: the canary region (the
 * environment's `rollout.canaryRegion`, or the last running region), its bake, then
 * the others `regionsAtOnce` at a time, each gated on its local alarm and health check;
 * a failed gate puts the region back on the module it ran before.
 */
export async function rollOutLocally(options: LocalRolloutOptions): Promise<LocalRolloutReport> {
  const { topology, platform } = options;
  const { service, environment } = topology.config;
  const settings = resolveRollout(platform, environment);
  const running = [...topology.config.regions];
  const canary = running.includes(settings.canaryRegion) ? settings.canaryRegion : running[running.length - 1];
  const names = serviceContract(platform.config, service, environment).names;
  const combined = platform.config.services[service].healthCheck.lambdaErrorAlarm;
  const stackRegion = new Map(running.map((r) => [regionalStackName(service, environment, r), r]));
  const alarmRegions = new Map(running.map((r) => [names.regionUnhealthyAlarm(r), r]));
  const checkRegions = new Map(running.map((r) => [names.routingHealthCheckTag(r, combined), r]));
  const wave = (kind: Wave['kind'], regions: string[], bakeSeconds: number): Wave => ({
    name: kind === 'canary' ? `canary ${regions[0]}` : `regions ${regions.join(', ')}`,
    kind,
    regions,
    stacks: regions.map((r) => regionalStackName(service, environment, r)),
    bakeSeconds,
    gates: regions.flatMap((r) => [
      { kind: 'alarm' as const, service, region: r, name: names.regionUnhealthyAlarm(r) },
      { kind: 'health-check' as const, service, region: r, name: names.routingHealthCheckTag(r, combined) },
    ]),
  });
  const rest = running.filter((r) => r !== canary);
  const waves: Wave[] = [wave('canary', [canary], options.bakeSeconds ?? settings.bakeSeconds)];
  for (let i = 0; i < rest.length; i += settings.regionsAtOnce) waves.push(wave('regions', rest.slice(i, i + settings.regionsAtOnce), options.watchSeconds ?? settings.watchSeconds));
  const plan: RolloutPlan = { environment, canaryRegion: canary, canaryIsPrimary: canary === running[0], waves };

  // "Commits" are handler modules: the running one is the last good one of every region.
  // "Commits": PREVIOUS is whatever each region ran before; the rollback goes back to it.
  const record = new MemoryDeploymentRecord(Object.fromEntries(running.map((r) => [regionalStackName(service, environment, r), PREVIOUS])));
  const deployments = new LocalRegionDeployments(topology);
  const liveAt = new Map<string, number>();
  let rolledBackAt: number | undefined;
  const deployer: StackDeployer = {
    async deploy(stacks, commit) {
      for (const stack of stacks) {
        const region = stackRegion.get(stack)!;
        if (commit) await deployments.revert(region);
        else {
          await deployments.deploy(region, options.handlerModule);
          liveAt.set(region, Date.now());
        }
      }
      if (commit) rolledBackAt = Date.now();
    },
  };
  const pager: Pager = {
    async page(subject, message) {
      options.log?.(`PAGE: ${subject}\n${message}`);
    },
  };
  const alarms = new LocalRegionAlarms(topology, alarmRegions, options.alarm);
  try {
    const result = await executeRollout({
      plan,
      commit: 'candidate',
      deployer,
      alarms,
      healthChecks: new LocalHealthChecks(topology, checkRegions),
      record,
      pager,
      pollSeconds: options.pollSeconds ?? 0.25,
      recoverySeconds: options.recoverySeconds ?? (3 * alarms.windowMs) / 1000,
      log: options.log,
    });
    return { plan, result, liveAt, ...(rolledBackAt ? { rolledBackAt } : {}) };
  } finally {
    alarms.close();
    await deployments.release();
  }
}
