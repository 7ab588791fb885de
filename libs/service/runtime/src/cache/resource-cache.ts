import { createClient } from 'redis';

/** Props of {@link ResourceCache}. */
export interface ResourceCacheProps {
  /** Key prefix, e.g. the service name: keys are `<prefix>:<id>`. */
  readonly prefix: string;
  /** This region's replica (`redis://host:port`, `rediss://` with TLS): reads. */
  readonly readerUrl: string;
  /** The global datastore's primary endpoint: writes and invalidations. */
  readonly writerUrl: string;
  /** How long a record stays cached. */
  readonly ttlSeconds: number;
  /**
   * Whether this region writes to the cache. A global datastore takes writes only in its
   * primary region's cluster, which another region's function does not reach (VPCs are
   * regional), so only the primary region fills and invalidates; a record written from
   * another region may be read stale from the cache for up to `ttlSeconds`.
   * @default true
   */
  readonly writes?: boolean;
  /** Username for the cache (ElastiCache RBAC), when `credentials` is not given. @default - none */
  readonly username?: string;
  /** Password, with `username`. @default - none */
  readonly password?: string;
  /** ElastiCache IAM authentication: the user and a fresh token, asked at every (re)connection, per client; takes precedence over `username` / `password`. @default - no auth */
  readonly credentials?: (client: 'reader' | 'writer') => Promise<{ readonly username: string; readonly password: string }>;
  /** Budget of one cache command; a slower cache counts as a miss. @default 250 */
  readonly commandTimeoutMs?: number;
}

/** What a read from the cache found: the record, nothing, or no answer (unreachable or too slow). */
export type CacheLookup = { readonly state: 'hit'; readonly record: Record<string, unknown> } | { readonly state: 'miss' } | { readonly state: 'unavailable' };

// Sets the record unless the cache already holds the same or a newer version of it, so a
// fill from a lagging reader never overwrites a newer version written meanwhile.
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local v = tonumber(string.match(current, '"version":(%d+)'))
  if v and v >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

function newClient(url: string, username?: string, password?: string, credentials?: () => Promise<{ readonly username: string; readonly password: string }>) {
  return createClient({
    url,
    ...(credentials ? { credentialsProvider: { type: 'async-credentials-provider' as const, credentials: async () => ({ ...(await credentials()) }) } } : { username, password }),
    // Fail commands at once while disconnected instead of queueing them.
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
  });
}
type Client = ReturnType<typeof newClient>;

/**
 * Cache-aside for the records of `PostgresResourceRepository` on Redis / an ElastiCache
 * global datastore: reads from this region's replica, writes (versioned, only if newer)
 * and invalidations to the primary. Never needed for correctness: a cache that cannot
 * be reached, or answers slower than `commandTimeoutMs`, is a miss and writes skip it.
 * Clients connect once per Lambda instance and reconnect on their own.
 */
export class ResourceCache {
  private readonly reader: Client;
  private readonly writer: Client | undefined;
  private readonly timeoutMs: number;
  /** `skippedWrites`: writes not attempted in a region that does not write. */
  readonly stats = { hits: 0, misses: 0, unavailable: 0, writeFailures: 0, skippedWrites: 0 };

  constructor(readonly props: ResourceCacheProps) {
    this.timeoutMs = props.commandTimeoutMs ?? 250;
    this.reader = this.client(props.readerUrl, 'reader');
    const writes = props.writes ?? true;
    this.writer = !writes ? undefined : props.writerUrl === props.readerUrl ? this.reader : this.client(props.writerUrl, 'writer');
  }

  /** False in a region that does not write to the cache. */
  get writable(): boolean {
    return this.writer !== undefined;
  }

  /** The cached record, or undefined (a miss, or the cache cannot be reached). */
  async get(id: string): Promise<Record<string, unknown> | undefined> {
    const found = await this.lookup(id);
    return found.state === 'hit' ? found.record : undefined;
  }

  /** What the cache holds for `id`, telling a miss from a cache that did not answer. Never throws. */
  async lookup(id: string): Promise<CacheLookup> {
    try {
      const raw = await this.timed(this.reader, (c) => c.get(this.key(id)));
      if (raw === null || raw === undefined) {
        this.stats.misses++;
        return { state: 'miss' };
      }
      this.stats.hits++;
      return { state: 'hit', record: JSON.parse(String(raw)) as Record<string, unknown> };
    } catch {
      this.stats.unavailable++;
      return { state: 'unavailable' };
    }
  }

  /**
   * Stores the record unless the same or a newer version is cached; nothing in a region
   * that does not write. True when it stored it. Never throws.
   */
  async put(record: { readonly id: string; readonly version: number }): Promise<boolean> {
    const writer = this.writer;
    if (!writer) {
      this.stats.skippedWrites++;
      return false;
    }
    try {
      const stored = await this.timed(writer, (c) => c.eval(SET_IF_NEWER, { keys: [this.key(record.id)], arguments: [JSON.stringify(record), String(record.version), String(this.props.ttlSeconds)] }));
      return stored === 1;
    } catch {
      this.stats.writeFailures++;
      return false;
    }
  }

  /** Drops the record; nothing in a region that does not write. */
  async remove(id: string): Promise<void> {
    const writer = this.writer;
    if (!writer) {
      this.stats.skippedWrites++;
      return;
    }
    try {
      await this.timed(writer, (c) => c.del(this.key(id)));
    } catch {
      this.stats.writeFailures++;
    }
  }

  /** Whether this region's replica answers. */
  async ping(): Promise<boolean> {
    try {
      return (await this.timed(this.reader, (c) => c.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    for (const c of new Set([this.reader, this.writer])) c?.destroy();
  }

  private key(id: string): string {
    return `${this.props.prefix}:${id}`;
  }

  private client(url: string, role: 'reader' | 'writer'): Client {
    const credentials = this.props.credentials;
    const client = newClient(url, this.props.username, this.props.password, credentials && (() => credentials(role)));
    client.on('error', () => undefined);
    client.connect().catch(() => undefined);
    return client;
  }

  private async timed<T>(client: Client, command: (c: Client) => Promise<T>): Promise<T> {
    if (!client.isReady) throw new Error('cache not connected');
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        command(client),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('cache command timed out')), this.timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
