import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  decodeConsistencyToken,
  isCustomerId,
  isOrderId,
  ORDER_LIMITS,
  OrdersError,
  parseNewOrder,
  parseStatusChange,
  type ConsistencyToken,
  type OrderCache,
  type OrdersDatabase,
  type OrdersRepository,
  type Order,
} from '@orders/data-access';
import {
  etagOf,
  header,
  HttpError,
  jsonResponse,
  readIdempotencyKey,
  readIfMatch,
  readJsonObject,
  readListQuery,
  Router,
  ServiceHandler,
  type JsonResult,
  type Outcome,
  type ServiceRequest,
  type StructuredLogger,
} from '@platform/service-runtime';

type RouteName = 'health' | 'createOrder' | 'getOrder' | 'changeStatus' | 'listOrders';

const router = new Router<RouteName>([
  { template: '/health', methods: { GET: 'health' } },
  { template: '/orders', methods: { POST: 'createOrder' } },
  { template: '/orders/{id}', methods: { GET: 'getOrder', PATCH: 'changeStatus' } },
  { template: '/customers/{id}/orders', methods: { GET: 'listOrders' } },
]);

/** The HTTP status of each orders failure. */
export const ORDERS_ERROR_STATUS: Readonly<Record<OrdersError['code'], number>> = {
  validation_failed: 400,
  invalid_cursor: 400,
  invalid_consistency_token: 400,
  forbidden: 403,
  not_found: 404,
  illegal_transition: 409,
  precondition_failed: 412,
  idempotency_key_reused: 422,
  primary_unavailable: 503,
  database_unavailable: 503,
  timeout: 503,
};

/** Response header carrying the token of a write; send it back on reads to read your own writes in any region. */
export const CONSISTENCY_TOKEN_HEADER = 'consistency-token';

/** Props of {@link OrdersApi}. */
export interface OrdersApiProps {
  readonly repository: OrdersRepository;
  readonly database: OrdersDatabase;
  readonly cache?: OrderCache;
  readonly region: string;
  readonly logger: StructuredLogger;
}

/**
 * The orders service's HTTP API (API Gateway HTTP API, payload 2.0) on the service
 * runtime: create, get, list by customer, change status. Every input is checked before
 * anything is written; every failure is a JSON error with a code; a database outage a
 * 503 with Retry-After (`primary_unavailable` for writes, `database_unavailable` for
 * reads), never a 500 with a stack. A cache outage is no outage: reads go to the database.
 */
export class OrdersApi {
  private readonly handler: ServiceHandler<RouteName>;

  constructor(private readonly props: OrdersApiProps) {
    this.handler = new ServiceHandler({ router, region: props.region, logger: props.logger, dispatch: (request) => this.dispatch(request) });
  }

  /** The Lambda handler body. Never throws. */
  handle(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
    return this.handler.handle(event, context);
  }

  private async dispatch(request: ServiceRequest<RouteName>): Promise<Outcome> {
    try {
      return { response: await this.operation(request) };
    } catch (err) {
      if (!(err instanceof OrdersError)) throw err;
      // The runtime's error shape, with the orders codes (and the validation details).
      const status = ORDERS_ERROR_STATUS[err.code];
      const headers: Record<string, string> = {};
      if (status === 503) headers['retry-after'] = String(Math.max(1, err.extra.retryAfterSeconds ?? 1));
      if (err.code === 'precondition_failed' && err.extra.currentVersion !== undefined) headers.etag = etagOf(err.extra.currentVersion);
      const error = { code: err.code, message: err.message, ...(err.extra.details ? { details: err.extra.details } : {}) };
      // Logged as an HttpError: the log line carries the code; the cause's name for a 503.
      const failure = Object.assign(new HttpError(status, err.code, err.message), { name: (err.cause as Error)?.name ?? 'OrdersError' });
      return { response: jsonResponse(status, { error }, headers), failure };
    }
  }

