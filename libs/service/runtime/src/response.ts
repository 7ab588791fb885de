import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError } from './http-error';
import { SERVICE_ERROR_STATUS, ServiceError } from './service-error';

/** A structured result whose headers are always present. */
export type JsonResult = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string | number | boolean> };

/** Cache-Control of everything that must not be cached: errors, writes, /health. */
export const NO_STORE = 'no-store';

/** A JSON response: UTF-8, `nosniff`, `no-store` unless `headers` says otherwise. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): JsonResult {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': NO_STORE,
      'x-content-type-options': 'nosniff',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** The strong ETag of a record version: `"3"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The JSON error response for anything thrown while serving a request:
 * {@link HttpError} and {@link ServiceError} keep their status and code (a 412
 * carries the current ETag, a 409 and 503 a `Retry-After`); anything else is a 500
 * that names the request id and nothing internal.
 */
export function errorResponse(err: unknown, requestId: string): JsonResult {
  if (err instanceof HttpError) return jsonResponse(err.statusCode, { error: { code: err.code, message: err.message } }, { ...err.headers });
  if (err instanceof ServiceError) {
    const status = SERVICE_ERROR_STATUS[err.code as keyof typeof SERVICE_ERROR_STATUS] ?? 500;
    const headers: Record<string, string> = {};
    if (err.extra.retryAfterSeconds !== undefined && status >= 409) headers['retry-after'] = String(Math.max(1, err.extra.retryAfterSeconds));
    if (err.code === 'precondition_failed' && err.extra.currentVersion !== undefined) headers.etag = etagOf(err.extra.currentVersion);
    const error: Record<string, unknown> = { code: err.code, message: err.message };
    if (err.extra.details) error.details = err.extra.details;
    return jsonResponse(status, { error }, headers);
  }
  return jsonResponse(500, {
    error: { code: 'internal_error', message: `an unexpected error occurred; retry later, and quote request id ${requestId} if it persists` },
  });
}
