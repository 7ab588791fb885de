import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { OrdersError } from './orders-error';

/** How writes reach the primary region's writer (config `aurora.writeRouting`). */
export type WriteRouting = 'write-forwarding' | 'writer-endpoint';

/** A database endpoint. */
export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Props of {@link OrdersDatabase}. */
export interface OrdersDatabaseProps {
  /** Where writes go: the global writer endpoint, or (write forwarding) this region's cluster. */
  readonly writer: DatabaseEndpoint;
  /** This region's reader. */
  readonly reader: DatabaseEndpoint;
  readonly database: string;
  readonly user: string;
  /**
   * The password, or a function returning one (an IAM authentication token, which pg
   * asks for on every new connection).
   */
  readonly password: string | (() => Promise<string>);
  readonly writeRouting: WriteRouting;
  /** TLS (always on in AWS; the local servers have none). @default false */
  readonly ssl?: boolean;
  /** Connections per pool (Lambda serves one request at a time: 2 is plenty there). @default 4 */
  readonly poolSize?: number;
  /** Connect timeout: how fast an unreachable primary becomes a 503. @default 1000 */
  readonly connectTimeoutMs?: number;
  /** Statement timeout. @default 3000 */
  readonly statementTimeoutMs?: number;
  /** After the writer failed to connect, writes fail at once for this long (no connect attempt). @default 500 */
  readonly writerBackoffMs?: number;
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/**
 * The two connection pools of the orders service: the **writer** (the primary region's
 * writer, directly or through Aurora's write forwarding) and this region's **reader**.
 * Made once per Lambda instance (module scope) and reused across invocations; pg
 * connects lazily, so a cold start opens nothing until the first query.
 *
 * Failures become {@link OrdersError}s: the writer unreachable → `primary_unavailable`
 * (fast: a short connect timeout, then a back-off during which writes fail without
 * trying), the reader unreachable → `database_unavailable`, a statement timeout →
 * `timeout`. All three are 503s with Retry-After.
 */
export class OrdersDatabase {
  private readonly writerPool: Pool;
  private readonly readerPool: Pool;
  private writerDownUntil = 0;
  private readonly backoffMs: number;

  constructor(readonly props: OrdersDatabaseProps) {
    this.backoffMs = props.writerBackoffMs ?? 500;
    const base = (endpoint: DatabaseEndpoint, forwarding: boolean): PoolConfig => ({
      host: endpoint.host,
      port: endpoint.port,
      database: props.database,
      user: props.user,
      password: props.password,
      ssl: props.ssl ? { rejectUnauthorized: true } : undefined,
      max: props.poolSize ?? 4,
      connectionTimeoutMillis: props.connectTimeoutMs ?? 1000,
      statement_timeout: props.statementTimeoutMs ?? 3000,
      query_timeout: (props.statementTimeoutMs ?? 3000) + 500,
      idleTimeoutMillis: 60_000,
      application_name: 'orders-api',
      // Aurora PostgreSQL write forwarding: each session says how consistent its reads
      // are after its own forwarded writes; "session" = it sees them.
      options: forwarding ? '-c apg_write_forward.consistency_mode=session' : undefined,
    });
    const forwarding = props.writeRouting === 'write-forwarding';
    this.writerPool = new Pool(base(props.writer, forwarding));
    this.readerPool = new Pool(base(props.reader, false));
    // An idle client whose server went away emits 'error' on the pool; without a listener it would crash the process.
    this.writerPool.on('error', () => undefined);
    this.readerPool.on('error', () => undefined);
    // A client whose server dies while it is checked out (or being discarded) emits
    // 'error' with no pool listener attached: the failure is already reported through
    // the query's rejection, so the event itself is only silenced.
    this.writerPool.on('connect', (client) => client.on('error', () => undefined));
    this.readerPool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** Runs `work` in a transaction on the writer. */
  async write<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    if (Date.now() < this.writerDownUntil) {
      throw new OrdersError('primary_unavailable', 'the primary region\'s database cannot be reached; writes are refused until it is back or another region is promoted (reads keep working)', {
        retryAfterSeconds: 1,
      });
    }
    let client: PoolClient;
    try {
      client = await this.writerPool.connect();
    } catch (err) {
      this.writerDownUntil = Date.now() + this.backoffMs;
      throw toOrdersError(err, 'writer');
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken = isConnectionFailure(err) || isReadOnly(err);
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      if (isConnectionFailure(err) || isReadOnly(err)) this.writerDownUntil = Date.now() + this.backoffMs;
      throw toOrdersError(err, 'writer');
    } finally {
      // A client whose connection broke is discarded, not returned to the pool.
      client.release(broken ? true : undefined);
    }
  }

  /** Runs one query on this region's reader, or on the writer when `fromWriter`. */
  async read<T>(work: (client: PoolClient) => Promise<T>, options: { fromWriter?: boolean } = {}): Promise<T> {
    const role = options.fromWriter ? 'writer' : 'reader';
    const pool = options.fromWriter ? this.writerPool : this.readerPool;
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw toOrdersError(err, role);
    }
    let broken = false;
    try {
      return await work(client);
    } catch (err) {
      broken = isConnectionFailure(err);
      throw toOrdersError(err, role);
    } finally {
      client.release(broken ? true : undefined);
    }
  }

  /** Checks the reader answers (what /health reports: a region serves reads without its primary). */
  async ping(): Promise<void> {
    await this.read((c) => c.query('SELECT 1'));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.writerPool.end(), this.readerPool.end()]);
  }
}

function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && (CONNECTION_ERROR_CODES.has(e.code) || e.code.startsWith('08') || e.code === '57P01' || e.code === '57P02' || e.code === '57P03')) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ETIMEDOUT|Client has encountered a connection error|the database system is (?:starting up|shutting down|in recovery)/i.test(e.message ?? '');
}

/** The writer endpoint reached a read-only server (a demoted primary, a standby): no writer there. */
function isReadOnly(err: unknown): boolean {
  return (err as { code?: string })?.code === '25006';
}

function toOrdersError(err: unknown, role: 'writer' | 'reader'): unknown {
  if (err instanceof OrdersError) return err;
  const code = (err as { code?: string })?.code;
  if (code === '57014' || /Query read timeout/i.test((err as Error)?.message ?? '')) {
    return new OrdersError('timeout', 'the database did not answer in time; retry', { retryAfterSeconds: 1, cause: err });
  }
  if (isConnectionFailure(err) || isReadOnly(err)) {
    return role === 'writer'
      ? new OrdersError('primary_unavailable', "the primary region's database cannot be reached; writes are refused until it is back or another region is promoted (reads keep working)", {
          retryAfterSeconds: 1,
          cause: err,
        })
      : new OrdersError('database_unavailable', "this region's database cannot be reached; retry, or another region", { retryAfterSeconds: 2, cause: err });
  }
  return err;
}
