// Origin failover at the edge: the numbers the synthesized CloudFront origin group and
// the local front door both use, and the ring that picks each region's secondary.

/**
 * How the edge fails a read over from the primary origin (the latency-routed regional
 * name) to the secondary (another region): the status codes of the origin group's
 * failover criteria, and the per-origin connection attempts and timeout.
 *
 * - Status codes 500, 502, 503, 504 (and, always, a failed connection), see
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html
 * - Connection attempts 1-3 and connection timeout 1-10 s; by default CloudFront tries
 *   the primary for 30 s (3 attempts of 10 s) before failing over ("Control origin
 *   timeouts and attempts" in the page above; limits in
 *   https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Origin.html).
 *   Trade-off (docs/traffic.md): 1 attempt × 2 s fails over after 2 s at worst instead
 *   of 30 s, at the price of giving up on a primary that is only slow to accept (a
 *   handshake over 2 s), whose reads then cost the secondary's longer round trip.
 */
export const ORIGIN_FAILOVER = {
  statusCodes: [500, 502, 503, 504] as readonly number[],
  connectionAttempts: 1,
  connectionTimeoutSeconds: 2,
} as const;

/**
 * The methods CloudFront fails over: "CloudFront fails over to the secondary origin only
 * when the HTTP method of the viewer request is GET, HEAD, or OPTIONS"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorOriginGroups.html).
 * Other methods go to the primary only.
 */
export const FAILOVER_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

/**
 * The region whose edges `region` is the secondary for, in the ring of `regions` (each
 * region backs up the one before it; the first backs up the last), or undefined with one
 * region. Every region backs up exactly one other, never itself, so when one region is
 * lost, the edges whose primary was that region fail over to the next region, and every
 * other edge's secondary is still up (docs/traffic.md, "Origin failover").
 */
export function secondaryFor(regions: readonly string[], region: string): string | undefined {
  const i = regions.indexOf(region);
  if (i < 0 || regions.length < 2) return undefined;
  return regions[(i - 1 + regions.length) % regions.length];
}

/** The region that serves `region`'s edges as their secondary (the next in the ring); undefined with one region. */
export function secondaryOf(regions: readonly string[], region: string, excluded: readonly string[] = []): string | undefined {
  const i = regions.indexOf(region);
  if (i < 0) return undefined;
  for (let step = 1; step < regions.length; step++) {
    const candidate = regions[(i + step) % regions.length];
    if (!excluded.includes(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Whether a service's edge has an origin group: its edge cache is on, it lists read-only
 * failover paths, and it has a second region to fail over to.
 */
export function failsOver(service: { readonly edgeCache: { readonly enabled: boolean; readonly failoverPaths: readonly string[] } }, regions: readonly string[]): boolean {
  return service.edgeCache.enabled && service.edgeCache.failoverPaths.length > 0 && regions.length > 1;
}
