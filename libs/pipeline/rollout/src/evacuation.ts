// Taking a region out of routing and back, without Terraform: the routing health check
// of every service of the environment in that region is forced unhealthy (inverted and
// disabled: a disabled check counts as healthy, so inverted it is unhealthy whatever
// the region's state) through an API, and Terraform ignores those two attributes
// (RegionalHealthCheck). Who, when and why travel with the change.
import { type Platform, UserError, serviceContract } from '@platform/config';
import { resolveRollout } from './plan';

/** Who took a region out, when and why. */
export interface EvacuationNote {
  readonly by: string;
  /** ISO time. */
  readonly at: string;
  readonly reason: string;
}

/** One service's routing health check in one region. */
export interface RoutingCheck {
  readonly service: string;
  readonly region: string;
  /** The check's `Name` tag. */
  readonly name: string;
}

/** The state of one routing check. */
export interface RoutingCheckState {
  /** Forced unhealthy by an evacuation. */
  readonly evacuated: boolean;
  /** What routing sees now; undefined when it cannot be read. */
  readonly healthy?: boolean;
  readonly note?: EvacuationNote;
}

/** Reads and forces routing checks (Route53 in AWS, the health checker locally). */
export interface RoutingControl {
  /** State of each check; a check that does not exist is absent. */
  read(checks: readonly RoutingCheck[]): Promise<ReadonlyMap<string, RoutingCheckState>>;
  /** Forces the check unhealthy with `note`, or (note undefined) gives it back to its probes. */
  setEvacuated(check: RoutingCheck, note: EvacuationNote | undefined): Promise<void>;
}

/** Bad input of `npm run region` (one line, nothing changed). */
export class EvacuationError extends UserError {
  override readonly name = 'EvacuationError';
}

/** The routing checks of every service of `environment` in `region`. */
export function routingChecks(platform: Platform, environment: string, region: string): RoutingCheck[] {
  resolveRollout(platform, environment); // unknown environment: one line
  const env = platform.config.environments[environment];
  if (!env.regions.includes(region)) {
    throw new EvacuationError(`region "${region}" is not a region of environment "${environment}" (${env.regions.join(', ')})`);
  }
  return platform.services
    .filter((s) => s.environments.includes(environment))
    .map((s) => ({
      service: s.name,
      region,
      name: serviceContract(platform.config, s.name, environment).names.routingHealthCheckTag(region, s.healthCheck.lambdaErrorAlarm),
    }));
}

/** One region of `status`. */
export interface RegionStatus {
  readonly region: string;
  readonly services: readonly (RoutingCheck & RoutingCheckState & { readonly found: boolean })[];
}

/** The state of every region of the environment. */
export async function regionStatus(platform: Platform, environment: string, control: RoutingControl): Promise<RegionStatus[]> {
  resolveRollout(platform, environment);
  const regions = platform.config.environments[environment].regions;
  const all = regions.map((r) => routingChecks(platform, environment, r));
  const states = await control.read(all.flat());
  return regions.map((region, i) => ({
    region,
    services: all[i].map((c) => ({ ...c, found: states.has(c.name), evacuated: false, ...states.get(c.name) })),
  }));
}

/** Whether a check sends traffic now: not evacuated and not known unhealthy. */
const routable = (s: RoutingCheckState | undefined) => !!s && !s.evacuated && s.healthy !== false;

export interface ChangeOptions {
  readonly platform: Platform;
  readonly environment: string;
  readonly region: string;
  readonly reason: string | undefined;
  readonly by: string;
  readonly now: Date;
  /** Evacuate even the last routable region. */
  readonly force?: boolean;
  readonly control: RoutingControl;
}

function requireReason(reason: string | undefined, verb: string): string {
  const r = reason?.trim();
  if (!r) throw new EvacuationError(`--reason is required: say why you ${verb} the region (it is logged with who and when)`);
  return r;
}

/**
 * Takes `region` out of routing for every service of the environment. Refuses, before
 * changing anything, when a service would have no routable region left (unless `force`),
 * or when a routing check does not exist (never deployed).
 */
export async function evacuate(options: ChangeOptions): Promise<{ readonly changed: readonly string[]; readonly note: EvacuationNote }> {
  const reason = requireReason(options.reason, 'evacuate');
  const checks = routingChecks(options.platform, options.environment, options.region);
  const status = await regionStatus(options.platform, options.environment, options.control);
  const missing = status.flatMap((r) => r.services).find((s) => s.region === options.region && !s.found);
  if (missing) {
    throw new EvacuationError(`no Route53 health check tagged Name=${missing.name} (service ${missing.service}); deploy the region's stack first`);
  }
  if (!options.force) {
    for (const check of checks) {
      const others = status.filter((r) => r.region !== options.region).flatMap((r) => r.services.filter((s) => s.service === check.service && routable(s)));
      if (others.length === 0) {
        throw new EvacuationError(
          `refusing to evacuate ${options.region}: it is the last routable region of service ${check.service} in ${options.environment} ` +
            '(every other region is evacuated or unhealthy), so clients would reach no region at all; add --force to do it anyway',
        );
      }
    }
  }
  const note: EvacuationNote = { by: options.by, at: options.now.toISOString(), reason };
  for (const check of checks) await options.control.setEvacuated(check, note);
  return { changed: checks.map((c) => c.name), note };
}

/** Gives `region` back to routing (its health checks decide again). */
export async function restore(options: Omit<ChangeOptions, 'force'>): Promise<{ readonly changed: readonly string[]; readonly note: EvacuationNote }> {
  const reason = requireReason(options.reason, 'restore');
  const checks = routingChecks(options.platform, options.environment, options.region);
  const states = await options.control.read(checks);
  const missing = checks.find((c) => !states.has(c.name));
  if (missing) throw new EvacuationError(`no Route53 health check tagged Name=${missing.name} (service ${missing.service}); deploy the region's stack first`);
  for (const check of checks) await options.control.setEvacuated(check, undefined);
  return { changed: checks.map((c) => c.name), note: { by: options.by, at: options.now.toISOString(), reason } };
}

/** `status` as a table. */
export function formatStatus(environment: string, status: readonly RegionStatus[]): string {
  const lines = [`regions of ${environment}:`];
  for (const r of status) {
    for (const s of r.services) {
      const state = !s.found ? 'no health check (not deployed)' : s.evacuated ? 'EVACUATED' : s.healthy === undefined ? 'routing (health unknown)' : s.healthy ? 'routing, healthy' : 'out of routing: unhealthy';
      const note = s.note ? ` — by ${s.note.by} at ${s.note.at}: ${s.note.reason}` : '';
      lines.push(`  ${r.region.padEnd(15)} ${s.service.padEnd(12)} ${state}${note}`);
    }
  }
  return lines.join('\n');
}
