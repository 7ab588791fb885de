import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { localLambdaContext, toApiGatewayEvent } from '@platform/lambda-http-adapter';
import { preconditionFailed } from './dynamodb';
import { readIfMatch } from './request';
import { jsonResponse } from './response';
import { Router } from './router';
import { ServiceError } from './service-error';
import { ServiceHandler, type ServiceRequest } from './service-handler';

type Route = 'health' | 'create' | 'replace';

function handlerWith(dispatch: (request: ServiceRequest<Route>) => Promise<unknown>) {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, extra: Record<string, unknown>) => lines.push({ level, message, extra });
  const handler = new ServiceHandler<Route>({
    router: new Router<Route>([
      { template: '/health', methods: { GET: 'health' } },
      { template: '/things', methods: { POST: 'create' } },
      { template: '/things/{id}', methods: { PUT: 'replace' } },
    ]),
    dispatch: async (request) => ({ response: jsonResponse(200, await dispatch(request)) }),
    region: 'eu-west-1',
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
  });
  return { handler, lines };
}

async function send(handler: ServiceHandler<Route>, event: unknown) {
  const res = await handler.handle(event as APIGatewayProxyEventV2, localLambdaContext());
  return { status: res.statusCode, headers: res.headers ?? {}, body: JSON.parse(res.body ?? 'null') };
}

describe('ServiceHandler', () => {
  it('answers an empty event with 400 invalid_event JSON, not 500', async () => {
    const { handler } = handlerWith(async () => ({}));
    const res = await send(handler, {});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_event');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers an event without rawPath with 400 invalid_event', async () => {
    const { handler } = handlerWith(async () => ({}));
    const { rawPath: _rawPath, ...event } = toApiGatewayEvent({ method: 'GET', path: '/health' });
    expect((await send(handler, event)).body.error.code).toBe('invalid_event');
  });

  it('answers a null event with 400 and logs it', async () => {
    const { handler, lines } = handlerWith(async () => ({}));
    expect((await send(handler, null)).status).toBe(400);
    expect(lines.map((l) => [l.level, l.extra.status, l.extra.errorCode])).toEqual([['info', 400, 'invalid_event']]);
  });

  it('does not serve a POST without requestContext.http as a GET', async () => {
    const dispatched: string[] = [];
    const { handler } = handlerWith(async ({ match }) => dispatched.push(match.name));
    const event = toApiGatewayEvent({ method: 'POST', path: '/health', body: '{}' });
    const res = await send(handler, { ...event, requestContext: { ...event.requestContext, http: undefined } });
    expect(res.status).toBe(400);
    expect(dispatched).toEqual([]);
  });

  it('answers a stale If-Match with 412, the current ETag in the header and the current version in the message', async () => {
    const { handler } = handlerWith(async ({ event }) => {
      throw preconditionFailed('record abc', readIfMatch(event), 5);
    });
    const res = await send(handler, toApiGatewayEvent({ method: 'PUT', path: '/things/abc', headers: { 'If-Match': '"4"' } }));
    expect(res.status).toBe(412);
    expect(res.headers.etag).toBe('"5"');
    expect(res.body.error.code).toBe('precondition_failed');
    expect(res.body.error.message).toContain('version "5", not "4"');
  });

  it('answers a ServiceError with its status and Retry-After', async () => {
    const { handler } = handlerWith(async () => {
      throw new ServiceError('throttled', 'slow down', { retryAfterSeconds: 2 });
    });
    const res = await send(handler, toApiGatewayEvent({ method: 'POST', path: '/things' }));
    expect([res.status, res.headers['retry-after'], res.body.error.code]).toEqual([503, '2', 'throttled']);
  });

  it('answers an unexpected error with 500 naming the request id only, and logs the error', async () => {
    const { handler, lines } = handlerWith(async () => {
      throw new TypeError('secret internals');
    });
    const res = await send(handler, toApiGatewayEvent({ method: 'POST', path: '/things' }));
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('secret');
    expect(lines[0].level).toBe('error');
    expect(lines[0].extra.route).toBe('POST /things');
  });

  it('answers 503 timeout at the deadline even when the operation ignores the abort signal', async () => {
    let aborted = false;
    const { handler } = handlerWith(({ abortSignal }) => {
      abortSignal.addEventListener('abort', () => (aborted = true));
      return new Promise(() => {}); // a read that never answers and does not listen
    });
    const started = Date.now();
    const res = await handler.handle(toApiGatewayEvent({ method: 'GET', path: '/health' }), localLambdaContext({ timeoutMs: 1300 }));

    expect(Date.now() - started).toBeLessThan(1200);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body ?? '{}').error.code).toBe('timeout');
    expect(res.headers?.['retry-after']).toBe('1');
    expect(aborted).toBe(true);
  });
});

