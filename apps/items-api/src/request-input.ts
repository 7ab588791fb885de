import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isItemId, LIST_LIMITS, type WritePrecondition } from '@items/data-access';
import { HttpError } from './http-error';

/** The largest request body accepted, in bytes (after base64 decoding). */
export const MAX_BODY_BYTES = 256 * 1024;
const MAX_IDEMPOTENCY_KEY_CHARS = 255;
const MAX_IF_MATCH_TAGS = 10;
const JSON_MEDIA_TYPE = /^application\/(?:json|merge-patch\+json)\s*(?:;.*)?$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The `{id}` path segment, checked to be an id this service issues. */
export function readItemId(raw: string | undefined): string {
  if (raw === undefined || !isItemId(raw)) {
    throw new HttpError(400, 'invalid_id', 'the item id in the path is malformed: ids are the 22-character URL-safe strings this API returns in "id"');
  }
  return raw;
}

/**
 * The request body as a JSON object. Checks, in order: media type (415), presence
 * (400), size (413), UTF-8 (400), JSON syntax (400), and that it is an object (400).
 */
export function readJsonObject(event: APIGatewayProxyEventV2): Record<string, unknown> {
  const contentType = header(event, 'content-type');
  if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type "${contentType.slice(0, 100)}" is not supported; send application/json`);
  }
  const raw = event.body;
  if (raw === undefined || raw === null || raw.length === 0) {
    throw new HttpError(400, 'missing_body', 'the request has no body: send the item as a JSON object');
  }
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

/**
 * The `If-Match` header as a write precondition: `*`, or a list of ETags. A weak
 * ETag (`W/"3"`) is taken as its version: CloudFront may weaken the ETags of
 * responses it compresses, and a client should not be punished for that.
 */
export function readIfMatch(event: APIGatewayProxyEventV2): WritePrecondition {
  const value = header(event, 'if-match')?.trim();
  if (value === undefined) return {};
  if (value === '*') return { ifMatch: '*' };
  const tags = value.split(',').map((t) => t.trim());
  const versions: number[] = [];
  for (const tag of tags) {
    const m = /^(?:W\/)?"?([1-9][0-9]{0,15})"?$/.exec(tag);
    if (!m || tags.length > MAX_IF_MATCH_TAGS) {
      throw new HttpError(400, 'invalid_if_match', 'If-Match must be * or the ETag of the item as returned by this API, e.g. If-Match: "3"');
    }
    versions.push(Number(m[1]));
  }
  return { ifMatch: versions };
}

/** The `Idempotency-Key` header: 1-255 printable ASCII characters, or undefined. */
export function readIdempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const value = header(event, 'idempotency-key');
  if (value === undefined) return undefined;
  const key = value.trim();
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_CHARS || !/^[\x20-\x7e]+$/.test(key)) {
    throw new HttpError(400, 'invalid_idempotency_key', `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters, e.g. a UUID`);
  }
  return key;
}

/** `limit` and `cursor` of `GET /items`. */
export function readListQuery(event: APIGatewayProxyEventV2): { limit: number; cursor?: string } {
  const query = event.queryStringParameters ?? {};
  let limit: number = LIST_LIMITS.default;
  if (query.limit !== undefined) {
    limit = /^[0-9]{1,4}$/.test(query.limit) ? Number(query.limit) : NaN;
    if (!(limit >= LIST_LIMITS.min && limit <= LIST_LIMITS.max)) {
      throw new HttpError(400, 'invalid_limit', `limit must be an integer ${LIST_LIMITS.min}-${LIST_LIMITS.max}, got "${query.limit.slice(0, 20)}"`);
    }
  }
  return { limit, cursor: query.cursor };
}

/** A request header; API Gateway lower-cases names and joins repeated ones with commas. */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.headers?.[name] ?? undefined;
}
