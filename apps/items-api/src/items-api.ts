import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { isItemId, ItemsError, LIST_LIMITS, parseItemFields, parseItemPatch, type Item, type ItemsRepository } from '@items/data-access';
import {
  etagOf,
  healthCheck,
  jsonResponse,
  metricLogFields,
  readIdempotencyKey,
  readIfMatch,
  readJsonObject,
  readListQuery,
  readPathId,
  RequestLogSampler,
  ServiceHandler,
  type JsonResult,
  type Outcome,
  type ServiceRequest,
} from '@platform/service-runtime';
import type { CachePolicy } from './cache-policy';
import { callerSubject } from './caller-identity';
import type { PathInvalidator } from './cloudfront-invalidator';
import { ITEMS_ROUTER, type RouteName } from './items-routes';

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
  /** Which requests get an info line (errors and slow requests always do). @default - every request */
  readonly requestLog?: RequestLogSampler;
  /** How long /health waits for the table. Route53 wants an answer within 2 s. @default 1000 */
  readonly healthTimeoutMs?: number;
  /** CloudWatch namespace of the metrics written as embedded metric format. @default "Platform" */
  readonly metricsNamespace?: string;
}

/**
 * The items service's HTTP API behind API Gateway (HTTP API, payload format 2.0,
 * every request through `$default`): routing, input checks, optimistic concurrency
 * over HTTP (ETag / If-Match), idempotent POST, the deep /health check, edge-cache
 * headers and invalidation, and one structured log line per request.
 *
 * Every input is checked before anything is written, so a bad request writes nothing.
 */
export class ItemsApi {
  private readonly handler: ServiceHandler<RouteName>;
  private failedInvalidations = 0;

  constructor(private readonly props: ItemsApiProps) {
    if (props.cachePolicy.invalidatesOnWrite && !props.invalidator) {
      throw new Error('ItemsApi: the cache policy is "invalidate" but no invalidator was given; pass a CloudFrontInvalidator (DISTRIBUTION_ID)');
    }
    this.handler = new ServiceHandler({
      router: ITEMS_ROUTER,
      dispatch: (request) => this.dispatch(request),
      region: props.region,
      logger: props.logger,
      requestLog: props.requestLog,
    });
  }

  /** Invalidations that failed since this instance started (each is also logged and counted as a metric). */
  get invalidationFailures(): number {
    return this.failedInvalidations;
  }

  /** The Lambda handler body. Never throws: every failure becomes a JSON error response. */
  handle(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
    return this.handler.handle(event, context);
  }

  private async dispatch({ match, event, context, abortSignal }: ServiceRequest<RouteName>): Promise<Outcome> {
    const repo = this.props.repository;
    // Writes stop at the deadline; reads are left to the handler's deadline (no abort listeners).
    const call = { abortSignal, actor: callerSubject(event) };
    switch (match.name) {
      case 'health':
        return this.health();
      case 'listItems': {
        const query = readListQuery(event, LIST_LIMITS);
        const page = await repo.list(query);
        const body = page.nextCursor ? { items: page.items, nextCursor: page.nextCursor } : { items: page.items };
        return { response: this.json(200, body, { 'cache-control': this.props.cachePolicy.forRead() }) };
      }
      case 'getItem': {
        const id = readPathId(match.id, isItemId);
        const item = await repo.get(id);
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
        const id = readPathId(match.id, isItemId);
        const precondition = readIfMatch(event);
        const fields = parseItemFields(readJsonObject(event));
        const item = await repo.replace(id, fields, precondition, call);
        await this.invalidate(id, context);
        return { response: this.itemResponse(200, item) };
      }
      case 'patchItem': {
        const id = readPathId(match.id, isItemId);
        const precondition = readIfMatch(event);
        const patch = parseItemPatch(readJsonObject(event));
        const item = await repo.patch(id, patch, precondition, call);
        await this.invalidate(id, context);
        return { response: this.itemResponse(200, item) };
      }
      case 'deleteItem': {
        const id = readPathId(match.id, isItemId);
        const precondition = readIfMatch(event);
        await repo.delete(id, precondition, call);
        await this.invalidate(id, context);
        return { response: { statusCode: 204, headers: { 'cache-control': this.props.cachePolicy.forUncacheable() } } };
      }
    }
  }

  private health(): Promise<Outcome> {
    const repository = this.props.repository;
    return healthCheck({ region: this.props.region, timeoutMs: this.props.healthTimeoutMs, ping: (options) => repository.ping(options) });
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
        // CloudWatch embedded metric format: this log line also counts as a metric.
        ...metricLogFields(metric, this.props.metricsNamespace ?? 'Platform'),
      });
    }
  }

  private itemResponse(status: number, item: Item, headers: Record<string, string> = {}): JsonResult {
    return this.json(status, item, { etag: etagOf(item.version), ...headers });
  }

  private json(status: number, body: unknown, headers: Record<string, string> = {}): JsonResult {
    return jsonResponse(status, body, { 'cache-control': this.props.cachePolicy.forUncacheable(), ...headers });
  }
}
