// Origin failover at the edge: the numbers and the viewer-request function the synthesized
// distribution and the local front door both use, and the ring that picks each region's
// secondary.
import { effectiveWeight } from './checks';
import type { ServiceConfig } from './schema';

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

/** Origin ids of the distribution: the latency-routed regional name and the ring's secondary name. */
export const PRIMARY_ORIGIN_ID = 'regional';
export const SECONDARY_ORIGIN_ID = 'secondary';

/** Origin id of a region's read name (`<region>.reads.<service domain>`), for services whose edge draws the read's region. */
export function readsOriginId(region: string): string {
  return `reads-${region}`;
}

/** The region of a {@link readsOriginId}, or undefined for another origin id. */
export function regionOfReadsOrigin(originId: string): string | undefined {
  return originId.startsWith('reads-') ? originId.slice('reads-'.length) : undefined;
}

/**
 * How a service's reads fail over at the edge.
 * - Without `shares` (latency routing): the group is the latency-routed regional name,
 *   then the ring's secondary name.
 * - With `shares` (weighted or failover routing): no DNS name can give a secondary that
 *   differs from the region a weighted (or failover) answer picked, so the edge draws the
 *   region itself, in proportion to `weight`, and the group is that region's read name,
 *   then the next region's (the ring). A region's read name answers with that region
 *   while its routing health check passes, else with the next region (docs/traffic.md).
 */
export interface ReadFailover {
  readonly paths: readonly string[];
  readonly shares?: readonly { readonly region: string; readonly weight: number }[];
}

/**
 * The names the edge's failover origins use besides `regional`: the ring's secondary name
 * (latency routing) or every region's read name (weighted and failover routing); none
 * without a failover. The edge certificate covers them, so their validation records
 * exist for the regional certificates.
 */
export function failoverOriginNames(
  failover: ReadFailover | undefined,
  regions: readonly string[],
  domains: { readonly secondary: string; readsIn(region: string): string },
): string[] {
  if (!failover) return [];
  return failover.shares ? regions.map((r) => domains.readsIn(r)) : [domains.secondary];
}

/**
 * ACM's quota of domain names per certificate (the first name and its SANs), 10 unless
 * raised: https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html
 */
export const ACM_DOMAIN_NAMES_PER_CERTIFICATE = 10;

/**
 * Every name of a service's edge certificate: the viewer name, then the regional name,
 * each region's own name and the failover origins' names (SANs), whose validation
 * records, written once by the global stack, also validate the regional certificates.
 */
export function edgeCertificateNames(
  service: Parameters<typeof readFailoverOf>[0],
  regions: readonly string[],
  domains: { readonly api: string; readonly regional: string; regionalIn(region: string): string; readonly secondary: string; readsIn(region: string): string },
): string[] {
  return [domains.api, domains.regional, ...regions.map((r) => domains.regionalIn(r)), ...failoverOriginNames(readFailoverOf(service, regions), regions, domains)];
}

/** The read failover of `service` in `regions` (config order), or undefined when it has none ({@link failsOver}). */
export function readFailoverOf(
  service: Pick<ServiceConfig, 'routing'> & { readonly edgeCache: { readonly enabled: boolean; readonly failoverPaths: readonly string[] } },
  regions: readonly string[],
): ReadFailover | undefined {
  if (!failsOver(service, regions)) return undefined;
  const paths = service.edgeCache.failoverPaths;
  switch (service.routing.policy) {
    case 'weighted': {
      // Route53 splits evenly when every weight is 0; so does the edge.
      const weights = regions.map((region) => ({ region, weight: effectiveWeight(service, region) }));
      return { paths, shares: weights.every((w) => w.weight === 0) ? regions.map((region) => ({ region, weight: 1 })) : weights };
    }
    case 'failover':
      // The primary region while its read name answers, which falls back to the next region.
      return { paths, shares: regions.map((region, i) => ({ region, weight: i === 0 ? 1 : 0 })) };
    default:
      return { paths };
  }
}

