import type { EdgeCacheMode } from './service-config';

/**
 * The Cache-Control a response gets, by edge cache mode. Only successful reads of
 * items are cacheable; errors, writes and /health never are (a cached health check
 * would hide an outage from Route53).
 */
export class CachePolicy {
  constructor(
    readonly mode: EdgeCacheMode,
    readonly ttlSeconds: number,
  ) {}

  /** Cache-Control of a 200 answer to GET /items or GET /items/{id}. */
  forRead(): string {
    switch (this.mode) {
      case 'ttl':
        return `public, max-age=${this.ttlSeconds}`;
      case 'invalidate':
        // CloudFront keeps it until a write invalidates it (or the TTL passes);
        // browsers must revalidate, because an invalidation cannot reach them.
        return `public, max-age=0, s-maxage=${this.ttlSeconds}`;
      default:
        return 'no-store';
    }
  }

  /** Cache-Control of everything else. */
  forUncacheable(): string {
    return 'no-store';
  }

  /** True when a successful write must ask CloudFront to invalidate the changed paths. */
  get invalidatesOnWrite(): boolean {
    return this.mode === 'invalidate';
  }
}
