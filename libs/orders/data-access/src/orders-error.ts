/** Every way an orders operation can fail that a caller is expected to handle. */
export type OrdersErrorCode =
  /** The input breaks the order schema; `details` lists each problem. */
  | 'validation_failed'
  /** No order has this id. */
  | 'not_found'
  /** The caller may not act for this customer (auth on, customer id not the caller's). */
  | 'forbidden'
  /** The status change is not one the order's life allows (pending → paid → shipped, pending → cancelled). */
  | 'illegal_transition'
  /** The order's version is not the one the caller expected (HTTP If-Match). */
  | 'precondition_failed'
  /** An idempotency key was reused with a different request. */
  | 'idempotency_key_reused'
  /** The list cursor or consistency token is not one this service issued. */
  | 'invalid_cursor'
  | 'invalid_consistency_token'
  /** The primary region's writer cannot be reached: writes fail fast, reads keep working. */
  | 'primary_unavailable'
  /** This region's database (reader) cannot be reached. */
  | 'database_unavailable'
  /** The database did not answer in time. */
  | 'timeout';

/** One problem in an input, located by its path (`lines[3].quantity`). */
export interface OrdersErrorDetail {
  readonly path: string;
  readonly message: string;
}

/**
 * A failure the API maps to a client-facing status. Its message is safe to show to a
 * client: never an order's contents or internal detail (the cause is for the log).
 */
export class OrdersError extends Error {
  constructor(
    readonly code: OrdersErrorCode,
    message: string,
    readonly extra: {
      readonly details?: readonly OrdersErrorDetail[];
      /** The order's current version, when known (412 responses carry it as the ETag). */
      readonly currentVersion?: number;
      readonly retryAfterSeconds?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'OrdersError';
  }
}
