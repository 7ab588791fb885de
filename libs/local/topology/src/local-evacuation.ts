// `evacuate <region>` / `restore <region>` at the dev prompt: the local stand-in for
// `npm run region -- evacuate`. The front door stops routing to the region (as Route53
// stops answering with a record whose health check is forced unhealthy) while the
// region keeps running and replicating.
import type { LocalTopology } from './local-topology';

/** Thrown for a region the topology does not run, or a refused evacuation. */
export class LocalEvacuationError extends Error {
  override readonly name = 'LocalEvacuationError';
}

/**
 * Takes `region` out of the front door's routing. Refuses the last routable region
 * (evacuated or unhealthy regions do not count) unless `force`.
 */
export function evacuateRegion(topology: LocalTopology, region: string, options: { readonly force?: boolean } = {}): void {
  topology.region(region);
  const others = [...topology.regions.keys()].filter((r) => r !== region && !topology.evacuated.has(r) && topology.healthChecker.isHealthy(r));
  if (others.length === 0 && !options.force) {
    throw new LocalEvacuationError(`refusing to evacuate ${region}: it is the last routable region, so the front door would reach no region; add --force to do it anyway`);
  }
  topology.evacuated.add(region);
}

/** Gives `region` back to routing (its health check decides again). */
export function restoreRegion(topology: LocalTopology, region: string): void {
  topology.region(region);
  topology.evacuated.delete(region);
}
