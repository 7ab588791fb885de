import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

/** One route of the API and what it needs (the service contract's `RouteAuthorization`). */
export interface LocalRoute {
  readonly routeKey: string;
  readonly authorized: boolean;
  readonly scopes: readonly string[];
}

/** Props of {@link LocalJwtAuthorizer}. */
export interface LocalJwtAuthorizerProps {
  /** Tokens' `iss` must equal it; its discovery document names the JWKS. */
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly routes: readonly LocalRoute[];
  /** How long fetched keys are trusted without asking the issuer again. @default 7200000 (two hours) */
  readonly keyCacheMs?: number;
}

/** The authorizer's verdict: the request goes on (with the claims, if authorized), or gets this answer. */
export type AuthorizerVerdict =
  | { readonly allowed: true; readonly routeKey: string; readonly jwt?: { readonly claims: Record<string, string>; readonly scopes: string[] } }
  | { readonly allowed: false; readonly routeKey: string; readonly response: APIGatewayProxyStructuredResultV2 };

/**
 * What an API Gateway HTTP API's JWT authorizer does, for a local region: pick the
 * route as API Gateway would, and on an authorized route take the bearer token from
 * `Authorization`, check its RS256 signature against the issuer's JWKS (found through
 * the discovery document, then cached), `iss`, `aud` (or `client_id` when there is no
 * `aud`), `exp`, `nbf`, and one of the route's scopes (`scope` or `scp`). It answers
 * 401 `{"message":"Unauthorized"}` or 403 `{"message":"Forbidden"}` as API Gateway does,
 * with the reason in `www-authenticate`. Every region runs its own, so a region (or the
 * issuer) going away does not stop the others validating tokens with cached keys.
 */
export class LocalJwtAuthorizer {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly props: LocalJwtAuthorizerProps) {}

  /** Decides on one request (an API Gateway v2 event, header names in lower case). */
  async authorize(event: Pick<APIGatewayProxyEventV2, 'headers' | 'rawPath'> & { requestContext?: { http?: { method?: string } } }): Promise<AuthorizerVerdict> {
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const route = selectRoute(this.props.routes, method, event.rawPath ?? '/');
    if (!route || !route.authorized) return { allowed: true, routeKey: route?.routeKey ?? '$default' };
    const deny = (status: 401 | 403, error: string, description: string): AuthorizerVerdict => ({
      allowed: false,
      routeKey: route.routeKey,
      response: {
        statusCode: status,
        headers: {
          'content-type': 'application/json',
          'www-authenticate': `Bearer scope="${route.scopes.join(' ')}" error="${error}" error_description="${description}"`,
        },
        body: JSON.stringify({ message: status === 401 ? 'Unauthorized' : 'Forbidden' }),
      },
    });

    const header = headerValue(event.headers, 'authorization');
    if (!header) return deny(401, 'invalid_request', 'the Authorization header is missing');
    // API Gateway strips a leading "Bearer "; anything else is taken as the token and fails below.
    const token = /^bearer /i.test(header) ? header.slice(7).trim() : header.trim();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keys(), {
        issuer: this.props.issuer,
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      return deny(401, 'invalid_token', describe(err));
    }
    const audiences = payload.aud === undefined ? [payload.client_id] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.some((a) => typeof a === 'string' && this.props.audiences.includes(a))) {
      return deny(401, 'invalid_token', 'the token is not for this audience');
    }
    const scopes = tokenScopes(payload);
    if (route.scopes.length > 0 && !route.scopes.some((s) => scopes.includes(s))) {
      return deny(403, 'insufficient_scope', `the route needs one of: ${route.scopes.join(' ')}`);
    }
    return { allowed: true, routeKey: route.routeKey, jwt: { claims: flatten(payload), scopes } };
  }

  /** Fetches the discovery document and keys now (API Gateway does it on first use). */
  async warm(): Promise<void> {
    const jwks = await this.keys();
    await jwks.reload();
  }

  private async keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    const discovery = `${this.props.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(discovery, { signal: AbortSignal.timeout(1500) });
    if (!res.ok) throw new Error(`the issuer's discovery document ${discovery} answered ${res.status}`);
    const { jwks_uri: uri } = (await res.json()) as { jwks_uri?: string };
    if (!uri) throw new Error(`the issuer's discovery document ${discovery} names no jwks_uri`);
    const cacheMaxAge = this.props.keyCacheMs ?? 7_200_000;
    this.jwks = createRemoteJWKSet(new URL(uri), { cacheMaxAge, cooldownDuration: 30_000, timeoutDuration: 1500 });
    return this.jwks;
  }
}

/**
 * API Gateway's route selection: the most specific path wins (literal segments over
 * `{param}`, anything over `{proxy+}`), a route's own method over `ANY`, else `$default`.
 */
export function selectRoute(routes: readonly LocalRoute[], method: string, path: string): LocalRoute | undefined {
  let best: { route: LocalRoute; rank: number[] } | undefined;
  const segments = path.split('/').slice(1);
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    const [routeMethod, routePath] = route.routeKey.split(' ');
    if (routeMethod !== method && routeMethod !== 'ANY') continue;
    const rank = matchRank(routePath.split('/').slice(1), segments);
    if (!rank) continue;
    const full = [...rank, routeMethod === method ? 1 : 0];
    if (!best || compare(full, best.rank) > 0) best = { route, rank: full };
  }
  return best?.route ?? routes.find((r) => r.routeKey === '$default');
}

function matchRank(pattern: string[], segments: string[]): number[] | undefined {
  let literals = 0;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (/^\{\w+\+\}$/.test(p)) return segments.length > i && segments.slice(i).join('/') !== '' ? [0, literals] : undefined;
    if (i >= segments.length) return undefined;
    if (/^\{\w+\}$/.test(p)) {
      if (segments[i] === '') return undefined;
    } else if (p !== segments[i]) return undefined;
    else literals++;
  }
  return pattern.length === segments.length ? [1, literals] : undefined;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function headerValue(headers: APIGatewayProxyEventV2['headers'] | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

function tokenScopes(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

// API Gateway hands claims to the function as strings; arrays as "[a b]".
function flatten(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    out[k] = typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  }
  return out;
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'the token is not valid yet';
    if (err.claim === 'iss') return 'the token has another issuer';
    return `the token's ${err.claim} claim is invalid`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not allowed';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'the token is malformed';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token';
  return `the token could not be validated (${(err as Error)?.message ?? String(err)})`;
}
