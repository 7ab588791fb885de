import { EVEN_WEIGHT, secondaryOf } from '@platform/config';
/** How Route53 picks a region's record (the platform config's routing policies). */
export type RoutingPolicy = 'latency' | 'weighted' | 'failover';

/** Props of {@link RegionRouter}. */
export interface RegionRouterProps {
  readonly policy: RoutingPolicy;
  /** The environment's regions, primary first. */
  readonly regions: readonly string[];
  /** Weight per region (0-255) for `weighted`. @default - an even split (EVEN_WEIGHT each), as the regional records get */
  readonly weights?: Readonly<Record<string, number>>;
  /**
   * For `latency`: the region nearest to the (simulated) client; the others follow in
   * the environment's order, as if each were a bit further away.
   * @default - the primary region
   */
  readonly nearestRegion?: string;
  /** Whether a region's health check passes. */
  readonly isHealthy: (region: string) => boolean;
  /** @default Math.random */
  readonly random?: () => number;
}

/**
 * Answers "which region's API gets this request", the way Route53 answers a DNS
 * query for the service's regional name under the configured policy:
 *
 * - `latency`: the nearest region whose health check passes;
 * - `weighted`: a region drawn in proportion to its weight among those whose check
 *   passes (weight-0 regions only when every other one fails);
 * - `failover`: the primary while its check passes, else the secondary.
 *
 * When every candidate fails its check, Route53 answers as if all were healthy; so
 * does this router.
 */
export class RegionRouter {
  private readonly order: readonly string[];
  private readonly weights: Readonly<Record<string, number>>;
  private readonly random: () => number;

  constructor(private readonly props: RegionRouterProps) {
    if (props.regions.length === 0) throw new RangeError('RegionRouter: regions is empty; give the environment\'s regions, primary first');
    const nearest = props.nearestRegion ?? props.regions[0];
    if (!props.regions.includes(nearest)) {
      throw new RangeError(`RegionRouter: nearestRegion "${nearest}" is not one of the regions (${props.regions.join(', ')})`);
    }
    this.order = [nearest, ...props.regions.filter((r) => r !== nearest)];
    this.weights = Object.fromEntries(props.regions.map((r) => [r, props.weights?.[r] ?? EVEN_WEIGHT]));
    this.random = props.random ?? Math.random;
  }

  get policy(): RoutingPolicy {
    return this.props.policy;
  }

  /**
   * The region `secondary.regional.<domain>` resolves to for this client, as Route53
   * answers it (docs/traffic.md, "Origin failover"): the record of the nearest region
   * whose serving region (the next in the ring) passes its check; undefined with one
   * region. A region that fails its check or is evacuated is nobody's secondary.
   */
  secondary(): string | undefined {
    const regions = this.props.regions;
    if (regions.length < 2) return undefined;
    const servers = this.order.map((tag) => secondaryOf(regions, tag)!);
    return servers.find((r) => this.props.isHealthy(r)) ?? servers[0];
  }

  /**
   * The region `<region>.reads.<domain>` resolves to (weighted and failover routing, see
   * `readFailoverOf`): its PRIMARY record, that region, while the region's check passes
   * (an evacuated region's fails), else its SECONDARY record, the next region of the ring.
   */
  readsTarget(region: string): string {
    if (this.props.isHealthy(region)) return region;
    return secondaryOf(this.props.regions, region) ?? region;
  }

  /** The random source of weighted draws (the edge function's draw uses the same). */
  get randomSource(): () => number {
    return this.random;
  }

  /** The region the next request goes to. */
  pick(): string {
    const healthy = (r: string) => this.props.isHealthy(r);
    switch (this.props.policy) {
      case 'latency':
        return this.order.find(healthy) ?? this.order[0];
      case 'failover': {
        const [primary, secondary = primary] = this.props.regions;
        if (healthy(primary)) return primary;
        return healthy(secondary) ? secondary : primary;
      }
      case 'weighted': {
        const regions = this.props.regions;
        const up = regions.filter(healthy);
        const weighted = up.filter((r) => this.weights[r] > 0);
        const pool = weighted.length > 0 ? weighted : up.length > 0 ? up : regions.filter((r) => this.weights[r] > 0);
        const candidates = pool.length > 0 ? pool : regions;
        // Equal chances when every candidate weighs 0 (Route53 does the same).
        const weightOf = (r: string) => (candidates.every((c) => this.weights[c] === 0) ? 1 : this.weights[r]);
        const total = candidates.reduce((sum, r) => sum + weightOf(r), 0);
        let draw = this.random() * total;
        for (const r of candidates) {
          draw -= weightOf(r);
          if (draw < 0) return r;
        }
        return candidates[candidates.length - 1];
      }
    }
  }
}
