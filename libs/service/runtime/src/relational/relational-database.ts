import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { ServiceError } from '../service-error';

/** How writes reach the primary region's writer (config `aurora.writeRouting`). */
export type WriteRouting = 'write-forwarding' | 'writer-endpoint';

/** A database endpoint. */
export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Props of {@link RelationalDatabase}. */
export interface RelationalDatabaseProps {
  /** Where writes go: the global writer endpoint, or (write forwarding) this region's cluster. */
  readonly writer: DatabaseEndpoint;
  /** This region's reader. */
  readonly reader: DatabaseEndpoint;
  readonly database: string;
  readonly user: string;
  /** The password, or a function pg calls for each new connection (an IAM authentication token, {@link rdsAuthToken}). */
  readonly password: string | (() => Promise<string>);
  readonly writeRouting: WriteRouting;
  /** TLS, verifying the server (always on in AWS; the local servers have none). @default false */
  readonly ssl?: boolean;
  /** Connections per pool (a Lambda instance serves one request at a time). @default 2 */
  readonly poolSize?: number;
  /** How fast an unreachable database becomes a 503. @default 1000 */
  readonly connectTimeoutMs?: number;
  /** @default 3000 */
  readonly statementTimeoutMs?: number;
  /** After the writer failed to connect, writes fail at once for this long. @default 500 */
  readonly writerBackoffMs?: number;
  /** Shown in pg_stat_activity. @default "service" */
  readonly applicationName?: string;
  /** The errors thrown for each failure, for a service with its own error codes. @default - {@link SERVICE_ERROR_FAILURES} */
  readonly failures?: RelationalFailures;
}

/** The error a {@link RelationalDatabase} throws for each way the database fails; each is a 503 with Retry-After to the client. */
export interface RelationalFailures {
  /** The writer cannot be reached or is read-only (a demoted primary); without a cause during the back-off that follows. */
  writerUnavailable(cause?: unknown): Error;
  /** This region's reader cannot be reached. */
  readerUnavailable(cause: unknown): Error;
  /** A statement ran past `statementTimeoutMs`. */
  timeout(cause: unknown): Error;
}

/** The runtime's failures: {@link ServiceError}s `unavailable` and `timeout`. */
export const SERVICE_ERROR_FAILURES: RelationalFailures = Object.freeze({
  writerUnavailable: (cause?: unknown) =>
    new ServiceError('unavailable', "the primary region's database cannot be reached; writes are refused until it is back or another region is promoted (reads keep working)", {
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      cause,
    }),
  readerUnavailable: (cause: unknown) =>
    new ServiceError('unavailable', "this region's database cannot be reached; retry after the Retry-After delay", { retryAfterSeconds: RETRY_AFTER_SECONDS, cause }),
  timeout: (cause: unknown) => new ServiceError('timeout', 'the database did not answer in time; retry after the Retry-After delay', { retryAfterSeconds: RETRY_AFTER_SECONDS, cause }),
});

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
const RETRY_AFTER_SECONDS = 1;

/**
 * The two connection pools of a service on Aurora: the **writer** (the primary region's
 * writer, directly or through write forwarding) and this region's **reader**. Made once
 * per Lambda instance; pg connects lazily, so a cold start opens nothing.
 *
 * Failures become {@link ServiceError}s answered 503 with Retry-After (or the errors
 * `failures` makes): the writer unreachable or read-only (a demoted primary) →
 * `unavailable`, and writes then fail at once for `writerBackoffMs`; the reader
 * unreachable → `unavailable`; a statement timeout → `timeout`. Reads keep working in
 * a region whose primary is gone.
 */
export class RelationalDatabase {
  private readonly writerPool: Pool;
  private readonly readerPool: Pool;
  private writerDownUntil = 0;
  private readonly failures: RelationalFailures;