/** CloudFront's path pattern (`*` any characters, `/` included; `?` exactly one) as a regular expression; case-sensitive, like CloudFront's. */
export function pathPatternRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The viewer-request CloudFront Function (runtime cloudfront-js-2.0) that makes reads
 * fail over on paths that also take writes. A cache behaviour is chosen by path only,
 * and CloudFront refuses POST/PUT/PATCH/DELETE on a behaviour that targets an origin
 * group, so the default behaviour keeps the single primary origin with every method,
 * and this function, for a GET/HEAD/OPTIONS whose path matches one of `paths`, builds
 * the origin group for that request with `cf.createRequestOriginGroup`, failing over on
 * {@link ORIGIN_FAILOVER}'s status codes: {@link PRIMARY_ORIGIN_ID} then
 * {@link SECONDARY_ORIGIN_ID}, or with `shares` a region drawn by weight
 * ({@link readsOriginId} of it, then of the next region). Writes are left on the primary.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/helper-functions-origin-modification.html
 *
 * The local front door runs this same source (libs/local/topology), so the decisions
 * are taken once.
 */
export function readFailoverFunctionCode(failover: ReadFailover): string {
  const { paths, shares } = failover;
  if (paths.length === 0) throw new Error('readFailoverFunctionCode needs at least one path pattern');
  const criteria = { statusCodes: [...ORIGIN_FAILOVER.statusCodes] };
  const pick = shares ? drawnGroup(shares, criteria) : [`var GROUP = ${JSON.stringify({ originIds: [{ originId: PRIMARY_ORIGIN_ID }, { originId: SECONDARY_ORIGIN_ID }], failoverCriteria: criteria })};`, 'function readGroup() { return GROUP; }'];
  return [
    "import cf from 'cloudfront';",
    '',
    `// Reads (${FAILOVER_METHODS.join(', ')}) of ${paths.join(', ')} fail over to another region; writes stay on the primary.`,
    '// Generated by readFailoverFunctionCode (libs/synthesis/config/src/origin-failover.ts); docs/traffic.md, "Origin failover".',
    `var READ_METHODS = ${JSON.stringify(FAILOVER_METHODS)};`,
    `var PATHS = [${paths.map((p) => `new RegExp(${JSON.stringify(pathPatternRegExp(p).source)})`).join(', ')}];`,
    ...pick,
    '',
    'function handler(event) {',
    '  var request = event.request;',
    '  if (READ_METHODS.indexOf(request.method) >= 0 && PATHS.some(function (p) { return p.test(request.uri); })) {',
    '    cf.createRequestOriginGroup(readGroup());',
    '  }',
    '  return request;',
    '}',
    '',
  ].join('\n');
}

/** The draw of a read's region by weight: that region's read name first, the next region's second. */
function drawnGroup(shares: NonNullable<ReadFailover['shares']>, failoverCriteria: { readonly statusCodes: readonly number[] }): string[] {
  const regions = shares.map((s) => s.region);
  const drawn = shares
    .filter((s) => s.weight > 0)
    .map((s) => [s.weight, { originIds: [{ originId: readsOriginId(s.region) }, { originId: readsOriginId(secondaryOf(regions, s.region)!) }], failoverCriteria }] as const);
  if (drawn.length === 0) throw new Error('readFailoverFunctionCode needs a region with a weight above 0');
  return [
    `var SHARES = ${JSON.stringify(drawn)};`,
    `var TOTAL = ${drawn.reduce((sum, [w]) => sum + w, 0)};`,
    'function readGroup() {',
    '  var x = Math.random() * TOTAL;',
    '  for (var i = 0; i < SHARES.length - 1; i++) {',
    '    x -= SHARES[i][0];',
    '    if (x < 0) return SHARES[i][1];',
    '  }',
    '  return SHARES[SHARES.length - 1][1];',
    '}',
  ];
}

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
