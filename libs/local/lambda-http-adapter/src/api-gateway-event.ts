import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** An HTTP request, the way a client sent it. */
export interface PlainHttpRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/items/abc`. */
  readonly path: string;
  /** Raw query string without `?`. @default "" */
  readonly query?: string;
  /** Header names in any case; repeated headers as arrays. @default {} */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** @default - no body */
  readonly body?: string | Buffer;
}

// API Gateway sends text bodies as they are and everything else base64-encoded.
const TEXT_MEDIA_TYPE = /^(?:text\/|application\/(?:[a-z0-9.+-]*\+)?json\b|application\/(?:xml|x-www-form-urlencoded)\b)/i;

/**
 * The event API Gateway (HTTP API, payload format 2.0) would send for a request:
 * lower-case header names with repeated values joined by commas, query parameters
 * likewise, cookies split out, and a body that is text or base64. Used by the local
 * HTTP adapter and the tests, so both exercise the same shape Lambda receives.
 */
export function toApiGatewayEvent(request: PlainHttpRequest): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const values = typeof value === 'string' ? [value] : [...value];
    if (key === 'cookie') cookies = values.flatMap((v) => v.split(';').map((c) => c.trim()));
    else headers[key] = headers[key] ? `${headers[key]},${values.join(',')}` : values.join(',');
  }
  const rawQueryString = request.query ?? '';
  let queryStringParameters: Record<string, string> | undefined;
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters ??= {};
    queryStringParameters[name] = queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
  }
  let body: string | undefined;
  let isBase64Encoded = false;
  if (request.body !== undefined && request.body.length > 0) {
    const contentType = headers['content-type'] ?? '';
    // Bytes that are not valid UTF-8 stay bytes (base64): decoding them here would
    // replace them with U+FFFD and hand the handler a valid body it never received.
    const text = typeof request.body === 'string' ? request.body : decodeUtf8(request.body);
    if ((contentType === '' || TEXT_MEDIA_TYPE.test(contentType)) && text !== undefined) body = text;
    else {
      body = Buffer.from(request.body).toString('base64');
      isBase64Encoded = true;
    }
  }
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString,
    cookies,
    headers,
    queryStringParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method.toUpperCase(),
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded,
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A Lambda context for local invocations. */
export function localLambdaContext(options: { readonly functionName?: string; readonly timeoutMs?: number } = {}): Context {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const functionName = options.functionName ?? 'items-api-local';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
