/** The service's edge cache mode (`off` when the config disables the edge cache). */
export type EdgeCacheMode = 'ttl' | 'invalidate' | 'off';

/** Props of {@link EdgeCache}. */
export interface EdgeCacheProps {
  readonly mode: EdgeCacheMode;
  /** The cache policy's default TTL, and in `ttl` mode its maximum. */
  readonly ttlSeconds: number;
  /**
   * How long an error answer to a GET is kept when the origin says nothing about
   * caching it, and how long the front door's own 502/504 for an unreachable origin is
   * kept (CloudFront's error caching minimum TTL).
   * @default 0, as the platform's distribution sets it (EdgeCache construct); CloudFront's own default is 10
   */
  readonly errorCachingMinTtlSeconds?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** A response as stored. */
export interface CachedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
  readonly storedAt: number;
  readonly expiresAt: number;
}

/** Taken when a request goes to the origin; a response is stored only if no invalidation of its path came in between. */
export interface CacheTicket {
  readonly key: string;
  readonly path: string;
  readonly invalidationSeq: number;
}

/** Counters of an {@link EdgeCache}. */
export interface EdgeCacheStats {
  hits: number;
  misses: number;
  stores: number;
  invalidationRequests: number;
  invalidatedEntries: number;
}

const ONE_YEAR_SECONDS = 31_536_000;
// CloudFront's cacheable answers without an explicit error caching rule.
const CACHEABLE_STATUS = new Set([200, 203, 300, 301, 410]);
const INVALIDATIONS_KEPT = 10_000;

/**
 * The GET cache of the front door, standing in for the service's CloudFront cache
 * behaviour: GET and HEAD answers are keyed on path and whole query string (and the
 * Authorization header when the service asks for it), kept for the time the origin's
 * `Cache-Control` gives (`s-maxage`, else `max-age`; none: the default TTL), bounded by
 * the policy (minimum 0, maximum `ttlSeconds` in `ttl` mode or one year in `invalidate`
 * mode); `no-store`, `no-cache` and `private` answers are not kept.
 *
 * Invalidation drops every cached variant (any query string) of a path, or of every
 * path under a prefix ending in `*`, and is complete when {@link invalidate} returns:
 * an answer fetched from the origin before the invalidation and arriving after it is
 * not stored, so a GET after an acknowledged invalidation never sees the old content.
 */
export class EdgeCache {
  readonly stats: EdgeCacheStats = { hits: 0, misses: 0, stores: 0, invalidationRequests: 0, invalidatedEntries: 0 };
  private readonly entries = new Map<string, CachedResponse & { path: string }>();
  private readonly invalidations: { seq: number; pattern: string }[] = [];
  private invalidationSeq = 0;
  private readonly clock: () => number;
  private readonly maxTtlSeconds: number;
  private readonly errorTtlSeconds: number;

  constructor(private readonly props: EdgeCacheProps) {
    this.clock = props.clock ?? Date.now;
    this.maxTtlSeconds = props.mode === 'invalidate' ? ONE_YEAR_SECONDS : props.ttlSeconds;
    this.errorTtlSeconds = props.errorCachingMinTtlSeconds ?? 0;
  }

  get mode(): EdgeCacheMode {
    return this.props.mode;
  }

  /** The cache key of a request, or undefined when the request is never served from cache. */
  keyOf(method: string, path: string, query: string, authorization?: string): string | undefined {
    if (this.props.mode === 'off' || (method !== 'GET' && method !== 'HEAD')) return undefined;
    // HEAD is answered from the GET entry, as CloudFront does.
    return `${path}?${query}${authorization === undefined ? '' : `\n${authorization}`}`;
  }

  /** A fresh cached answer, or undefined (counted as a miss). */
  lookup(key: string): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.clock()) {
      this.stats.hits++;
      return entry;
    }
    if (entry) this.entries.delete(key);
    this.stats.misses++;
    return undefined;
  }

  /** Call before asking the origin. */
  ticket(key: string, path: string): CacheTicket {
    return { key, path, invalidationSeq: this.invalidationSeq };
  }

  /**
   * Stores the origin's answer if it is cacheable and no invalidation of its path was
   * requested since the ticket was taken. Returns true when stored.
   */
  store(ticket: CacheTicket, status: number, headers: Readonly<Record<string, string | string[]>>, body: Buffer): boolean {
    if (this.invalidatedSince(ticket)) return false;
    const ttl = this.ttlOf(status, headerValue(headers['cache-control']));
    if (ttl <= 0) return false;
    const now = this.clock();
    this.entries.set(ticket.key, { status, headers, body, storedAt: now, expiresAt: now + ttl * 1000, path: ticket.path });
    this.stats.stores++;
    return true;
  }

  /** Stores the front door's own error answer (origin unreachable) for the error caching TTL. */
  storeError(ticket: CacheTicket, status: number, headers: Readonly<Record<string, string | string[]>>, body: Buffer): boolean {
    if (this.invalidatedSince(ticket) || this.errorTtlSeconds <= 0) return false;
    const now = this.clock();
    this.entries.set(ticket.key, { status, headers, body, storedAt: now, expiresAt: now + this.errorTtlSeconds * 1000, path: ticket.path });
    this.stats.stores++;
    return true;
  }

  /**
   * Drops every cached variant of the paths (`/items/abc`, or a prefix such as
   * `/items*`); returns how many entries were dropped. Complete on return.
   */
  invalidate(paths: readonly string[]): number {
    this.stats.invalidationRequests++;
    let dropped = 0;
    for (const pattern of paths) {
      this.invalidations.push({ seq: ++this.invalidationSeq, pattern });
      for (const [key, entry] of this.entries) {
        if (matches(pattern, entry.path)) {
          this.entries.delete(key);
          dropped++;
        }
      }
    }
    if (this.invalidations.length > INVALIDATIONS_KEPT) this.invalidations.splice(0, this.invalidations.length - INVALIDATIONS_KEPT);
    this.stats.invalidatedEntries += dropped;
    return dropped;
  }

  /** Number of entries held (fresh or not). */
  get size(): number {
    return this.entries.size;
  }

  private invalidatedSince(ticket: CacheTicket): boolean {
    if (ticket.invalidationSeq === this.invalidationSeq) return false;
    const oldest = this.invalidations[0];
    // Older than what is remembered: assume the worst.
    if (!oldest || oldest.seq > ticket.invalidationSeq + 1) return true;
    return this.invalidations.some((i) => i.seq > ticket.invalidationSeq && matches(i.pattern, ticket.path));
  }

  private ttlOf(status: number, cacheControl: string | undefined): number {
    const directives = parseCacheControl(cacheControl);
    if (directives.has('no-store') || directives.has('no-cache') || directives.has('private')) return 0;
    const explicit = directives.get('s-maxage') ?? directives.get('max-age');
    if (status >= 400) {
      // CloudFront keeps error answers the origin gives no caching headers for.
      return explicit !== undefined ? explicit : cacheControl ? 0 : this.errorTtlSeconds;
    }
    if (!CACHEABLE_STATUS.has(status)) return 0;
    return Math.min(Math.max(explicit ?? this.props.ttlSeconds, 0), this.maxTtlSeconds);
  }
}

function matches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : pattern === path;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function parseCacheControl(value: string | undefined): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const part of (value ?? '').split(',')) {
    const [name, arg] = part.trim().toLowerCase().split('=');
    if (!name) continue;
    const n = arg === undefined ? undefined : Number(arg.replace(/"/g, ''));
    out.set(name, n !== undefined && Number.isFinite(n) ? n : undefined);
  }
  return out;
}
