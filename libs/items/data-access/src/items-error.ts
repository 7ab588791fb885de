/** Every way an items operation can fail that a caller is expected to handle. */
export type ItemsErrorCode =
  /** The input breaks the item schema; `details` lists each problem. */
  | 'validation_failed'
  /** The item would exceed DynamoDB's 400 KB item limit. */
  | 'item_too_large'
  /** No item has this id. */
  | 'not_found'
  /** The item's version is not the one the caller expected (HTTP If-Match). */
  | 'precondition_failed'
  /** The item kept changing under a read-modify-write; the caller may retry. */
  | 'conflict'
  /** An idempotency key was reused with a different request body. */
  | 'idempotency_key_reused'
  /** The list cursor is not one this service issued. */
  | 'invalid_cursor'
  /** DynamoDB throttled the request or is briefly unavailable; retry after `retryAfterSeconds`. */
  | 'throttled'
  /** DynamoDB answered with a server error; retry after `retryAfterSeconds`. */
  | 'unavailable'
  /** DynamoDB did not answer in time. */
  | 'timeout';

/** One problem in an input, located by its path (`tags[3]`, `attributes.colour`). */
export interface ItemsErrorDetail {
  readonly path: string;
  readonly message: string;
}

/**
 * A failure the API maps to a client-facing status. Its message is safe to show to
 * a client: it never carries item contents or internal detail. Anything else thrown
 * by the repository is a bug or an infrastructure fault.
 */
export class ItemsError extends Error {
  constructor(
    readonly code: ItemsErrorCode,
    message: string,
    readonly extra: {
      readonly details?: readonly ItemsErrorDetail[];
      /** The item's current version, when known (for 412 responses). */
      readonly currentVersion?: number;
      readonly retryAfterSeconds?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ItemsError';
  }
}
