import { RelationalDatabase, type RelationalDatabaseProps, type RelationalFailures } from '@platform/service-runtime/relational';
import { OrdersError } from './orders-error';

export type { DatabaseEndpoint, WriteRouting } from '@platform/service-runtime/relational';

/** Props of {@link OrdersDatabase}: the runtime's, but for the name and errors, which are the orders service's. */
export type OrdersDatabaseProps = Omit<RelationalDatabaseProps, 'applicationName' | 'failures'>;

// The orders API's contract tells the two sides apart: a primary that is gone
// (`primary_unavailable`: reads keep working) from a region that cannot read at all.
const ORDERS_FAILURES: RelationalFailures = {
  writerUnavailable: (cause?: unknown) =>
    new OrdersError('primary_unavailable', "the primary region's database cannot be reached; writes are refused until it is back or another region is promoted (reads keep working)", {
      retryAfterSeconds: 1,
      cause,
    }),
  readerUnavailable: (cause: unknown) => new OrdersError('database_unavailable', "this region's database cannot be reached; retry, or another region", { retryAfterSeconds: 2, cause }),
  timeout: (cause: unknown) => new OrdersError('timeout', 'the database did not answer in time; retry', { retryAfterSeconds: 1, cause }),
};

/**
 * The orders service's writer and reader pools: the runtime's {@link RelationalDatabase}
 * (lazy pools, a writer back-off, broken clients discarded) whose failures are
 * {@link OrdersError}s: the writer unreachable → `primary_unavailable`, the reader →
 * `database_unavailable`, a statement timeout → `timeout`, all 503s with Retry-After.
 * Connections per pool default to 4.
 */
export class OrdersDatabase extends RelationalDatabase {
  constructor(props: OrdersDatabaseProps) {
    super({ ...props, poolSize: props.poolSize ?? 4, applicationName: 'orders-api', failures: ORDERS_FAILURES });
  }
}
