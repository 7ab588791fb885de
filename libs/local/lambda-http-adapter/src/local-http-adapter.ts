import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { localLambdaContext, toApiGatewayEvent } from './api-gateway-event';

/** A Lambda handler for API Gateway HTTP API (payload format 2.0) events. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** Options of {@link LocalHttpAdapter.start}. */
export interface LocalHttpAdapterOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Largest body read, in bytes; API Gateway's own limit is 10 MB. @default 10485760 */
  readonly maxBodyBytes?: number;
}

/**
 * Serves a Lambda handler over plain HTTP on 127.0.0.1, translating each request into
 * the API Gateway v2 event and the handler's result back into a response, the way
 * the `$default` route does. For local runs and load benchmarks, not for production.
 */
export class LocalHttpAdapter {
  /** Starts serving; resolves once listening. */
  static async start(handler: HttpApiHandler, options: LocalHttpAdapterOptions = {}): Promise<LocalHttpAdapter> {
    const server = createServer((req, res) => {
      serve(handler, req, res, options.maxBodyBytes ?? 10 * 1024 * 1024).catch((err: unknown) => {
        // The handler must not throw; if it does, answer like API Gateway does.
        process.stderr.write(`local-http-adapter: handler failed: ${(err as Error)?.stack ?? String(err)}\n`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"message":"Internal Server Error"}');
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return new LocalHttpAdapter(server);
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;

  private constructor(private readonly server: Server) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Stops accepting connections, closes idle ones and resolves when closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function serve(handler: HttpApiHandler, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) {
      res.writeHead(413, { 'content-type': 'application/json' }).end('{"message":"Request Entity Too Large"}');
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const event = toApiGatewayEvent({
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    headers: req.headers,
    body: chunks.length ? Buffer.concat(chunks) : undefined,
  });
  const result = await handler(event, localLambdaContext());
  // A bare string/object result is shorthand for 200 JSON, as in API Gateway.
  const structured = typeof result === 'object' && result !== null && 'statusCode' in result ? result : { statusCode: 200, body: JSON.stringify(result) };
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(structured.headers ?? {})) headers[k] = String(v);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = structured.body === undefined ? undefined : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(body);
}
