// The HTTP plumbing of orders-api, kept thin and apart from the orders domain so that
// it can move onto the shared service runtime library (issue 16) when that lands.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A client-facing error raised while reading a request: `{ "error": { "code", "message" } }`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type Response = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

const MAX_BODY_BYTES = 256 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON response; orders are private to a customer, so nothing is cacheable by CloudFront. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff', ...headers },
    body: JSON.stringify(body),
  };
}

/** A request header (API Gateway lower-cases names). */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.headers?.[name] ?? undefined;
}

/** The body as a JSON object: 415 for another media type, 400 for a missing, malformed or non-object body, 413 when too large. */
export function readJsonObject(event: APIGatewayProxyEventV2): Record<string, unknown> {
  const contentType = header(event, 'content-type');
  if (contentType !== undefined && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type "${contentType.slice(0, 100)}" is not supported; send application/json`);
  }
  if (!event.body) throw new HttpError(400, 'missing_body', 'the request has no body: send a JSON object');
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new HttpError(413, 'payload_too_large', `the request body is over ${MAX_BODY_BYTES / 1024} KB`);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new HttpError(400, 'malformed_json', 'the request body is not valid UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'invalid_body', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** `If-Match: "3"` as version 3; undefined without the header; 400 when malformed. `*` means any version. */
export function readIfMatch(event: APIGatewayProxyEventV2): number | undefined {
  const value = header(event, 'if-match')?.trim();
  if (value === undefined || value === '*') return undefined;
  const m = /^(?:W\/)?"?([1-9][0-9]{0,8})"?$/.exec(value);
  if (!m) throw new HttpError(400, 'invalid_if_match', 'If-Match must be the ETag of the order as returned by this API, e.g. If-Match: "3"');
  return Number(m[1]);
}

/** `Idempotency-Key`: 1-255 printable ASCII characters, or undefined. */
export function readIdempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const value = header(event, 'idempotency-key');
  if (value === undefined) return undefined;
  const key = value.trim();
  if (key.length === 0 || key.length > 255 || !/^[\x20-\x7e]+$/.test(key)) {
    throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 printable ASCII characters, e.g. a UUID');
  }
  return key;
}

/** The caller's identity when API Gateway's JWT authorizer is on (`sub`); undefined when auth is off. */
export function callerSubject(event: APIGatewayProxyEventV2): string | undefined {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  const sub = context?.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' ? sub : undefined;
}

/** A route: method + path pattern → name and path parameters. */
export interface Route<N extends string> {
  readonly name: N;
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
}

/** Matches a request to a route: 404 for an unknown path, 405 (with Allow) for a known path and another method. */
export function matchRoute<N extends string>(routes: readonly Route<N>[], method: string, path: string): { route: Route<N>; params: string[] } {
  const onPath = routes.filter((r) => r.pattern.test(path));
  if (onPath.length === 0) throw new HttpError(404, 'route_not_found', `no route for ${method} ${path.slice(0, 100)}`);
  const route = onPath.find((r) => r.method === method);
  if (!route) {
    const allow = onPath.map((r) => r.method).join(', ');
    throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${onPath[0]!.template}; allowed: ${allow}`, { allow });
  }
  return { route, params: route.pattern.exec(path)!.slice(1) };
}
