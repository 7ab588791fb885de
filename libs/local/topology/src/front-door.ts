import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ORIGIN_FAILOVER, PRIMARY_ORIGIN_ID, type ReadFailover, SECONDARY_ORIGIN_ID, readFailoverFunctionCode, regionOfReadsOrigin } from '@platform/config';
import type { EdgeCache } from './edge-cache';
import type { RegionRouter } from './region-router';
import { ViewerRequestFunction } from './viewer-request-function';

/** Props of {@link FrontDoor.start}. */
export interface FrontDoorProps {
  /** Picks the region of each request that is not served from the cache. */
  readonly router: RegionRouter;
  /** Base URL of a region's API. */
  readonly originOf: (region: string) => string;
  /** The GET cache in front of the routing. @default - no cache */
  readonly cache?: EdgeCache;
  /** Put the Authorization header in the cache key (services with auth on). @default false */
  readonly varyOnAuthorization?: boolean;
  /** @default - a free port */
  readonly port?: number;
  /** Give up on a region's answer after this long: 504 (CloudFront's origin response timeout). @default 30000 */
  readonly originTimeoutMs?: number;
  /** Largest request body accepted. @default 10485760 (API Gateway's limit) */
  readonly maxBodyBytes?: number;
  /** Called once per request answered. */
  readonly onRequest?: (entry: FrontDoorRequest) => void;
  /**
   * Headers added to every request sent to a region, replacing any a client sent under
   * the same name (CloudFront's custom origin headers: the origin secret).
   * @default - none
   */
  readonly originHeaders?: Readonly<Record<string, string>>;
  /**
   * Add the security headers of the distribution's response headers policy (HSTS,
   * nosniff, frame options, referrer policy) to every answer.
   * @default true
   */
  readonly securityHeaders?: boolean;
  /**
   * Pages the front door answers itself (the platform's status page), by path; they
   * are neither cached nor routed nor counted. @default - none
   */
  readonly platformPages?: (path: string) => PlatformPage | undefined;
  /**
   * Origin failover, as the distribution does it: the same viewer-request function
   * (`readFailoverFunctionCode(failover)`, run here in a V8 context, drawing with the
   * router's random source) decides per request whether a read gets an origin group, and
   * of which origins. Each origin resolves as Route53 would answer its name: `regional`
   * through the router, `secondary` the ring's secondary, `reads-<region>` that region's
   * read name. A read whose first origin answers with one of the group's status codes,
   * or cannot connect within ORIGIN_FAILOVER's connection timeout, is sent once to the
   * second. Writes under the same paths stay on `regional`.
   * @default - no failover
   */
  readonly failover?: ReadFailover;
}

/** A page the front door answers itself. */
export interface PlatformPage {
  readonly contentType: string;
  readonly body: string;
}

/** What the platform's response headers policy adds, as CloudFront would (overriding the origin's). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** One request the front door answered. */
export interface FrontDoorRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Region that answered; undefined for a cache hit. */
  readonly region?: string;
  readonly cache: 'hit' | 'miss' | 'bypass';
  readonly latencyMs: number;
  /** The primary region that failed when the answer came from the secondary (origin failover). */
  readonly failedOverFrom?: string;
}

// Connection-level headers are not forwarded by proxies (RFC 9110 section 7.6.1).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate', 'host']);
const VIA = '1.1 local-front-door';

/**
 * The one URL of the service, as `api.<domain>` is in AWS: a GET cache (CloudFront's
 * role) in front of a router that sends each request to one region's API (Route53's
 * role for `regional.<domain>`). The response says where it came from: `x-cache`
 * (`Hit from local-edge` / `Miss from local-edge`) and `x-local-region`.
 *
 * Like DNS-based routing, a request sent to a region that has failed but not yet
 * failed its health checks is not retried elsewhere: the client gets a 502 (504 on
 * timeout) and retries, until the health checks take the region out.
 */
export class FrontDoor {
  static async start(props: FrontDoorProps): Promise<FrontDoor> {
    const door = new FrontDoor(props);
    await new Promise<void>((resolve, reject) => {
      door.server.once('error', reject);
      door.server.listen(props.port ?? 0, '127.0.0.1', () => resolve());
    });
    door.port = (door.server.address() as AddressInfo).port;
    return door;
  }

