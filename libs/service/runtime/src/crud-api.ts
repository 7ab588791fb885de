import type { RequestLogSampler } from './request-log';
import { isResourceId, RESOURCE_LIST_LIMITS, type StoredResource } from './resource';
import type { ResourceRepository } from './resource-repository';
import { healthCheck } from './health';
import type { StructuredLogger } from './logging';
import { readIdempotencyKey, readIfMatch, readJsonObject, readListQuery, readPathId } from './request';
import { etagOf, jsonResponse } from './response';
import { Router } from './router';
import { ServiceError } from './service-error';
import { ServiceHandler, type Outcome, type ServiceRequest } from './service-handler';

/** The operations of a CRUD API. */
export type CrudRoute = 'health' | 'list' | 'create' | 'get' | 'replace' | 'delete';

/**
 * What {@link crudApi} needs of a repository: the operations of {@link ResourceRepository}
 * (the service table), which `PostgresResourceRepository` (`@platform/service-runtime/relational`) has too.
 */
export type ResourceStore<F extends object> = Pick<ResourceRepository<F>, 'create' | 'get' | 'list' | 'replace' | 'delete' | 'ping'>;

/** Props of {@link crudApi}. */
export interface CrudApiProps<F extends object> {
  /** The collection's path segment: `catalog` serves `/catalog` and `/catalog/{id}`. */
  readonly resource: string;
  readonly repository: ResourceStore<F>;
  /** Checks a request body and returns the resource's fields (e.g. {@link parseFields}); throws `validation_failed`. */
  readonly parse: (body: Record<string, unknown>) => F;
  /** The region this function runs in. */
  readonly region: string;
  readonly logger: StructuredLogger;
  /** How long /health waits for the repository. @default 1000 */
  readonly healthTimeoutMs?: number;
  /** What /health reads, for its 503 message. @default "the service table" */
  readonly healthDependency?: string;
  /** Which requests get an info line. @default - every request */
  readonly requestLog?: RequestLogSampler;
}

/**
 * A complete CRUD API over one resource kind: `GET /health`, `GET|POST /<resource>`,
 * `GET|PUT|DELETE /<resource>/{id}`, with ETags and If-Match (412 with the current
 * ETag), idempotent POST (`Idempotency-Key`), paged listing (`limit`, `cursor`) and
 * JSON errors. A generated service is this plus its fields.
 */
export function crudApi<F extends object>(props: CrudApiProps<F>): ServiceHandler<CrudRoute> {
  const { resource, repository } = props;
  const router = new Router<CrudRoute>([
    { template: '/health', methods: { GET: 'health' } },
    { template: `/${resource}`, methods: { GET: 'list', POST: 'create' } },
    { template: `/${resource}/{id}`, methods: { GET: 'get', PUT: 'replace', DELETE: 'delete' } },
  ]);
  const one = (status: number, stored: StoredResource<F>, headers: Record<string, string> = {}) => ({
    response: jsonResponse(status, stored, { etag: etagOf(stored.version), ...headers }),
  });
  const dispatch = async ({ match, event, abortSignal }: ServiceRequest<CrudRoute>): Promise<Outcome> => {
    // Writes stop at the deadline; reads are left to the handler's deadline (no abort listeners).
    const call = { abortSignal };
    switch (match.name) {
      case 'health':
        return healthCheck({ region: props.region, timeoutMs: props.healthTimeoutMs, dependency: props.healthDependency, ping: (options) => repository.ping(options) });
      case 'list': {
        const page = await repository.list(readListQuery(event, RESOURCE_LIST_LIMITS));
        return { response: jsonResponse(200, page.nextCursor ? { items: page.items, nextCursor: page.nextCursor } : { items: page.items }) };
      }
      case 'create': {
        const idempotencyKey = readIdempotencyKey(event);
        const fields = props.parse(readJsonObject(event, `the ${resource} record`));
        const { resource: stored, replayed } = await repository.create(fields, { ...call, idempotencyKey });
        return one(201, stored, { location: `/${resource}/${stored.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
      }
      case 'get': {
        const id = readPathId(match.id, isResourceId, resource);
        const stored = await repository.get(id);
        if (!stored) throw new ServiceError('not_found', `no ${resource} record with id ${id}`);
        return one(200, stored);
      }
      case 'replace': {
        const id = readPathId(match.id, isResourceId, resource);
        const precondition = readIfMatch(event);
        const fields = props.parse(readJsonObject(event, `the ${resource} record`));
        return one(200, await repository.replace(id, fields, precondition, call));
      }
      case 'delete': {
        const id = readPathId(match.id, isResourceId, resource);
        await repository.delete(id, readIfMatch(event), call);
        return { response: { statusCode: 204, headers: { 'cache-control': 'no-store' } } };
      }
    }
  };
  return new ServiceHandler({ router, dispatch, region: props.region, logger: props.logger, requestLog: props.requestLog });
}
