import type { PoolClient } from 'pg';
import { preconditionFailed, requestFingerprint, sha256Hex, versionMatches } from '../dynamodb';
import { decodeOpaqueToken, encodeOpaqueToken } from '../opaque-token';
import type { WritePrecondition } from '../request';
import { type CallOptions, isResourceId, newResourceId, RESOURCE_LIST_LIMITS, type StoredResource } from '../resource';
import { ServiceError } from '../service-error';
import type { RelationalDatabase } from './relational-database';

/**
 * What {@link PostgresResourceRepository} needs of a cache (`ResourceCache` of
 * `@platform/service-runtime/cache`); every method is best effort and never throws.
 */
export interface ResourceCacheClient {
  /** The cached record, or undefined on a miss or when the cache cannot be reached. */
  get(id: string): Promise<Record<string, unknown> | undefined>;
  /** Stores the record unless the cache holds the same or a newer version of it. */
  put(record: { readonly id: string; readonly version: number }): Promise<unknown>;
  remove(id: string): Promise<void>;
}

/** Props of {@link PostgresResourceRepository}. */
export interface PostgresResourceRepositoryProps {
  readonly database: RelationalDatabase;
  /**
   * The records table (`id text PRIMARY KEY, fields jsonb, version integer, created_at
   * timestamptz, updated_at timestamptz, updated_region text`) and, beside it,
   * `<table>_idempotency` (`key_hash text PRIMARY KEY, fingerprint text, resource
   * jsonb, expires_at timestamptz`): what the generator's first migration creates.
   */
  readonly table: string;
  /** The region this code runs in, recorded as `updatedRegion`. */
  readonly region: string;
  /** How long an idempotency key is remembered. @default 86400 (24 hours) */
  readonly idempotencyTtlSeconds?: number;
  /** Cache-aside for reads by id. @default - no cache */
  readonly cache?: ResourceCacheClient;
  /** @default - the system clock */
  readonly clock?: () => Date;
}

const TABLE = /^[a-z_][a-z0-9_]{0,40}$/;

/**
 * The first migration of a service on {@link PostgresResourceRepository}: its records
 * table and the idempotency table beside it, in node-pg-migrate's SQL file format. The
 * generator writes it into the service's migrations; later changes are new files.
 */
export function recordsTableMigration(table: string): string {
  if (!TABLE.test(table)) throw new Error(`table "${table}" must be lower case letters, digits and _ (at most 41)`);
  return `-- Up Migration
CREATE TABLE ${table} (
  id text PRIMARY KEY,
  fields jsonb NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_region text NOT NULL
);

-- One row per Idempotency-Key (its SHA-256): the body's fingerprint and the record the first request created.
CREATE TABLE ${table}_idempotency (
  key_hash text PRIMARY KEY,
  fingerprint text NOT NULL,
  resource jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX ${table}_idempotency_expires ON ${table}_idempotency (expires_at);

-- Down Migration
DROP TABLE ${table}_idempotency;
DROP TABLE ${table};
`;
}

interface Row {
  readonly id: string;
  readonly fields: Record<string, unknown>;
  readonly version: number;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly updated_region: string;
}

/**
 * CRUD of one resource kind in a PostgreSQL table, with the contract of the DynamoDB
 * `ResourceRepository` (so `crudApi` serves either): writes in a transaction on the
 * writer, a version per record for If-Match, idempotent create (the first result is
 * replayed for the same key and body), keyset-paged listing by id, `ping` for /health.
 * Reads go to this region's reader: a secondary region may answer a read made right
 * after a write with the version before it (Aurora replication is asynchronous).
 */
export class PostgresResourceRepository<F extends object> {
  private readonly clock: () => Date;
  private readonly idempotencyTable: string;

