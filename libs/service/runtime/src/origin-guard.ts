import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LAMBDA_ENVIRONMENT, ORIGIN_SECRET_HEADER } from '@platform/config/lambda-environment';

/**
 * Refuses requests that did not come through the edge: CloudFront adds the origin
 * secret header to every request it sends to a region; a request to the regional
 * domain without an accepted value gets a 403 before any business code runs. The
 * health check (`GET /health`, which Route53 calls on each region's own name) is let
 * through; it reveals only the region's health. Two values are accepted while the
 * secret rotates.
 */
export class OriginGuard {
  private readonly accepted: readonly Buffer[];

  /** `acceptedValues` undefined: the service has no edge in front, nothing to check. */
  constructor(
    acceptedValues: readonly string[] | undefined,
    private readonly healthPath = '/health',
  ) {
    this.accepted = (acceptedValues ?? []).map((v) => Buffer.from(v, 'utf8'));
    this.enabled = acceptedValues !== undefined;
  }

  readonly enabled: boolean;

  /** The 403 for a request that bypassed the edge, or undefined to let it through. */
  check(event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 | undefined {
    if (!this.enabled) return undefined;
    if (event?.rawPath === this.healthPath && (event.requestContext?.http?.method ?? 'GET') === 'GET') return undefined;
    const sent = headerValue(event?.headers, ORIGIN_SECRET_HEADER);
    if (sent !== undefined && this.accepts(sent)) return undefined;
    return {
      statusCode: 403,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      body: JSON.stringify({ error: { code: 'forbidden', message: 'this endpoint is reached through the service\'s edge (CloudFront) only; call api.<service domain>' } }),
    };
  }

  private accepts(sent: string): boolean {
    const given = Buffer.from(sent, 'utf8');
    // Constant time per candidate, so the answer time does not leak a prefix.
    let ok = false;
    for (const value of this.accepted) if (value.length === given.length && timingSafeEqual(value, given)) ok = true;
    return ok;
  }
}

function headerValue(headers: APIGatewayProxyEventV2['headers'] | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * The origin secret values a function accepts, from `ORIGIN_SECRETS` (comma-separated,
 * two during a rotation), as {@link OriginGuard} takes them: undefined when the variable
 * is unset (the service has no edge in front).
 */
export function originSecretsFromEnv(env: NodeJS.ProcessEnv): readonly string[] | undefined {
  const raw = env[LAMBDA_ENVIRONMENT.originSecrets];
  return raw === undefined ? undefined : raw.split(',').map((v) => v.trim()).filter(Boolean);
}
