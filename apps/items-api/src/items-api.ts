import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ItemsError, parseItemFields, parseItemPatch, type Item, type ItemsRepository } from '@items/data-access';
import type { CachePolicy } from './cache-policy';
import type { PathInvalidator } from './cloudfront-invalidator';
import { HttpError } from './http-error';
import { readIdempotencyKey, readIfMatch, readItemId, readJsonObject, readListQuery } from './request-input';
import { REQUEST_ID_HEADER, type RequestIds, RequestLogSampler, requestIds } from './request-log';
import { Router, type RouteMatch } from './router';

/** Props of {@link ItemsApi}. */
export interface ItemsApiProps {
  readonly repository: ItemsRepository;
  /** The region this function runs in; logged and reported by /health. */
  readonly region: string;
  readonly cachePolicy: CachePolicy;
  /** Required when the cache policy invalidates on write. @default - none */
  readonly invalidator?: PathInvalidator;
  /** Structured logger (Powertools); one line per logged request, never with bodies. */
  readonly logger: Logger;
  /** Which requests get a log line (errors and slow requests always do). @default - every request */
  readonly requestLog?: RequestLogSampler;
  /** How long /health waits for the table. Route53 wants an answer within 2 s. @default 1000 */
  readonly healthTimeoutMs?: number;
  /** CloudWatch namespace of the metrics written as embedded metric format. @default "Platform" */
  readonly metricsNamespace?: string;
}

type Result = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string | number | boolean> };
/** A response plus, when it reports a failure, the error behind it (for the log line only). */
interface Outcome {
  readonly response: Result;
  readonly failure?: unknown;
}

/** Time kept back from the Lambda deadline to answer 503 instead of timing out. */
const DEADLINE_MARGIN_MS = 1000;
/** Budget of a request when the context has no deadline (local adapter, tests). */
const DEFAULT_BUDGET_MS = 8000;

const STATUS_OF: Readonly<Record<ItemsError['code'], number>> = {
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
};

/**
 * The items service's HTTP API behind API Gateway (HTTP API, payload format 2.0,
 * every request through `$default`): routing, input checks, optimistic concurrency
 * over HTTP (ETag / If-Match), idempotent POST, the deep /health check, edge-cache
 * headers and invalidation, and one structured log line per request.
 *
 * Every input is checked before anything is written, so a bad request writes nothing.
 */
export class ItemsApi {
  private readonly router = new Router();
  private readonly healthTimeoutMs: number;
  private readonly requestLog: RequestLogSampler;
  private failedInvalidations = 0;

  constructor(private readonly props: ItemsApiProps) {
    if (props.cachePolicy.invalidatesOnWrite && !props.invalidator) {
      throw new Error('ItemsApi: the cache policy is "invalidate" but no invalidator was given; pass a CloudFrontInvalidator (DISTRIBUTION_ID)');
    }
    this.healthTimeoutMs = props.healthTimeoutMs ?? 1000;
    this.requestLog = props.requestLog ?? new RequestLogSampler({ sampleRate: 1 });
  }

  /** Invalidations that failed since this instance started (each is also logged and counted as a metric). */
  get invalidationFailures(): number {
    return this.failedInvalidations;
  }

  /** The Lambda handler body. Never throws: every failure becomes a JSON error response. */
  async handle(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
    const started = performance.now();
    const ids = requestIds(event.headers, context.awsRequestId);
    const method = event.requestContext?.http?.method ?? 'GET';
    let route = 'unmatched';
    let outcome: Outcome;
    // A plain timer cleared at the end rather than AbortSignal.timeout(), whose timer
    // lives on for the whole budget after the request is done.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(Object.assign(new Error('the request ran out of its time budget'), { name: 'TimeoutError' })), requestBudgetMs(context));
    try {
      const match = this.router.match(method, event.rawPath);
      route = match.template;
      outcome = await this.dispatch(match, event, context, deadline.signal);
    } catch (err) {
      outcome = { response: this.errorResponse(err, context), failure: err };
    } finally {
      clearTimeout(timer);
    }
    outcome.response.headers[REQUEST_ID_HEADER] = ids.requestId;
    this.logRequest({ route, method, latencyMs: performance.now() - started, event, context, ids, ...outcome });
    return outcome.response;
  }