  constructor(private readonly props: PostgresResourceRepositoryProps) {
    if (!TABLE.test(props.table)) throw new Error(`PostgresResourceRepository: table "${props.table}" must be lower case letters, digits and _ (e.g. catalog_records)`);
    if (!props.region) throw new Error('PostgresResourceRepository: region is empty; pass the region this code runs in (AWS_REGION)');
    this.clock = props.clock ?? (() => new Date());
    this.idempotencyTable = `${props.table}_idempotency`;
  }

  /** Creates a record; with an idempotency key a retry with the same body replays the first result. */
  async create(fields: F, options: CallOptions & { readonly idempotencyKey?: string } = {}): Promise<{ readonly resource: StoredResource<F>; readonly replayed: boolean }> {
    const now = this.clock();
    const resource = this.stored(newResourceId(), fields, 1, now, now);
    const result = await this.props.database.write(async (client) => {
      if (options.idempotencyKey !== undefined) {
        const keyHash = sha256Hex(options.idempotencyKey);
        const fingerprint = requestFingerprint(fields);
        const expiresAt = new Date(now.getTime() + (this.props.idempotencyTtlSeconds ?? 86_400) * 1000);
        // Claims the key, or takes over an expired claim; a concurrent claim of the same key
        // waits here for the first transaction and then finds its row.
        const claimed = await client.query(
          `INSERT INTO ${this.idempotencyTable} (key_hash, fingerprint, resource, expires_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key_hash) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, resource = EXCLUDED.resource, expires_at = EXCLUDED.expires_at
           WHERE ${this.idempotencyTable}.expires_at < $5 RETURNING key_hash`,
          [keyHash, fingerprint, JSON.stringify(resource), expiresAt, now],
        );
        if (claimed.rowCount === 0) return this.replay(client, keyHash, fingerprint);
        // Expired keys are taken over when reused; the rest go a few at a time, with new ones.
        await client.query(`DELETE FROM ${this.idempotencyTable} WHERE key_hash IN (SELECT key_hash FROM ${this.idempotencyTable} WHERE expires_at < $1 LIMIT 20)`, [now]);
      }
      await this.insert(client, resource, fields);
      return { resource, replayed: false };
    });
    if (!result.replayed) await this.props.cache?.put(result.resource);
    return result;
  }

  /** The record, or undefined: from the cache when it has it, else from this region's reader. */
  async get(id: string, _options: CallOptions = {}): Promise<StoredResource<F> | undefined> {
    const cached = await this.props.cache?.get(id);
    if (cached) return cached as StoredResource<F>;
    const rows = await this.props.database.read((c) => c.query<Row>(`SELECT * FROM ${this.props.table} WHERE id = $1`, [id]));
    const found = rows.rows[0] ? this.fromRow(rows.rows[0]) : undefined;
    if (found) await this.props.cache?.put(found);
    return found;
  }

  /** One page, by id. */
  async list(request: { readonly limit?: number; readonly cursor?: string } = {}, _options: CallOptions = {}): Promise<{ readonly items: StoredResource<F>[]; readonly nextCursor?: string }> {
    const limit = request.limit ?? RESOURCE_LIST_LIMITS.default;
    const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
    const rows = await this.props.database.read((c) =>
      after === undefined
        ? c.query<Row>(`SELECT * FROM ${this.props.table} ORDER BY id LIMIT $1`, [limit + 1])
        : c.query<Row>(`SELECT * FROM ${this.props.table} WHERE id > $1 ORDER BY id LIMIT $2`, [after, limit + 1]),
    );
    const items = rows.rows.slice(0, limit).map((r) => this.fromRow(r));
    return rows.rows.length > limit ? { items, nextCursor: encodeCursor(items[items.length - 1]!.id) } : { items };
  }

