import { createClient } from 'redis';
import type { Order } from './order';

/** Props of {@link OrderCache}. */
export interface OrderCacheProps {
  /** This region's replica (`redis://host:port`, `rediss://` with TLS): reads. */
  readonly readerUrl: string;
  /**
   * The global datastore's primary replication group (in AWS: this region's own group, in
   * the primary region only): writes. @default - none: a read-only cache, as in a
   * secondary region, whose replication group refuses writes and which cannot reach
   * another region's group (its security groups name only groups of its own region:
   * https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html).
   * `put` then stores nothing.
   */
  readonly writerUrl?: string;
  /** How long an order stays cached. */
  readonly ttlSeconds: number;
  /** Username for the cache (ElastiCache RBAC). @default - none */
  readonly username?: string;
  /** Password. @default - none */
  readonly password?: string;
  /**
   * Credentials asked for at every (re)connection, per client: ElastiCache IAM
   * authentication (the user and a fresh token signed for the reader's or the writer's
   * replication group). Takes precedence over `username` / `password`. @default - none
   */
  readonly credentials?: (client: 'reader' | 'writer') => Promise<{ readonly username: string; readonly password: string }>;
  /** Budget of one cache command; a slower cache counts as a miss. @default 250 */
  readonly commandTimeoutMs?: number;
}

/** What a read from the cache found. */
export type CacheRead = { readonly state: 'hit'; readonly order: Order } | { readonly state: 'miss' } | { readonly state: 'unavailable' };

// Sets the order unless the cache already holds the same or a newer version of it: a
// reader that filled the cache from a lagging replica can never overwrite a newer
// version written after a write, whatever order the two arrive in.
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local v = tonumber(string.match(current, '"version":(%d+)'))
  if v and v >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

type Credentials = OrderCacheProps['credentials'];

function newClient(url: string, username?: string, password?: string, credentials?: () => ReturnType<NonNullable<Credentials>>) {
  return createClient({
    url,
    ...(credentials
      ? { credentialsProvider: { type: 'async-credentials-provider' as const, credentials: async () => ({ ...(await credentials()) }) } }
      : { username, password }),
    // Fail commands at once while disconnected instead of queueing them.
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
  });
}
type Client = ReturnType<typeof newClient>;

/**
 * Cache-aside for orders on Redis / an ElastiCache global datastore: reads from this
 * region's replica, writes to the primary cluster (a global datastore's secondaries
 * are read-only). Versioned entries: a write stores the new version, a miss stores what
 * the database returned, each only if newer than what is cached.
 *
 * The cache is never needed for correctness: when it cannot be reached (or answers
 * slower than `commandTimeoutMs`), reads go to the database and writes skip it. Clients
 * connect once per Lambda instance and reconnect on their own.
 */
export class OrderCache {
  private readonly reader: Client;
  private readonly writer: Client | undefined;
  private readonly timeoutMs: number;
  /** `skippedWrites`: stores a read-only cache did not attempt. */
  readonly stats = { hits: 0, misses: 0, unavailable: 0, writeFailures: 0, skippedWrites: 0 };

  constructor(readonly props: OrderCacheProps) {
    this.timeoutMs = props.commandTimeoutMs ?? 250;
    this.reader = this.client(props.readerUrl, 'reader');
    this.writer = props.writerUrl === undefined ? undefined : props.writerUrl === props.readerUrl ? this.reader : this.client(props.writerUrl, 'writer');
  }

  /** False in a region where the cache is read-only (no writer). */
  get writable(): boolean {
    return this.writer !== undefined;
  }

  private client(url: string, role: 'reader' | 'writer'): Client {
    const credentials = this.props.credentials;
    const client = newClient(url, this.props.username, this.props.password, credentials && (() => credentials(role)));
    client.on('error', () => undefined);
    client.connect().catch(() => undefined);
    return client;
  }

  static key(id: string): string {
    return `orders:order:${id}`;
  }

  async get(id: string): Promise<CacheRead> {
    try {
      const raw = await this.timed(this.reader, (c) => c.get(OrderCache.key(id)));
      if (raw === null || raw === undefined) {
        this.stats.misses++;
        return { state: 'miss' };
      }
      this.stats.hits++;
      return { state: 'hit', order: JSON.parse(String(raw)) as Order };
    } catch {
      this.stats.unavailable++;
      return { state: 'unavailable' };
    }
  }

  /** Stores `order` in the primary cluster unless a same or newer version is there; nothing when read-only. Never throws. */
  async put(order: Order): Promise<boolean> {
    const writer = this.writer;
    if (!writer) {
      this.stats.skippedWrites++;
      return false;
    }
    try {
      const stored = await this.timed(writer, (c) =>
        c.eval(SET_IF_NEWER, { keys: [OrderCache.key(order.id)], arguments: [JSON.stringify(order), String(order.version), String(this.props.ttlSeconds)] }),
      );
      return stored === 1;
    } catch {
      this.stats.writeFailures++;
      return false;
    }
  }

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