  port = 0;
  private readonly server: Server;
  private readonly readFailover: ViewerRequestFunction | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  private constructor(private readonly props: FrontDoorProps) {
    this.readFailover = props.failover ? new ViewerRequestFunction(readFailoverFunctionCode(props.failover), props.router.randomSource) : undefined;
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'front_door_error', message: `the local front door failed: ${(err as Error)?.message ?? String(err)}` } }));
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  /** e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops accepting requests, drops open connections and resolves when closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      this.agent.destroy();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = q < 0 ? '' : rawUrl.slice(q + 1);
    let failedOverFrom: string | undefined;
    const done = (status: number, region: string | undefined, cache: FrontDoorRequest['cache']) =>
      this.props.onRequest?.({ method, path, status, region, cache, latencyMs: performance.now() - started, ...(failedOverFrom ? { failedOverFrom } : {}) });

    const page = method === 'GET' ? this.props.platformPages?.(path) : undefined;
    if (page) {
      req.resume();
      res.writeHead(200, { 'content-type': page.contentType, 'cache-control': 'no-store' }).end(page.body);
      return;
    }

    const body = await readBody(req, this.props.maxBodyBytes ?? 10 * 1024 * 1024);
    if (!body) {
      res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'request_too_large', message: 'the request body is over 10 MB' } }));
      return done(413, undefined, 'bypass');
    }

    const cache = this.props.cache;
    const authorization = this.props.varyOnAuthorization ? String(req.headers.authorization ?? '') : undefined;
    const key = cache?.keyOf(method, path, query, authorization);
    const security = this.props.securityHeaders === false ? {} : SECURITY_HEADERS;
    if (cache && key) {
      const hit = cache.lookup(key);
      if (hit) {
        const age = Math.floor((Date.now() - hit.storedAt) / 1000);
        res.writeHead(hit.status, { ...hit.headers, ...security, age: String(age), 'x-cache': 'Hit from local-edge', via: VIA });
        res.end(method === 'HEAD' ? undefined : hit.body);
        return done(hit.status, undefined, 'hit');
      }
    }
    const ticket = cache && key ? cache.ticket(key, path) : undefined;
    const group = this.readFailover?.originGroupFor(method, path);
    // Each origin's name is resolved when it is tried, as CloudFront resolves it.
    let region = group ? this.resolveOrigin(group.originIds[0].originId) : this.props.router.pick();
    let origin = this.props.originOf(region);
    const canFailOver = group !== undefined;
    const cacheState: FrontDoorRequest['cache'] = key ? 'miss' : 'bypass';
    const common: Record<string, string> = { ...security, 'x-local-region': region, 'x-cache': `${key ? 'Miss' : 'Bypass'} from local-edge`, via: VIA };

    let answer: Answer;
    try {
      // Wrapped, not `instanceof Error`: errors of Node's own modules may come from another realm.
      let first: { readonly answer: Answer } | { readonly error: unknown };
      try {
        first = { answer: await this.forward(origin, method, rawUrl, req.headers, req.socket.remoteAddress, body, canFailOver) };
      } catch (error) {
        if (!canFailOver) throw error;
        first = { error };
      }
      const failed = canFailOver && ('error' in first || (group?.failoverCriteria.statusCodes ?? []).includes(first.answer.status));
      const secondary = failed && group?.originIds[1] ? this.resolveOrigin(group.originIds[1].originId) : undefined;
      if (secondary && secondary !== region) {
        failedOverFrom = region;
        region = secondary;
        origin = this.props.originOf(region);
        common['x-local-region'] = region;
        common['x-local-failover'] = `from ${failedOverFrom}`;
        answer = await this.forward(origin, method, rawUrl, req.headers, req.socket.remoteAddress, body, true);
      } else if ('error' in first) {
        throw first.error;
      } else {
        answer = first.answer;
      }
    } catch (err) {
      const timedOut = (err as Error)?.message?.startsWith('no answer');
      const status = timedOut ? 504 : 502;
      const payload = Buffer.from(
        JSON.stringify({
          error: {
            code: timedOut ? 'origin_timeout' : 'origin_unreachable',
            message:
              `the front door could not get an answer from the ${region} API (${origin}): ${(err as Error)?.message ?? String(err)}. ` +
              'Requests keep going there until its health checks fail; retry (with the same Idempotency-Key for a POST).',
          },
        }),
      );
      const headers = { 'content-type': 'application/json', 'cache-control': 'no-store', ...common };
      // CloudFront keeps its own error answer to a GET for the error caching minimum TTL.
      if (ticket && method === 'GET') cache!.storeError(ticket, status, headers, payload);
      res.writeHead(status, headers).end(payload);
      return done(status, region, cacheState);
    }
    if (ticket && method === 'GET') cache!.store(ticket, answer.status, answer.headers, answer.body);
    res.writeHead(answer.status, { ...answer.headers, ...common });
    res.end(method === 'HEAD' ? undefined : answer.body);
    done(answer.status, region, cacheState);
  }

  /** The region an origin id's name resolves to now, as Route53 would answer it. */
  private resolveOrigin(originId: string): string {
    const router = this.props.router;
    if (originId === PRIMARY_ORIGIN_ID) return router.pick();
    if (originId === SECONDARY_ORIGIN_ID) return router.secondary() ?? router.pick();
    const region = regionOfReadsOrigin(originId);
    if (region !== undefined) return router.readsTarget(region);
    throw new Error(`the viewer-request function named origin "${originId}", which the local front door does not know`);
  }

  private forward(
    origin: string,
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    clientIp: string | undefined,
    body: Buffer,
    fastConnect = false,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    const target = new URL(rawUrl, origin);
    const outHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) outHeaders[name] = value;
    for (const [name, value] of Object.entries(this.props.originHeaders ?? {})) outHeaders[name.toLowerCase()] = value;
    outHeaders['x-forwarded-for'] = [headers['x-forwarded-for'], clientIp].filter(Boolean).join(', ');
    outHeaders.via = VIA;
    if (body.length > 0) outHeaders['content-length'] = String(body.length);
    const timeoutMs = this.props.originTimeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = request(target, { method, headers: outHeaders, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      // The origin group's connection timeout (one attempt): a region that does not
      // accept the connection in time is given up on, and the secondary tried.
      if (fastConnect) {
        const connectMs = ORIGIN_FAILOVER.connectionTimeoutSeconds * 1000;
        req.once('socket', (socket) => {
          if (!socket.connecting) return;
          const timer = setTimeout(() => req.destroy(new Error(`no connection within ${connectMs} ms`)), connectMs);
          socket.once('connect', () => clearTimeout(timer));
          socket.once('close', () => clearTimeout(timer));
        });
      }
      req.on('error', reject);
      req.end(body.length > 0 ? body : undefined);
    });
  }
}

/** A region's answer, as forwarded. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