  /** Replaces the client fields of an existing record, honouring If-Match. */
  async replace(id: string, fields: F, precondition: WritePrecondition = {}, _options: CallOptions = {}): Promise<StoredResource<F>> {
    const updated = await this.props.database.write(async (client) => {
      const current = await this.lockedVersion(client, id, precondition);
      const now = this.clock();
      const rows = await client.query<Row>(
        `UPDATE ${this.props.table} SET fields = $2, version = $3, updated_at = $4, updated_region = $5 WHERE id = $1 RETURNING *`,
        [id, JSON.stringify(fields), current + 1, now, this.props.region],
      );
      return this.fromRow(rows.rows[0]!);
    });
    await this.props.cache?.put(updated);
    return updated;
  }

  /** Deletes an existing record, honouring If-Match. */
  async delete(id: string, precondition: WritePrecondition = {}, _options: CallOptions = {}): Promise<void> {
    await this.props.database.write(async (client) => {
      await this.lockedVersion(client, id, precondition);
      await client.query(`DELETE FROM ${this.props.table} WHERE id = $1`, [id]);
    });
    await this.props.cache?.remove(id);
  }

  /** Proves this region's database answers. */
  async ping(_options: CallOptions = {}): Promise<void> {
    await this.props.database.ping();
  }

  /** The record's version, row-locked for this transaction; not found or a failed If-Match throw. */
  private async lockedVersion(client: PoolClient, id: string, precondition: WritePrecondition): Promise<number> {
    const rows = await client.query<{ version: number }>(`SELECT version FROM ${this.props.table} WHERE id = $1 FOR UPDATE`, [id]);
    const current = rows.rows[0]?.version;
    if (current === undefined) throw new ServiceError('not_found', `no record with id ${id}`);
    if (!versionMatches(precondition, current)) throw preconditionFailed(`record ${id}`, precondition, current);
    return current;
  }

  private async insert(client: PoolClient, resource: StoredResource<F>, fields: F): Promise<void> {
    try {
      await client.query(`INSERT INTO ${this.props.table} (id, fields, version, created_at, updated_at, updated_region) VALUES ($1, $2, 1, $3, $3, $4)`, [
        resource.id,
        JSON.stringify(fields),
        resource.createdAt,
        this.props.region,
      ]);
    } catch (err) {
      // SQLSTATE 23505, unique_violation: 128 random bits collided.
      if ((err as { code?: string })?.code === '23505') throw new ServiceError('conflict', 'the new id is already taken; retry the request', { retryAfterSeconds: 0 });
      throw err;
    }
  }

  private async replay(client: PoolClient, keyHash: string, fingerprint: string): Promise<{ resource: StoredResource<F>; replayed: boolean }> {
    const rows = await client.query<{ fingerprint: string; resource: StoredResource<F> }>(`SELECT fingerprint, resource FROM ${this.idempotencyTable} WHERE key_hash = $1`, [keyHash]);
    const stored = rows.rows[0]!;
    if (stored.fingerprint !== fingerprint) {
      throw new ServiceError(
        'idempotency_key_reused',
        'this Idempotency-Key was already used with a different request body; use a new key for a new record, or resend the original body to get the original result',
      );
    }
    return { resource: stored.resource, replayed: true };
  }

  private stored(id: string, fields: F, version: number, createdAt: Date, updatedAt: Date): StoredResource<F> {
    return { ...fields, id, version, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString(), updatedRegion: this.props.region } as StoredResource<F>;
  }

  private fromRow(row: Row): StoredResource<F> {
    return { ...(row.fields as F), id: row.id, version: row.version, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(), updatedRegion: row.updated_region } as StoredResource<F>;
  }
}

function encodeCursor(id: string): string {
  return encodeOpaqueToken({ v: 1, id });
}

function decodeCursor(cursor: string): string {
  const invalid = () => new ServiceError('invalid_cursor', 'cursor is not one this API returned: pass the nextCursor of the previous page back unchanged, or omit cursor to start from the beginning');
  const parsed = decodeOpaqueToken(cursor, 200);
  if (!parsed) throw invalid();
  const { v, id, ...rest } = parsed;
  if (v !== 1 || Object.keys(rest).length > 0 || typeof id !== 'string' || !isResourceId(id)) throw invalid();
  return id;
}
