import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** Options of {@link LocalIssuer.start}. */
export interface LocalIssuerOptions {
  /** Audience of the tokens it mints unless told otherwise. */
  readonly audience: string;
  /** Every scope of the service: what `/token` grants when asked for none. @default [] */
  readonly scopes?: readonly string[];
  /** @default - a free port */
  readonly port?: number;
  /** Lifetime of minted tokens. @default 3600 */
  readonly tokenLifetimeSeconds?: number;
}

/** The `sub` of a token minted without one (the dev token's). */
export const LOCAL_DEFAULT_SUBJECT = 'local-developer';

/** What {@link LocalIssuer.mint} puts in a token; every field has a sensible default. */
export interface MintOptions {
  /** @default - every scope of the service */
  readonly scopes?: readonly string[];
  /** @default "local-developer" */
  readonly subject?: string;
  /** @default - the issuer's audience */
  readonly audience?: string | readonly string[];
  /** Seconds until `exp` (negative: already expired). @default the issuer's token lifetime */
  readonly expiresInSeconds?: number;
  /** Seconds from now until `nbf`. @default 0 */
  readonly notBeforeInSeconds?: number;
  /** The `iss` claim, for tests of a token that names another issuer. @default - this issuer's URL */
  readonly issuer?: string;
  /** More claims (they cannot replace iss, exp or nbf). @default - none */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/**
 * A local OIDC issuer on 127.0.0.1 for `npm run dev`: an RS256 key pair generated at
 * start (never written anywhere), the standard discovery document
 * (`/.well-known/openid-configuration`), the JWKS, and a `POST /token` endpoint that
 * mints access tokens for whatever scopes it is asked for (a development convenience
 * no real issuer offers without client authentication). Tokens look like an external
 * IdP's access tokens: `iss`, `sub`, `aud`, `iat`, `nbf`, `exp`, `scope`, `jti`.
 */
export class LocalIssuer {
  static async start(options: LocalIssuerOptions): Promise<LocalIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const issuer = new LocalIssuer(options, privateKey, kid, jwk);
    await new Promise<void>((resolve, reject) => {
      issuer.server.once('error', reject);
      issuer.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    issuer.port = (issuer.server.address() as AddressInfo).port;
    return issuer;
  }

  port = 0;
  private readonly server: Server;
  private running = true;

  private constructor(
    private readonly options: LocalIssuerOptions,
    private readonly privateKey: CryptoKey,
    private readonly kid: string,
    private readonly publicJwk: JWK,
  ) {
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((err: unknown) => json(res, 500, { error: 'server_error', error_description: (err as Error)?.message ?? String(err) }));
    });
  }

  /** The `iss` of its tokens, e.g. `http://127.0.0.1:41234` (API Gateway would insist on https). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Signs an access token. Works while the server is stopped (the key stays in memory). */
  async mint(options: MintOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const scopes = options.scopes ?? this.options.scopes ?? [];
    return new SignJWT({ ...options.claims, scope: scopes.join(' '), jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'at+jwt' })
      .setIssuer(options.issuer ?? this.url)
      .setSubject(options.subject ?? LOCAL_DEFAULT_SUBJECT)
      .setAudience(typeof options.audience === 'string' ? options.audience : options.audience ? [...options.audience] : this.options.audience)
      .setIssuedAt(now)
      .setNotBefore(now + (options.notBeforeInSeconds ?? 0))
      .setExpirationTime(now + (options.expiresInSeconds ?? this.options.tokenLifetimeSeconds ?? 3600))
      .sign(this.privateKey);
  }

  /** Stops serving discovery and keys: what an IdP outage looks like to the regions. */
  stop(): Promise<void> {
    this.running = false;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: this.url,
        jwks_uri: `${this.url}/.well-known/jwks.json`,
        token_endpoint: `${this.url}/token`,
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: [...(this.options.scopes ?? [])],
      });
    }
    if (req.method === 'GET' && path === '/.well-known/jwks.json') return json(res, 200, { keys: [this.publicJwk] });
    if (req.method === 'POST' && path === '/token') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let body: { scopes?: unknown; subject?: unknown };
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        return json(res, 400, { error: 'invalid_request', error_description: 'the body must be JSON: {"scopes": ["items:read"], "subject": "..."}' });
      }
      const scopes = body.scopes === undefined ? undefined : Array.isArray(body.scopes) && body.scopes.every((s) => typeof s === 'string') ? (body.scopes as string[]) : null;
      if (scopes === null) return json(res, 400, { error: 'invalid_scope', error_description: 'scopes must be an array of strings' });
      const token = await this.mint({ scopes, subject: typeof body.subject === 'string' ? body.subject : undefined });
      return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: this.options.tokenLifetimeSeconds ?? 3600 });
    }
    json(res, 404, { error: 'not_found', error_description: `no ${req.method} ${path} here; try /.well-known/openid-configuration` });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