  private async dispatch(match: RouteMatch, event: APIGatewayProxyEventV2, context: Context, abortSignal: AbortSignal): Promise<Outcome> {
    const repo = this.props.repository;
    const call = { abortSignal };
    switch (match.name) {
      case 'health':
        return this.health();
      case 'listItems': {
        const query = readListQuery(event);
        const page = await repo.list(query, call);
        const body = page.nextCursor ? { items: page.items, nextCursor: page.nextCursor } : { items: page.items };
        return { response: this.json(200, body, { 'cache-control': this.props.cachePolicy.forRead() }) };
      }
      case 'getItem': {
        const id = readItemId(match.id);
        const item = await repo.get(id, call);
        if (!item) throw new ItemsError('not_found', `no item with id ${id}`);
        return { response: this.itemResponse(200, item, { 'cache-control': this.props.cachePolicy.forRead() }) };
      }
      case 'createItem': {
        const idempotencyKey = readIdempotencyKey(event);
        const fields = parseItemFields(readJsonObject(event));
        const { item, replayed } = await repo.create(fields, { ...call, idempotencyKey });
        if (!replayed) await this.invalidate(item.id, context);
        return { response: this.itemResponse(201, item, { location: `/items/${item.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) }) };
      }
      case 'replaceItem': {
        const id = readItemId(match.id);
        const precondition = readIfMatch(event);
        const fields = parseItemFields(readJsonObject(event));
        const item = await repo.replace(id, fields, precondition, call);
        await this.invalidate(id, context);
        return { response: this.itemResponse(200, item) };
      }
      case 'patchItem': {
        const id = readItemId(match.id);
        const precondition = readIfMatch(event);
        const patch = parseItemPatch(readJsonObject(event));
        const item = await repo.patch(id, patch, precondition, call);
        await this.invalidate(id, context);
        return { response: this.itemResponse(200, item) };
      }
      case 'deleteItem': {
        const id = readItemId(match.id);
        const precondition = readIfMatch(event);
        await repo.delete(id, precondition, call);
        await this.invalidate(id, context);
        return { response: { statusCode: 204, headers: { 'cache-control': this.props.cachePolicy.forUncacheable() } } };
      }
    }
  }

  private async health(): Promise<Outcome> {
    const started = performance.now();
    const region = this.props.region;
    try {
      await this.props.repository.ping({ abortSignal: AbortSignal.timeout(this.healthTimeoutMs) });
      return { response: this.json(200, { status: 'ok', region, latencyMs: round(performance.now() - started) }) };
    } catch (err) {
      const latencyMs = round(performance.now() - started);
      const timedOut = err instanceof ItemsError && err.code === 'timeout';
      const message = timedOut
        ? `the service table in ${region} did not answer within ${this.healthTimeoutMs} ms`
        : `the service table in ${region} could not be read`;
      return { response: this.json(503, { error: { code: 'unhealthy', message }, status: 'unhealthy', region, latencyMs }, { 'retry-after': '5' }), failure: err };
    }
  }

  private async invalidate(id: string, context: Context): Promise<void> {
    const invalidator = this.props.invalidator;
    if (!this.props.cachePolicy.invalidatesOnWrite || !invalidator) return;
    // Query-string variants (`/items?limit=5`) are cached separately, but invalidating
    // a path drops every variant of it, so `/items` covers them all.
    const paths = [`/items/${id}`, '/items'];
    try {
      await invalidator.invalidate(paths, `${context.awsRequestId}:${id}`);
    } catch (err) {
      // The write stands: a stale edge copy expires with its TTL, an undone write would be lost data.
      this.failedInvalidations++;
      const metric = 'EdgeInvalidationFailures';
      this.props.logger.warn('edge cache invalidation failed; the write succeeded and cached copies expire after the TTL', {
        paths,
        errorName: (err as Error)?.name ?? 'Error',
        region: this.props.region,
        [metric]: 1,
        // CloudWatch embedded metric format: this log line also counts as a metric.
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [{ Namespace: this.props.metricsNamespace ?? 'Platform', Dimensions: [['service', 'region']], Metrics: [{ Name: metric, Unit: 'Count' }] }],
        },
      });
    }
  }

  private itemResponse(status: number, item: Item, headers: Record<string, string> = {}): Result {
    return this.json(status, item, { etag: `"${item.version}"`, ...headers });
  }

  private json(status: number, body: unknown, headers: Record<string, string> = {}): Result {
    return {
      statusCode: status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': this.props.cachePolicy.forUncacheable(),
        'x-content-type-options': 'nosniff',
        ...headers,
      },
      body: JSON.stringify(body),
    };
  }

  private errorResponse(err: unknown, context: Context): Result {
    if (err instanceof HttpError) return this.json(err.statusCode, { error: { code: err.code, message: err.message } }, { ...err.headers });
    if (err instanceof ItemsError) {
      const headers: Record<string, string> = {};
      if (err.extra.retryAfterSeconds !== undefined && STATUS_OF[err.code] >= 409) headers['retry-after'] = String(Math.max(1, err.extra.retryAfterSeconds));
      if (err.code === 'precondition_failed' && err.extra.currentVersion !== undefined) headers.etag = `"${err.extra.currentVersion}"`;
      const error: Record<string, unknown> = { code: err.code, message: err.message };
      if (err.extra.details) error.details = err.extra.details;
      return this.json(STATUS_OF[err.code], { error }, headers);
    }
    return this.json(500, {
      error: { code: 'internal_error', message: `an unexpected error occurred; retry later, and quote request id ${context.awsRequestId} if it persists` },
    });
  }

  private logRequest(entry: {
    route: string;
    method: string;
    latencyMs: number;
    event: APIGatewayProxyEventV2;
    context: Context;
    ids: RequestIds;
    response: Result;
    failure?: unknown;
  }): void {
    const { failure } = entry;
    const status = entry.response.statusCode ?? 500;
    const reason = this.requestLog.reason(status, entry.latencyMs);
    if (!reason) return;
    // Only metadata: never a body or a query string (a cursor is opaque but client-supplied).
    // The ids let one request be followed: CloudFront logs edgeRequestId, the API's
    // access log apiRequestId, and a caller's x-request-id comes back as requestId.
    const line: Record<string, unknown> = {
      region: this.props.region,
      requestId: entry.ids.requestId,
      lambdaRequestId: entry.context.awsRequestId,
      apiRequestId: entry.event.requestContext?.requestId,
      ...(entry.ids.edgeRequestId ? { edgeRequestId: entry.ids.edgeRequestId } : {}),
      method: entry.method,
      route: entry.route,
      status,
      latencyMs: round(entry.latencyMs),
      logReason: reason,
    };
    if (failure instanceof HttpError || failure instanceof ItemsError) line.errorCode = failure.code;
    if (status >= 500) {
      const cause = failure instanceof ItemsError ? failure.cause : failure;
      line.errorName = (cause as Error)?.name;
      // A 500 is a bug or an unknown fault: keep the stack for whoever investigates.
      if (status === 500) this.props.logger.error('request failed', { ...line, error: cause as Error });
      else this.props.logger.warn('request failed', line);
      return;
    }
    this.props.logger.info('request', line);
  }
}

function requestBudgetMs(context: Context): number {
  const remaining = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS : DEFAULT_BUDGET_MS;
  return Math.max(100, remaining);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
