import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { RETRY_AFTER_SECONDS } from './dynamodb';
import { HttpError } from './http-error';
import { roundMs, type StructuredLogger } from './logging';
import { readRequestLine } from './request';
import { REQUEST_ID_HEADER, type RequestIds, RequestLogSampler, requestIds } from './request-log';
import { errorResponse, type JsonResult } from './response';
import type { RouteMatch, Router } from './router';
import { ServiceError } from './service-error';

/** A response plus, when it reports a failure, the error behind it (for the log line only). */
export interface Outcome {
  readonly response: JsonResult;
  readonly failure?: unknown;
}

/** What an operation gets: the matched route, the event, the context and the request's deadline. */
export interface ServiceRequest<N extends string = string> {
  readonly match: RouteMatch<N>;
  readonly event: APIGatewayProxyEventV2;
  readonly context: Context;
  /**
   * Aborted when the request runs out of its time budget. Pass it to every call that
   * changes something, so an SDK call (and its retries) stops at the deadline. A read
   * may leave it out: the handler answers 503 `timeout` at the deadline anyway, and a
   * read left running changes nothing, and an SDK call given a signal adds abort
   * listeners at each of its layers on every request (docs/benchmarks/observability.md).
   */
  readonly abortSignal: AbortSignal;
}

/** Props of {@link ServiceHandler}. */
export interface ServiceHandlerProps<N extends string> {
  readonly router: Router<N>;
  /** Runs the matched operation; may throw {@link HttpError} or {@link ServiceError}. */
  readonly dispatch: (request: ServiceRequest<N>) => Promise<Outcome>;
  /** The region this function runs in; on every log line. */
  readonly region: string;
  /** Structured logger (Powertools); one line per request, never with bodies. */
  readonly logger: StructuredLogger;
  /** Time kept back from the Lambda deadline to answer 503 instead of timing out. @default 1000 */
  readonly deadlineMarginMs?: number;
  /** Budget of a request when the context has no deadline (local adapter, tests). @default 8000 */
  readonly defaultBudgetMs?: number;
  /** Which requests get an info line (errors and slow requests always do). @default - every request */
  readonly requestLog?: RequestLogSampler;
}

/**
 * The body of a service's Lambda handler behind API Gateway (HTTP API, payload 2.0,
 * every request through `$default`): reads the request line (a malformed event is a
 * 400, never a 500 nor a guessed GET), routes, runs the operation under a deadline,
 * turns every failure into a JSON error, and writes one structured log line per request.
 */
export class ServiceHandler<N extends string = string> {
  private readonly requestLog: RequestLogSampler;

  constructor(private readonly props: ServiceHandlerProps<N>) {
    this.requestLog = props.requestLog ?? new RequestLogSampler({ sampleRate: 1 });
  }

  /** Never throws: every failure becomes a JSON error response. */
  async handle(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
    const started = performance.now();
    const ids = requestIds(event?.headers, context?.awsRequestId ?? 'unknown');
    let method = 'UNKNOWN';
    let route = 'unmatched';
    let outcome: Outcome;
    // A plain timer cleared at the end rather than AbortSignal.timeout(), whose timer
    // lives on for the whole budget after the request is done. At the deadline it aborts
    // the calls given the signal and answers 503, whether or not the operation listened.
    const deadline = new AbortController();
    let expire: (err: ServiceError) => void = () => {};
    const expired = new Promise<never>((_, reject) => (expire = reject));
    const timer = setTimeout(() => {
      deadline.abort(Object.assign(new Error('the request ran out of its time budget'), { name: 'TimeoutError' }));
      expire(new ServiceError('timeout', 'the request ran out of its time budget; retry after the Retry-After delay', { retryAfterSeconds: RETRY_AFTER_SECONDS }));
    }, this.budgetMs(context));
    try {
      const line = readRequestLine(event);
      method = line.method;
      const match = this.props.router.match(line.method, line.path);
      route = match.template;
      outcome = await Promise.race([this.props.dispatch({ match, event, context, abortSignal: deadline.signal }), expired]);
    } catch (err) {
      outcome = { response: errorResponse(err, context?.awsRequestId ?? 'unknown'), failure: err };
    } finally {
      clearTimeout(timer);
    }
    outcome.response.headers = { ...outcome.response.headers, [REQUEST_ID_HEADER]: ids.requestId };
    this.logRequest({ route, method, latencyMs: performance.now() - started, event, context, ids, ...outcome });
    return outcome.response;
  }

  private budgetMs(context: Context | undefined): number {
    const remaining =
      typeof context?.getRemainingTimeInMillis === 'function'
        ? context.getRemainingTimeInMillis() - (this.props.deadlineMarginMs ?? 1000)
        : (this.props.defaultBudgetMs ?? 8000);
    return Math.max(100, remaining);
  }

  private logRequest(entry: {
    route: string;
    method: string;
    latencyMs: number;
    event: unknown;
    context: Context | undefined;
    ids: RequestIds;
    response: JsonResult;
    failure?: unknown;
  }): void {
    const { failure } = entry;
    const status = entry.response.statusCode ?? 500;
    const reason = this.requestLog.reason(status, entry.latencyMs);
    if (!reason) return;
    const event = (typeof entry.event === 'object' && entry.event !== null ? entry.event : {}) as Partial<APIGatewayProxyEventV2>;
    // Only metadata: never a body or a query string (a cursor is opaque but client-supplied).
    // The ids let one request be followed: CloudFront logs edgeRequestId, the API's
    // access log apiRequestId, and a caller's x-request-id comes back as requestId.
    const line: Record<string, unknown> = {
      region: this.props.region,
      requestId: entry.ids.requestId,
      lambdaRequestId: entry.context?.awsRequestId,
      apiRequestId: event.requestContext?.requestId,
      ...(entry.ids.edgeRequestId ? { edgeRequestId: entry.ids.edgeRequestId } : {}),
      method: entry.method,
      route: entry.route,
      status,
      latencyMs: roundMs(entry.latencyMs),
      logReason: reason,
    };
    if (failure instanceof HttpError || failure instanceof ServiceError) line.errorCode = failure.code;
    if (status >= 500) {
      const cause = failure instanceof ServiceError ? failure.cause : failure;
      line.errorName = (cause as Error)?.name;
      // A 500 is a bug or an unknown fault: keep the stack for whoever investigates.
      if (status === 500) this.props.logger.error('request failed', { ...line, error: cause as Error });
      else this.props.logger.warn('request failed', line);
      return;
    }
    this.props.logger.info('request', line);
  }
}
