import { request } from 'node:http';
import { LocalHttpAdapter, toApiGatewayEvent } from '@platform/lambda-http-adapter';
import { HttpError } from './http-error';
import { header, readIdempotencyKey, readIfMatch, readJsonObject, readListQuery, readRequestLine } from './request';

function thrown(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('expected an HttpError');
}

const LIMITS = { min: 1, max: 100, default: 20 };

describe('header', () => {
  it('finds a header whatever the case of its name, as other callers than API Gateway send it', () => {
    expect(header({ headers: { 'If-Match': '"3"' } }, 'if-match')).toBe('"3"');
    expect(header({ headers: { 'IDEMPOTENCY-KEY': 'k' } }, 'Idempotency-Key')).toBe('k');
    expect(header({ headers: { Authorization: 'Bearer t' } }, 'authorization')).toBe('Bearer t');
  });

  it('joins a header sent under two non-lower-case spellings with a comma, as API Gateway joins repeats', () => {
    expect(header({ headers: { 'X-A': '1', 'x-A': '2' } }, 'x-a')).toBe('1,2');
  });

  it('is undefined when the event has no headers', () => {
    expect(header({} as never, 'content-type')).toBeUndefined();
  });
});

describe('readRequestLine', () => {
  it('reads the method and path of an HTTP API event', () => {
    expect(readRequestLine(toApiGatewayEvent({ method: 'post', path: '/items' }))).toEqual({ method: 'POST', path: '/items' });
  });

  it('accepts the REST API (payload 1.0) fields httpMethod and path', () => {
    expect(readRequestLine({ httpMethod: 'DELETE', path: '/items/x' })).toEqual({ method: 'DELETE', path: '/items/x' });
  });

  it.each([
    ['an empty event', {}],
    ['a null event', null],
    ['a string', 'GET /items'],
  ])('refuses %s with 400 invalid_event', (_what, event) => {
    const err = thrown(() => readRequestLine(event));
    expect([err.statusCode, err.code]).toEqual([400, 'invalid_event']);
  });

  it('refuses a POST whose requestContext.http is missing instead of serving it as a GET', () => {
    const { requestContext, ...rest } = toApiGatewayEvent({ method: 'POST', path: '/items', body: '{}' });
    const err = thrown(() => readRequestLine({ ...rest, requestContext: { ...requestContext, http: undefined } }));
    expect([err.statusCode, err.code]).toEqual([400, 'invalid_event']);
    expect(err.message).toContain('requestContext.http.method');
  });

  it('refuses an event without rawPath', () => {
    const { rawPath: _rawPath, ...event } = toApiGatewayEvent({ method: 'GET', path: '/items' });
    const err = thrown(() => readRequestLine(event));
    expect([err.statusCode, err.code]).toEqual([400, 'invalid_event']);
    expect(err.message).toContain('rawPath');
  });
});

describe('readIfMatch', () => {
  it('reads quoted and weak ETags, and *', () => {
    expect(readIfMatch({ headers: { 'if-match': '"3", W/"4"' } })).toEqual({ ifMatch: [3, 4] });
    expect(readIfMatch({ headers: { 'if-match': '*' } })).toEqual({ ifMatch: '*' });
    expect(readIfMatch({ headers: {} })).toEqual({});
  });

  it('refuses an unquoted If-Match: 1 with 400 invalid_if_match', () => {
    const err = thrown(() => readIfMatch({ headers: { 'if-match': '1' } }));
    expect([err.statusCode, err.code]).toEqual([400, 'invalid_if_match']);
  });

  it('reads If-Match sent with another case', () => {
    expect(readIfMatch({ headers: { 'IF-MATCH': '"7"' } })).toEqual({ ifMatch: [7] });
  });
});

describe('readIdempotencyKey', () => {
  it('reads Idempotency-Key in any case and refuses a non-ASCII one', () => {
    expect(readIdempotencyKey({ headers: { 'Idempotency-Key': ' abc ' } })).toBe('abc');
    expect(thrown(() => readIdempotencyKey({ headers: { 'idempotency-key': 'naïve' } })).code).toBe('invalid_idempotency_key');
  });
});

describe('readJsonObject', () => {
  it('reads Content-Type in any case', () => {
    const err = thrown(() => readJsonObject({ headers: { 'Content-Type': 'text/plain' }, body: '{}', isBase64Encoded: false }));
    expect([err.statusCode, err.code]).toEqual([415, 'unsupported_media_type']);
  });

  it('refuses a base64 body that is not valid UTF-8 with 400 malformed_json', () => {
    const err = thrown(() => readJsonObject({ headers: {}, body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), isBase64Encoded: true }));
    expect([err.statusCode, err.code]).toEqual([400, 'malformed_json']);
  });

  it('refuses a text body carrying a lone surrogate (bytes that were not UTF-8) with 400 malformed_json', () => {
    const err = thrown(() => readJsonObject({ headers: {}, body: '{"name":"\ud800"}', isBase64Encoded: false }));
    expect([err.statusCode, err.code]).toEqual([400, 'malformed_json']);
  });

  it('returns the object of a valid body', () => {
    expect(readJsonObject({ headers: { 'content-type': 'application/json' }, body: '{"name":"ü"}', isBase64Encoded: false })).toEqual({ name: 'ü' });
  });
});

describe('readListQuery', () => {
  it('defaults the limit and refuses one out of range', () => {
    expect(readListQuery({ queryStringParameters: undefined }, LIMITS)).toEqual({ limit: 20, cursor: undefined });
    expect(thrown(() => readListQuery({ queryStringParameters: { limit: '101' } }, LIMITS)).code).toBe('invalid_limit');
  });
});

const NOT_UTF8 = Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"n":"\xff\xfe"}

// Through the local HTTP adapter end to end. Here, not in the adapter's tests: the runtime's
// tests already use the adapter, and the adapter's tests importing the runtime back made the
// two projects a cycle.
describe('readJsonObject behind the LocalHttpAdapter', () => {
  it('lets a handler answer 400 malformed_json to a body that is not valid UTF-8', async () => {
    const adapter = await LocalHttpAdapter.start(async (event) => {
      try {
        readJsonObject(event);
        return { statusCode: 200, body: '{}' };
      } catch (err) {
        const e = err as HttpError;
        return { statusCode: e.statusCode, body: JSON.stringify({ error: { code: e.code } }) };
      }
    });
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${adapter.url}/x`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(NOT_UTF8);
      });
      expect([status, JSON.parse(body).error.code]).toEqual([400, 'malformed_json']);
    } finally {
      await adapter.close();
    }
  });
});
