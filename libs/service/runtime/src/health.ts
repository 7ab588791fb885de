import { jsonResponse } from './response';
import { roundMs } from './logging';
import { ServiceError } from './service-error';
import type { Outcome } from './service-handler';

/** Options of {@link healthCheck}. */
export interface HealthCheckOptions {
  readonly region: string;
  /** Proves the dependency answers (e.g. reads one absent record); rejects otherwise. */
  readonly ping: (options: { readonly abortSignal: AbortSignal }) => Promise<void>;
  /** How long to wait for `ping`. Route53 wants an answer within 2 s. @default 1000 */
  readonly timeoutMs?: number;
  /** What `ping` reaches, for the 503 message. @default "the service table" */
  readonly dependency?: string;
}

/**
 * The deep health check behind `GET /health`: 200 `{status: "ok", region, latencyMs}`
 * when the dependency answers in time, else 503 `unhealthy` with `Retry-After`
 * (Route53 takes the region out of DNS). Never cached.
 */
export async function healthCheck(options: HealthCheckOptions): Promise<Outcome> {
  const started = performance.now();
  const { region } = options;
  const timeoutMs = options.timeoutMs ?? 1000;
  const dependency = options.dependency ?? 'the service table';
  try {
    await options.ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
    return { response: jsonResponse(200, { status: 'ok', region, latencyMs: roundMs(performance.now() - started) }) };
  } catch (err) {
    const latencyMs = roundMs(performance.now() - started);
    const timedOut = err instanceof ServiceError && err.code === 'timeout';
    const message = timedOut ? `${dependency} in ${region} did not answer within ${timeoutMs} ms` : `${dependency} in ${region} could not be read`;
    return { response: jsonResponse(503, { error: { code: 'unhealthy', message }, status: 'unhealthy', region, latencyMs }, { 'retry-after': '5' }), failure: err };
  }
}