  constructor(readonly props: RelationalDatabaseProps) {
    this.failures = props.failures ?? SERVICE_ERROR_FAILURES;
    const statementTimeout = props.statementTimeoutMs ?? 3000;
    const pool = (endpoint: DatabaseEndpoint, forwarding: boolean): Pool => {
      const config: PoolConfig = {
        host: endpoint.host,
        port: endpoint.port,
        database: props.database,
        user: props.user,
        password: props.password,
        ssl: props.ssl ? { rejectUnauthorized: true } : undefined,
        max: props.poolSize ?? 2,
        connectionTimeoutMillis: props.connectTimeoutMs ?? 1000,
        statement_timeout: statementTimeout,
        query_timeout: statementTimeout + 500,
        idleTimeoutMillis: 60_000,
        application_name: props.applicationName ?? 'service',
        // Aurora PostgreSQL write forwarding: "session" makes a session read its own forwarded writes.
        options: forwarding ? '-c apg_write_forward.consistency_mode=session' : undefined,
      };
      const created = new Pool(config);
      // A server that goes away makes idle and checked-out clients emit 'error'; the query
      // that was running already rejects, and an unheard event would crash the process.
      created.on('error', () => undefined);
      created.on('connect', (client) => client.on('error', () => undefined));
      return created;
    };
    this.writerPool = pool(props.writer, props.writeRouting === 'write-forwarding');
    this.readerPool = pool(props.reader, false);
  }

  /** Runs `work` in one transaction on the writer. */
  async write<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    if (Date.now() < this.writerDownUntil) throw this.failures.writerUnavailable();
    let client: PoolClient;
    try {
      client = await this.writerPool.connect();
    } catch (err) {
      this.writerDownUntil = Date.now() + (this.props.writerBackoffMs ?? 500);
      throw this.translate(err, 'writer');
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken = isConnectionFailure(err) || isReadOnly(err);
      if (broken) this.writerDownUntil = Date.now() + (this.props.writerBackoffMs ?? 500);
      else await client.query('ROLLBACK').catch(() => undefined);
      throw this.translate(err, 'writer');
    } finally {
      client.release(broken ? true : undefined);
    }
  }

  /** Runs `work` on this region's reader, or on the writer with `fromWriter` (a read that must see the latest write). */
  async read<T>(work: (client: PoolClient) => Promise<T>, options: { readonly fromWriter?: boolean } = {}): Promise<T> {
    const role = options.fromWriter ? 'writer' : 'reader';
    let client: PoolClient;
    try {
      client = await (options.fromWriter ? this.writerPool : this.readerPool).connect();
    } catch (err) {
      throw this.translate(err, role);
    }
    let broken = false;
    try {
      return await work(client);
    } catch (err) {
      broken = isConnectionFailure(err);
      throw this.translate(err, role);
    } finally {
      client.release(broken ? true : undefined);
    }
  }

  /** Proves this region's reader answers (what /health reports: a region serves reads without its primary). */
  async ping(): Promise<void> {
    await this.read((c) => c.query('SELECT 1'));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.writerPool.end(), this.readerPool.end()]);
  }

  private translate(err: unknown, role: 'writer' | 'reader'): unknown {
    if (err instanceof ServiceError) return err;
    // SQLSTATE 57014: canceled by statement_timeout.
    if ((err as { code?: string })?.code === '57014' || /Query read timeout/i.test((err as Error)?.message ?? '')) return this.failures.timeout(err);
    if (isConnectionFailure(err) || isReadOnly(err)) return role === 'writer' ? this.failures.writerUnavailable(err) : this.failures.readerUnavailable(err);
    return err;
  }
}

function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  // SQLSTATE class 08 (connection exception) and 57P01-03 (shutdown, crash, cannot connect now).
  if (e.code && (CONNECTION_ERROR_CODES.has(e.code) || e.code.startsWith('08') || /^57P0[123]$/.test(e.code))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ETIMEDOUT|Client has encountered a connection error|the database system is (?:starting up|shutting down|in recovery)/i.test(e.message ?? '');
}

/** SQLSTATE 25006: the writer endpoint reached a read-only server (a demoted primary, a standby). */
function isReadOnly(err: unknown): boolean {
  return (err as { code?: string })?.code === '25006';
}
