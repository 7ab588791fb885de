import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './http-error';

/** The largest request body accepted, in bytes (after base64 decoding). */
export const MAX_BODY_BYTES = 256 * 1024;
const MAX_IDEMPOTENCY_KEY_CHARS = 255;
const MAX_IF_MATCH_TAGS = 10;
const JSON_MEDIA_TYPE = /^application\/(?:json|merge-patch\+json)\s*(?:;.*)?$/i;
const METHOD = /^[A-Z]{1,10}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The method and path of a request. */
export interface RequestLine {
  readonly method: string;
  readonly path: string;
}

/**
 * The method and path of an event. API Gateway (HTTP API, payload 2.0) always sends
 * `requestContext.http.method` and `rawPath`; a REST API (payload 1.0) or a direct
 * invocation may send `httpMethod` and `path` instead, and those are accepted too.
 * An event with neither is answered 400: a request whose method is unknown is never
 * guessed to be a GET (a POST served as a GET would report success and write nothing).
 */
export function readRequestLine(event: unknown): RequestLine {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw invalidEvent('the event is not an object');
  }
  const e = event as Partial<APIGatewayProxyEventV2> & { httpMethod?: unknown; path?: unknown };
  const rawMethod = e.requestContext?.http?.method ?? e.httpMethod;
  if (typeof rawMethod !== 'string' || !METHOD.test(rawMethod.toUpperCase())) {
    throw invalidEvent('the event has no requestContext.http.method (nor httpMethod)');
  }
  const path = typeof e.rawPath === 'string' ? e.rawPath : e.path;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw invalidEvent('the event has no rawPath (nor path) starting with "/"');
  }
  return { method: rawMethod.toUpperCase(), path };
}

function invalidEvent(what: string): HttpError {
  return new HttpError(400, 'invalid_event', `${what}; send an API Gateway HTTP API (payload format 2.0) event`);
}

/**
 * A request header, by name in any case. API Gateway lower-cases names and joins
 * repeated ones with commas; other callers (a direct invocation, a test, a REST API
 * proxy) may keep the client's case, so the name is matched case-insensitively.
 */
export function header(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const headers = event.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  const wanted = name.toLowerCase();
  const exact = headers[wanted];
  if (exact !== undefined && exact !== null) return exact;
  let found: string | undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined || value === null) continue;
    found = found === undefined ? value : `${found},${value}`;
  }
  return found;
}

/**
 * The request body as a JSON object. Checks, in order: media type (415), presence
 * (400), size (413), UTF-8 (400), JSON syntax (400), and that it is an object (400).
 */
export function readJsonObject(event: Pick<APIGatewayProxyEventV2, 'headers' | 'body' | 'isBase64Encoded'>, what = 'the item'): Record<string, unknown> {
  const contentType = header(event, 'content-type');
  if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type "${contentType.slice(0, 100)}" is not supported; send application/json`);
  }
  const raw = event.body;
  if (raw === undefined || raw === null || raw.length === 0) {
    throw new HttpError(400, 'missing_body', `the request has no body: send ${what} as a JSON object`);
  }
  if (typeof raw !== 'string') throw new HttpError(400, 'malformed_json', 'the request body is not text; send UTF-8 encoded JSON');
  // Cheap upper bound first so a huge body is refused before it is decoded.
  const approxBytes = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : raw.length;
  if (approxBytes > MAX_BODY_BYTES * 4) throw tooLarge();
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw tooLarge();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HttpError(400, 'malformed_json', 'the request body is not valid UTF-8; send UTF-8 encoded JSON');
  }
  // A lone surrogate in a text body means the caller's bytes were not UTF-8 to begin with.
  if (!event.isBase64Encoded && LONE_SURROGATE.test(raw)) {
    throw new HttpError(400, 'malformed_json', 'the request body is not valid UTF-8; send UTF-8 encoded JSON');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed_json', 'the request body is not valid JSON; check quotes, commas and brackets');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new HttpError(400, 'invalid_body', `the request body is ${kind}; send a JSON object such as {"name": "..."}`);
  }
  return value as Record<string, unknown>;
}

function tooLarge(): HttpError {
  return new HttpError(413, 'payload_too_large', `the request body is over ${MAX_BODY_BYTES / 1024} KB; send a smaller item`);
}

/** The precondition of a write: the HTTP If-Match header, parsed. */
export interface WritePrecondition {
  /** Versions the caller accepts (`If-Match: "3", "4"`), or `'*'` for any existing record. */
  readonly ifMatch?: readonly number[] | '*';
}

/**
 * The `If-Match` header as a write precondition: `*`, or a list of ETags. An ETag is
 * a quoted string (RFC 9110), so an unquoted `1` is refused. A weak ETag (`W/"3"`) is
 * taken as its version: CloudFront may weaken the ETags of responses it compresses,
 * and a client should not be punished for that.
 */
export function readIfMatch(event: Pick<APIGatewayProxyEventV2, 'headers'>): WritePrecondition {
  const value = header(event, 'if-match')?.trim();
  if (value === undefined) return {};
  if (value === '*') return { ifMatch: '*' };
  const tags = value.split(',').map((t) => t.trim());
  const versions: number[] = [];
  for (const tag of tags) {
    const m = /^(?:W\/)?"([1-9][0-9]{0,15})"$/.exec(tag);
    if (!m || tags.length > MAX_IF_MATCH_TAGS) {
      throw new HttpError(400, 'invalid_if_match', 'If-Match must be * or the ETag of the item as returned by this API, quotes included, e.g. If-Match: "3"');
    }
    versions.push(Number(m[1]));
  }
  return { ifMatch: versions };
}

/** The `Idempotency-Key` header: 1-255 printable ASCII characters, or undefined. */
export function readIdempotencyKey(event: Pick<APIGatewayProxyEventV2, 'headers'>): string | undefined {
  const value = header(event, 'idempotency-key');
  if (value === undefined) return undefined;
  const key = value.trim();
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_CHARS || !/^[\x20-\x7e]+$/.test(key)) {
    throw new HttpError(400, 'invalid_idempotency_key', `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters, e.g. a UUID`);
  }
  return key;
}

/** Limits of a page size query parameter. */
export interface PageLimits {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** `limit` and `cursor` of a list request. */
export function readListQuery(event: Pick<APIGatewayProxyEventV2, 'queryStringParameters'>, limits: PageLimits): { limit: number; cursor?: string } {
  const query = event.queryStringParameters ?? {};
  let limit: number = limits.default;
  if (query.limit !== undefined) {
    limit = /^[0-9]{1,4}$/.test(query.limit) ? Number(query.limit) : NaN;
    if (!(limit >= limits.min && limit <= limits.max)) {
      throw new HttpError(400, 'invalid_limit', `limit must be an integer ${limits.min}-${limits.max}, got "${query.limit.slice(0, 20)}"`);
    }
  }
  return { limit, cursor: query.cursor };
}

/** The `{id}` path segment, checked with `isId`. */
export function readPathId(raw: string | undefined, isId: (value: string) => boolean, what = 'item'): string {
  if (raw === undefined || !isId(raw)) {
    throw new HttpError(400, 'invalid_id', `the ${what} id in the path is malformed: ids are the 22-character URL-safe strings this API returns in "id"`);
  }
  return raw;
}
