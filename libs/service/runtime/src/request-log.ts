// The request id that follows a request across CloudFront, the regional API and the
// function, and the decision which requests get an info line.

/** The header a request id travels in, both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';
/** The id CloudFront gives every request it forwards (its logs call it `x-edge-request-id`). */
export const CLOUDFRONT_ID_HEADER = 'x-amz-cf-id';

// A client-supplied id is echoed in a header and logged: keep it short and inert.
const VALID_REQUEST_ID = /^[\w.:=+/-]{1,128}$/;

/** Where the ids of one request come from. */
export interface RequestIds {
  /** The id to log and return: the caller's `x-request-id`, else CloudFront's id, else the Lambda request id. */
  readonly requestId: string;
  /** CloudFront's id, when the request came through CloudFront. */
  readonly edgeRequestId?: string;
}

/**
 * The request id of a request: a valid `x-request-id` the caller sent, else the id
 * CloudFront forwarded (so the edge's log line and the function's share it), else
 * `fallback` (the Lambda request id). `headers` are payload-2.0 headers (lower case).
 */
export function requestIds(headers: Readonly<Record<string, string | undefined>> | undefined, fallback: string): RequestIds {
  const given = headers?.[REQUEST_ID_HEADER];
  const edge = headers?.[CLOUDFRONT_ID_HEADER];
  const edgeRequestId = edge && VALID_REQUEST_ID.test(edge) ? edge : undefined;
  const requestId = given && VALID_REQUEST_ID.test(given) ? given : (edgeRequestId ?? fallback);
  return edgeRequestId ? { requestId, edgeRequestId } : { requestId };
}

/** Options of {@link RequestLogSampler}. */
export interface RequestLogSamplerOptions {
  /** Fraction of ordinary requests that get an info line, 0-1. @default 0.05 */
  readonly sampleRate?: number;
  /** A request at least this slow is always logged, milliseconds. @default 1000 */
  readonly slowRequestMs?: number;
  /** Source of randomness in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** Why a request is logged, or `undefined` when it is not. */
export type LogReason = 'error' | 'slow' | 'sampled';

/**
 * Decides which requests are logged: every error response (status 400 and above),
 * every slow request, and a sample of the rest. Sampling keeps the log line
 * (serialising, writing to stdout) off the hot path of most requests.
 */
export class RequestLogSampler {
  readonly sampleRate: number;
  readonly slowRequestMs: number;
  private readonly random: () => number;

  constructor(options: RequestLogSamplerOptions = {}) {
    this.sampleRate = options.sampleRate ?? 0.05;
    this.slowRequestMs = options.slowRequestMs ?? 1000;
    if (!(this.sampleRate >= 0 && this.sampleRate <= 1)) throw new Error(`sampleRate must be from 0 to 1, got ${this.sampleRate}`);
    if (!(this.slowRequestMs >= 0)) throw new Error(`slowRequestMs must not be negative, got ${this.slowRequestMs}`);
    this.random = options.random ?? Math.random;
  }

  /** Why a request with `status` that took `latencyMs` is logged, or undefined. */
  reason(status: number, latencyMs: number): LogReason | undefined {
    if (status >= 400) return 'error';
    if (latencyMs >= this.slowRequestMs) return 'slow';
    if (this.sampleRate >= 1 || (this.sampleRate > 0 && this.random() < this.sampleRate)) return 'sampled';
    return undefined;
  }
}

/** Reads the sampler's options from the Lambda environment; bad values fall back to the defaults and are reported. */
export function samplerOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  names: { readonly sampleRate: string; readonly slowRequestMs: string },
): { options: RequestLogSamplerOptions; problems: string[] } {
  const problems: string[] = [];
  const read = (name: string, ok: (v: number) => boolean, hint: string): number | undefined => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!ok(value)) {
      problems.push(`${name} must be ${hint}, got "${raw}"`);
      return undefined;
    }
    return value;
  };
  const sampleRate = read(names.sampleRate, (v) => v >= 0 && v <= 1, 'a number from 0 to 1');
  const slowRequestMs = read(names.slowRequestMs, (v) => Number.isInteger(v) && v >= 0, 'a whole number of milliseconds');
  return {
    options: { ...(sampleRate !== undefined ? { sampleRate } : {}), ...(slowRequestMs !== undefined ? { slowRequestMs } : {}) },
    problems,
  };
}
