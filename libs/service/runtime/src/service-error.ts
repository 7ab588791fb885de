/** Every way a data operation can fail that a caller is expected to handle. */
export type ServiceErrorCode =
  /** The input breaks the resource's schema; `details` lists each problem. */
  | 'validation_failed'
  /** The record would exceed DynamoDB's 400 KB item limit. */
  | 'item_too_large'
  /** No record has this id. */
  | 'not_found'
  /** The record's version is not the one the caller expected (HTTP If-Match). */
  | 'precondition_failed'
  /** The record kept changing under a read-modify-write; the caller may retry. */
  | 'conflict'
  /** An idempotency key was reused with a different request body. */
  | 'idempotency_key_reused'
  /** The list cursor is not one this service issued. */
  | 'invalid_cursor'
  /** DynamoDB throttled the request or is briefly unavailable; retry after `retryAfterSeconds`. */
  | 'throttled'
  /** DynamoDB answered with a server error; retry after `retryAfterSeconds`. */
  | 'unavailable'
  /** DynamoDB did not answer in time, or the request ran out of its time budget. */
  | 'timeout';

/** The HTTP status each {@link ServiceErrorCode} is answered with. */
export const SERVICE_ERROR_STATUS: Readonly<Record<ServiceErrorCode, number>> = Object.freeze({
  validation_failed: 400,
  invalid_cursor: 400,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  item_too_large: 413,
  idempotency_key_reused: 422,
  throttled: 503,
  unavailable: 503,
  timeout: 503,
});

/** One problem in an input, located by its path (`tags[3]`, `attributes.colour`). */
export interface ServiceErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** What a {@link ServiceError} carries besides its code and message. */
export interface ServiceErrorExtra {
  readonly details?: readonly ServiceErrorDetail[];
  /** The record's current version, when known (a 412 answers it as the ETag). */
  readonly currentVersion?: number;
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/**
 * A failure the service runtime maps to a client-facing status
 * ({@link SERVICE_ERROR_STATUS}). Its message is safe to show to a client: it never
 * carries stored contents or internal detail. Anything else thrown while serving a
 * request is a bug or an infrastructure fault, answered 500.
 */
export class ServiceError<C extends ServiceErrorCode = ServiceErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly extra: ServiceErrorExtra = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ServiceError';
  }
}
