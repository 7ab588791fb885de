import type { Logger } from '@aws-lambda-powertools/logger';
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
import { callerSubject, header, HttpError, json, matchRoute, readIdempotencyKey, readIfMatch, readJsonObject, type Response, type Route } from './http';

type RouteName = 'health' | 'createOrder' | 'getOrder' | 'changeStatus' | 'listOrders';

const ROUTES: readonly Route<RouteName>[] = [
  { name: 'health', method: 'GET', template: '/health', pattern: /^\/health$/ },
  { name: 'createOrder', method: 'POST', template: '/orders', pattern: /^\/orders$/ },
  { name: 'getOrder', method: 'GET', template: '/orders/{id}', pattern: /^\/orders\/([^/]+)$/ },
  { name: 'changeStatus', method: 'PATCH', template: '/orders/{id}', pattern: /^\/orders\/([^/]+)$/ },
  { name: 'listOrders', method: 'GET', template: '/customers/{customerId}/orders', pattern: /^\/customers\/([^/]+)\/orders$/ },
];

const STATUS_OF: Readonly<Record<OrdersError['code'], number>> = {
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
  readonly logger: Logger;
}

/**
 * The orders service's HTTP API (API Gateway HTTP API, payload 2.0): create, get, list
 * by customer, change status. Every input is checked before anything is written; every
 * failure is a JSON error with a code, a database or cache outage a 503 with
 * Retry-After, never a 500 with a stack.
 */
export class OrdersApi {
  constructor(private readonly props: OrdersApiProps) {}

  /** The Lambda handler body. Never throws. */
  async handle(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
    const started = performance.now();
    const method = event.requestContext?.http?.method ?? 'GET';
    let route = 'unmatched';
    let response: Response;
    let failure: unknown;
    try {
      const match = matchRoute(ROUTES, method, event.rawPath);
      route = `${method} ${match.route.template}`;
      response = await this.dispatch(match.route.name, match.params, event);
    } catch (err) {
      failure = err;
      response = this.errorResponse(err, context);
    }
    const line = { region: this.props.region, requestId: context.awsRequestId, method, route, status: response.statusCode, latencyMs: Math.round(performance.now() - started) };
    if (response.statusCode === 500) this.props.logger.error('request failed', { ...line, error: failure as Error });
    else if ((response.statusCode ?? 0) >= 500) this.props.logger.warn('request failed', { ...line, errorCode: (failure as OrdersError)?.code, errorName: ((failure as OrdersError)?.cause as Error)?.name });
    else this.props.logger.info('request', line);
    return response;
  }

  private async dispatch(name: RouteName, params: string[], event: APIGatewayProxyEventV2): Promise<Response> {
    const repo = this.props.repository;
    const caller = callerSubject(event);
    switch (name) {
      case 'health':
        return this.health();
      case 'createOrder': {
        const idempotencyKey = readIdempotencyKey(event);
        const input = parseNewOrder(readJsonObject(event));
        assertCaller(caller, input.customerId);
        const result = await repo.create(input, { idempotencyKey });
        return this.orderResponse(201, result.order, {
          location: `/orders/${result.order.id}`,
          [CONSISTENCY_TOKEN_HEADER]: result.consistencyToken,
          ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}),
        });
      }
      case 'getOrder': {
        const id = readOrderId(params[0]);
        const { order, source } = await repo.get(id, { after: readConsistencyToken(event) });
        if (!order || (caller !== undefined && order.customerId !== caller)) throw new OrdersError('not_found', `no order with id ${id}`);
        return this.orderResponse(200, order, { 'x-order-source': source });
      }
      case 'changeStatus': {
        const id = readOrderId(params[0]);
        const ifMatch = readIfMatch(event);
        const status = parseStatusChange(readJsonObject(event));
        if (caller !== undefined) {
          const { order } = await repo.get(id);
          if (!order || order.customerId !== caller) throw new OrdersError('not_found', `no order with id ${id}`);
        }
        const result = await repo.changeStatus(id, status, { ifMatch });
        return this.orderResponse(200, result.order, { [CONSISTENCY_TOKEN_HEADER]: result.consistencyToken });
      }
      case 'listOrders': {
        const customerId = decodeURIComponent(params[0] ?? '');
        if (!isCustomerId(customerId)) throw new HttpError(400, 'invalid_customer_id', 'the customer id in the path must be 1-64 characters A-Z, a-z, 0-9, "_" or "-"');
        assertCaller(caller, customerId);
        const query = event.queryStringParameters ?? {};
        const limit = query.limit === undefined ? undefined : /^[0-9]{1,3}$/.test(query.limit) ? Number(query.limit) : NaN;
        if (limit !== undefined && !(limit >= 1 && limit <= ORDER_LIMITS.listMax)) {
          throw new HttpError(400, 'invalid_limit', `limit must be an integer 1-${ORDER_LIMITS.listMax}, got "${String(query.limit).slice(0, 20)}"`);
        }
        const page = await repo.listByCustomer(customerId, { limit, cursor: query.cursor, after: readConsistencyToken(event) });
        return json(200, page.nextCursor ? { orders: page.orders, nextCursor: page.nextCursor } : { orders: page.orders }, { 'x-order-source': page.source });
      }
    }
  }

  /**
   * Healthy when this region can serve reads: its database reader answers. The primary
   * is not checked, so that a region whose primary is elsewhere and down stays in DNS
   * and keeps serving reads. The cache is reported, not required.
   */
  private async health(): Promise<Response> {
    const region = this.props.region;
    const cache = this.props.cache ? ((await this.props.cache.ping()) ? 'ok' : 'unavailable') : 'off';
    try {
      await this.props.database.ping();
      return json(200, { status: 'ok', region, database: 'ok', cache });
    } catch (err) {
      const code = err instanceof OrdersError ? err.code : 'database_unavailable';
      return json(503, { status: 'unhealthy', region, database: code, cache, error: { code: 'unhealthy', message: `the database reader in ${region} does not answer` } }, { 'retry-after': '5' });
    }
  }

  private orderResponse(status: number, order: Order, headers: Record<string, string>): Response {
    return json(status, order, { etag: `"${order.version}"`, ...headers });
  }

  private errorResponse(err: unknown, context: Context): Response {
    if (err instanceof HttpError) return json(err.statusCode, { error: { code: err.code, message: err.message } }, { ...err.headers });
    if (err instanceof OrdersError) {
      const status = STATUS_OF[err.code];
      const headers: Record<string, string> = {};
      if (status === 503) headers['retry-after'] = String(err.extra.retryAfterSeconds ?? 1);
      if (err.code === 'precondition_failed' && err.extra.currentVersion !== undefined) headers.etag = `"${err.extra.currentVersion}"`;
      return json(status, { error: { code: err.code, message: err.message, ...(err.extra.details ? { details: err.extra.details } : {}) } }, headers);
    }
    return json(500, { error: { code: 'internal_error', message: `an unexpected error occurred; retry later, and quote request id ${context.awsRequestId} if it persists` } });
  }
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
