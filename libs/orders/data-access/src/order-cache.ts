import { ResourceCache, type ResourceCacheProps } from '@platform/service-runtime/cache';
import type { Order } from './order';

/** Props of {@link OrderCache}: the runtime cache's, but for the key prefix and who writes. */
export interface OrderCacheProps extends Omit<ResourceCacheProps, 'prefix' | 'writerUrl' | 'writes'> {
  /**
   * The global datastore's primary replication group (in AWS: this region's own group, in
   * the primary region only): writes. @default - none: a read-only cache, as in a
   * secondary region, whose replication group refuses writes and which cannot reach
   * another region's group (its security groups name only groups of its own region:
   * https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html).
   * `put` then stores nothing.
   */
  readonly writerUrl?: string;
}

/** What a read from the cache found. */
export type CacheRead = { readonly state: 'hit'; readonly order: Order } | { readonly state: 'miss' } | { readonly state: 'unavailable' };

const KEY_PREFIX = 'orders:order';

/**
 * Cache-aside for orders: the runtime's {@link ResourceCache} (reads from this region's
 * replica, versioned writes to the primary cluster, each stored only if newer than what
 * is cached; a slow or unreachable cache is a miss and writes skip it) under the keys
 * `orders:order:<id>`. A region without `writerUrl` has a read-only cache.
 */
export class OrderCache {
  private readonly cache: ResourceCache;

  constructor(readonly props: OrderCacheProps) {
    const { writerUrl, ...rest } = props;
    this.cache = new ResourceCache({ ...rest, prefix: KEY_PREFIX, writerUrl: writerUrl ?? props.readerUrl, writes: writerUrl !== undefined });
  }

  /** Hits, misses, unavailable reads, failed writes and `skippedWrites` (stores a read-only cache did not attempt). */
  get stats(): ResourceCache['stats'] {
    return this.cache.stats;
  }

  /** False in a region where the cache is read-only (no writer). */
  get writable(): boolean {
    return this.cache.writable;
  }

  static key(id: string): string {
    return `${KEY_PREFIX}:${id}`;
  }

  async get(id: string): Promise<CacheRead> {
    const found = await this.cache.lookup(id);
    return found.state === 'hit' ? { state: 'hit', order: found.record as unknown as Order } : found;
  }

  /** Stores `order` in the primary cluster unless a same or newer version is there; nothing when read-only. Never throws. */
  put(order: Order): Promise<boolean> {
    return this.cache.put(order);
  }

  ping(): Promise<boolean> {
    return this.cache.ping();
  }

  close(): Promise<void> {
    return this.cache.close();
  }
}