  private async operation({ match, event }: ServiceRequest<RouteName>): Promise<JsonResult> {
    const repo = this.props.repository;
    const caller = callerSubject(event);
    switch (match.name) {
      case 'health':
        return this.health();
      case 'createOrder': {
        const idempotencyKey = readIdempotencyKey(event);
        const input = parseNewOrder(readJsonObject(event, 'the order'));
        assertCaller(caller, input.customerId);
        const result = await repo.create(input, { idempotencyKey });
        return orderResponse(201, result.order, {
          location: `/orders/${result.order.id}`,
          [CONSISTENCY_TOKEN_HEADER]: result.consistencyToken,
          ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}),
        });
      }
      case 'getOrder': {
        const id = readOrderId(match.id);
        const { order, source } = await repo.get(id, { after: readConsistencyToken(event) });
        if (!order || (caller !== undefined && order.customerId !== caller)) throw new OrdersError('not_found', `no order with id ${id}`);
        return orderResponse(200, order, { 'x-order-source': source });
      }
      case 'changeStatus': {
        const id = readOrderId(match.id);
        const precondition = readIfMatch(event).ifMatch;
        if (Array.isArray(precondition) && precondition.length > 1) throw new HttpError(400, 'invalid_if_match', 'If-Match takes one ETag of the order, e.g. If-Match: "3"');
        const ifMatch = Array.isArray(precondition) ? precondition[0] : undefined;
        const status = parseStatusChange(readJsonObject(event, 'the status change'));
        if (caller !== undefined) {
          const { order } = await repo.get(id);
          if (!order || order.customerId !== caller) throw new OrdersError('not_found', `no order with id ${id}`);
        }
        const result = await repo.changeStatus(id, status, { ifMatch });
        return orderResponse(200, result.order, { [CONSISTENCY_TOKEN_HEADER]: result.consistencyToken });
      }
      case 'listOrders': {
        const customerId = match.id ?? '';
        if (!isCustomerId(customerId)) throw new HttpError(400, 'invalid_customer_id', 'the customer id in the path must be 1-64 characters A-Z, a-z, 0-9, "_" or "-"');
        assertCaller(caller, customerId);
        const { limit, cursor } = readListQuery(event, { min: 1, max: ORDER_LIMITS.listMax, default: ORDER_LIMITS.listDefault });
        const page = await repo.listByCustomer(customerId, { limit, cursor, after: readConsistencyToken(event) });
        return jsonResponse(200, page.nextCursor ? { orders: page.orders, nextCursor: page.nextCursor } : { orders: page.orders }, { 'x-order-source': page.source });
      }
    }
  }

  /**
   * Healthy when this region can serve reads: its database reader answers. The primary
   * is not checked, so that a region whose primary is elsewhere and down stays in DNS
   * and keeps serving reads. The cache is reported, not required.
   */
  private async health(): Promise<JsonResult> {
    const region = this.props.region;
    const cache = this.props.cache ? ((await this.props.cache.ping()) ? 'ok' : 'unavailable') : 'off';
    try {
      await this.props.database.ping();
      return jsonResponse(200, { status: 'ok', region, database: 'ok', cache });
    } catch (err) {
      const code = err instanceof OrdersError ? err.code : 'database_unavailable';
      return jsonResponse(503, { status: 'unhealthy', region, database: code, cache, error: { code: 'unhealthy', message: `the database reader in ${region} does not answer` } }, { 'retry-after': '5' });
    }
  }
}

/** Orders are private to a customer: never kept by CloudFront or a shared cache. */
function orderResponse(status: number, order: Order, headers: Record<string, string>): JsonResult {
  return jsonResponse(status, order, { etag: etagOf(order.version), 'cache-control': 'private, no-store', ...headers });
}

/** The caller's identity when API Gateway's JWT authorizer is on (`sub`); undefined when auth is off. */
function callerSubject(event: APIGatewayProxyEventV2): string | undefined {
  const context = event.requestContext as (APIGatewayProxyEventV2['requestContext'] & { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }) | undefined;
  const sub = context?.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' ? sub : undefined;
}

function readOrderId(raw: string | undefined): string {
  if (raw === undefined || !isOrderId(raw)) throw new HttpError(400, 'invalid_id', 'the order id in the path is malformed: ids are the UUIDs this API returns in "id"');
  return raw;
}

function readConsistencyToken(event: APIGatewayProxyEventV2): ConsistencyToken | undefined {
  const raw = header(event, CONSISTENCY_TOKEN_HEADER);
  return raw === undefined ? undefined : decodeConsistencyToken(raw.trim());
}

function assertCaller(caller: string | undefined, customerId: string): void {
  if (caller !== undefined && caller !== customerId) {
    throw new OrdersError('forbidden', 'the customer id is not yours: with authentication on, you can only act on your own orders');
  }
}
