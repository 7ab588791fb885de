import type { ServiceErrorCode, ServiceErrorDetail, ServiceErrorExtra } from '@platform/service-runtime';
import { ServiceError } from '@platform/service-runtime';

/** Every way an items operation can fail that a caller is expected to handle: the service runtime's codes. */
export type ItemsErrorCode = ServiceErrorCode;

/** One problem in an input, located by its path (`tags[3]`, `attributes.colour`). */
export type ItemsErrorDetail = ServiceErrorDetail;

/**
 * A failure the API maps to a client-facing status. Its message is safe to show to
 * a client: it never carries item contents or internal detail. Anything else thrown
 * by the repository is a bug or an infrastructure fault. A {@link ServiceError}, so
 * the service runtime answers it (status, Retry-After, the ETag of a 412).
 */
export class ItemsError extends ServiceError<ItemsErrorCode> {
  constructor(code: ItemsErrorCode, message: string, extra: ServiceErrorExtra = {}) {
    super(code, message, extra);
    this.name = 'ItemsError';
  }

  /** The runtime's {@link ServiceError} as an ItemsError (same code, message and extra); anything else unchanged. */
  static from(err: unknown): unknown {
    if (err instanceof ItemsError || !(err instanceof ServiceError)) return err;
    return new ItemsError(err.code, err.message, err.extra);
  }
}
