import { createHash, randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { encodeConsistencyToken, type ConsistencyToken } from './consistency-token';
import { decodeListCursor, encodeListCursor } from './list-cursor';
import { checkTransition, formatCents, ORDER_LIMITS, totalCents, type NewOrder, type Order, type OrderStatus } from './order';
import type { OrderCache } from './order-cache';
import { OrdersError } from './orders-error';
import type { OrdersDatabase } from './orders-database';

/** Props of {@link OrdersRepository}. */
export interface OrdersRepositoryProps {
  readonly database: OrdersDatabase;
  /** @default - no cache: every read goes to the database */
  readonly cache?: OrderCache;
  /**
   * A read carrying a consistency token waits this long for the local replica to
   * catch up before it reads from the writer instead. @default 150
   */
  readonly readYourWritesWaitMs?: number;
  /**
   * How long an idempotency record answers a retry; an older one is ignored (its key is
   * free again) and deleted. @default 86400 (24 h)
   */
  readonly idempotencyTtlSeconds?: number;
  /** Expired idempotency records deleted, at most, by each create with a key. @default 10 */
  readonly idempotencyCleanupBatch?: number;
}

/** Where a read was answered from (the API reports it in a header; the benchmark counts it). */
export type ReadSource = 'cache' | 'replica' | 'writer';

/** The result of a write: the order and the token a client sends back to read its own write anywhere. */
export interface WriteResult {
  readonly order: Order;
  readonly consistencyToken: string;
  /** An idempotent create answered from its first run. */
  readonly replayed?: boolean;
}

interface OrderRow {
  id: string;
  customer_id: string;
  currency: string;
  lines: { sku: string; quantity: number; priceCents: number }[];
  total_cents: string | number;
  status: OrderStatus;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, customer_id, currency, lines, total_cents, status, version, created_at, updated_at';

/**
 * Orders on PostgreSQL (Aurora) with a Redis cache-aside. Writes go to the primary
 * region's writer; reads to this region's cache, then its replica. Every write returns
 * a consistency token; a read given one is answered from a source that has that write
 * (the cache or replica if they have caught up, else the writer), which is how a client
 * reads its own write in a secondary region.
 */
export class OrdersRepository {
  private readonly waitMs: number;
  private readonly idempotencyTtlSeconds: number;
  private readonly cleanupBatch: number;

  constructor(private readonly props: OrdersRepositoryProps) {
    this.waitMs = props.readYourWritesWaitMs ?? 150;
    this.idempotencyTtlSeconds = props.idempotencyTtlSeconds ?? 86_400;
    this.cleanupBatch = props.idempotencyCleanupBatch ?? 10;
    if (!Number.isInteger(this.idempotencyTtlSeconds) || this.idempotencyTtlSeconds < 1) {
      throw new Error(`idempotencyTtlSeconds must be a whole number of seconds of at least 1, got ${props.idempotencyTtlSeconds}`);
    }
  }

  /** Creates an order; with an idempotency key, a repeat returns the first result (a different request with the key: 422). */
  async create(input: NewOrder, options: { idempotencyKey?: string } = {}): Promise<WriteResult> {
    const now = new Date();
    const order: Order = {
      id: randomUUID(),
      customerId: input.customerId,
      currency: input.currency,
      lines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, price: formatCents(l.priceCents) })),
      total: formatCents(totalCents(input.lines)),
      status: 'pending',
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('base64url');
    const result = await this.props.database.write(async (client) => {
      await client.query(
        `INSERT INTO orders (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, 'pending', 1, $6, $6)`,
        [order.id, input.customerId, input.currency, JSON.stringify(input.lines), totalCents(input.lines), now],
      );
      if (!options.idempotencyKey) return { order };
      // Waits for a concurrent transaction holding the same key, then does nothing, unless
      // the record it holds has expired: then the key is this request's.
      const claimed = await client.query(
        `INSERT INTO order_idempotency (customer_id, idempotency_key, request_hash, order_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (customer_id, idempotency_key) DO UPDATE SET request_hash = EXCLUDED.request_hash, order_id = EXCLUDED.order_id, created_at = now()
         WHERE order_idempotency.created_at <= now() - make_interval(secs => $5)
         RETURNING order_id`,
        [input.customerId, options.idempotencyKey, requestHash, order.id, this.idempotencyTtlSeconds],
      );
      if (claimed.rowCount === 1) {
        // Cheap cleanup on write: a few expired records, oldest first (index on
        // created_at), skipping rows another create is deleting. Each keyed create adds one
        // record and removes up to cleanupBatch expired ones, so the table stays about
        // TTL x the rate of keyed creates.
        await client.query(
          `DELETE FROM order_idempotency WHERE ctid IN (
             SELECT ctid FROM order_idempotency WHERE created_at <= now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          [this.idempotencyTtlSeconds, this.cleanupBatch],
        );
        return { order };
      }
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      const earlier = await client.query<OrderRow & { request_hash: string }>(
        `SELECT i.request_hash, ${COLUMNS.split(', ').map((c) => `o.${c}`).join(', ')} FROM order_idempotency i JOIN orders o ON o.id = i.order_id WHERE i.customer_id = $1 AND i.idempotency_key = $2`,
        [input.customerId, options.idempotencyKey],
      );
      const row = earlier.rows[0];
      // The record expired and was deleted between the claim and this read (its TTL ran
      // out in those milliseconds): the key is free, the client retries (503, Retry-After).
      if (!row) throw new OrdersError('primary_unavailable', 'the idempotency record changed while this request ran; retry');
      if (row.request_hash !== requestHash) {
        throw new OrdersError('idempotency_key_reused', 'this Idempotency-Key was used for a different order; use a new key for a new order');
      }
      return { order: toOrder(row), replayed: true };
    });
    if (!result.replayed) await this.props.cache?.put(result.order);
    return { ...result, consistencyToken: token(result.order) };
  }

  /** One order, or undefined. With `after`, the answer includes that write when it is about this order. */
  async get(id: string, options: { after?: ConsistencyToken } = {}): Promise<{ order?: Order; source: ReadSource }> {
    const needed = options.after?.orderId === id ? options.after.version : 0;
    const cache = this.props.cache;
    if (cache) {
      const cached = await cache.get(id);
      if (cached.state === 'hit' && cached.order.version >= needed) return { order: cached.order, source: 'cache' };
    }
    const fromReplica = await this.readUntil(
      (client) => selectOrder(client, id),
      (order) => (order?.version ?? 0) >= needed,
    );
    if (fromReplica.ok) {
      if (fromReplica.value && cache) void cache.put(fromReplica.value);
      return { order: fromReplica.value, source: 'replica' };
    }
    const order = await this.props.database.read((client) => selectOrder(client, id), { fromWriter: true });
    return { order, source: 'writer' };
  }

  /** A page of a customer's orders, newest first. */
  async listByCustomer(
    customerId: string,
    options: { limit?: number; cursor?: string; after?: ConsistencyToken } = {},
  ): Promise<{ orders: Order[]; nextCursor?: string; source: ReadSource }> {
    const limit = Math.min(options.limit ?? ORDER_LIMITS.listDefault, ORDER_LIMITS.listMax);
    const position = options.cursor ? decodeListCursor(options.cursor) : undefined;
    const page = async (client: PoolClient) => {
      const params: unknown[] = [customerId, limit + 1];
      let where = 'customer_id = $1';
      if (position) {
        where += ' AND (created_at, id) < ($3, $4)';
        params.push(position.createdAt, position.id);
      }
      const rows = await client.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`, params);
      return rows.rows.map(toOrder);
    };
    const after = options.after;
    let orders: Order[];
    let source: ReadSource = 'replica';
    if (!after) orders = await this.props.database.read(page);
    else {
      // The replica applies commits in order: once it has the client's last write, it has all the earlier ones.
      const caughtUp = await this.readUntil((c) => selectOrder(c, after.orderId), (o) => (o?.version ?? 0) >= after.version);
      if (caughtUp.ok) orders = await this.props.database.read(page);
      else {
        orders = await this.props.database.read(page, { fromWriter: true });
        source = 'writer';
      }
    }
    const more = orders.length > limit;
    if (more) orders = orders.slice(0, limit);
    const last = orders[orders.length - 1];
    return { orders, source, ...(more && last ? { nextCursor: encodeListCursor({ createdAt: last.createdAt, id: last.id }) } : {}) };
  }

  /**
   * Moves an order to `status`. `ifMatch` (the version from an ETag) makes it
   * conditional: another version → 412. Without it, a concurrent change is retried.
   */
  async changeStatus(id: string, status: OrderStatus, options: { ifMatch?: number } = {}): Promise<WriteResult> {
    const order = await this.props.database.write(async (client) => {
      for (let attempt = 0; ; attempt++) {
        const current = await selectOrder(client, id);
        if (!current) throw new OrdersError('not_found', `no order with id ${id}`);
        if (options.ifMatch !== undefined && current.version !== options.ifMatch) {
          throw new OrdersError('precondition_failed', `the order is at version ${current.version}, not ${options.ifMatch}; read it again and retry`, { currentVersion: current.version });
        }
        checkTransition(current.status, status);
        const updated = await client.query<OrderRow>(
          `UPDATE orders SET status = $2, version = version + 1, updated_at = $4 WHERE id = $1 AND version = $3 RETURNING ${COLUMNS}`,
          [id, status, current.version, new Date()],
        );
        if (updated.rowCount === 1) return toOrder(updated.rows[0]!);
        if (attempt >= 3) throw new OrdersError('precondition_failed', 'the order kept changing; read it again and retry');
      }
    });
    await this.props.cache?.put(order);
    return { order, consistencyToken: token(order) };
  }

  /**
   * Reads from the replica until `done` holds or the wait is over; `ok: false` means the
   * replica has not caught up (the caller reads from the writer).
   */
  private async readUntil<T>(query: (client: PoolClient) => Promise<T>, done: (value: T) => boolean): Promise<{ ok: true; value: T } | { ok: false }> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const value = await this.props.database.read(query);
      if (done(value)) return { ok: true, value };
      if (Date.now() >= deadline) return { ok: false };
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function selectOrder(client: PoolClient, id: string): Promise<Order | undefined> {
  const result = await client.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
  return result.rows[0] ? toOrder(result.rows[0]) : undefined;
}

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    customerId: row.customer_id,
    currency: row.currency,
    lines: row.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, price: formatCents(l.priceCents) })),
    total: formatCents(Number(row.total_cents)),
    status: row.status,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function token(order: Order): string {
  return encodeConsistencyToken({ orderId: order.id, version: order.version });
}
