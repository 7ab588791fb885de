import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EdgeCache } from './edge-cache';

/** Props of {@link CloudFrontApi.start}. */
export interface CloudFrontApiProps {
  /** The distribution id the handlers are given (DISTRIBUTION_ID). */
  readonly distributionId: string;
  readonly cache: EdgeCache;
  /** @default - a free port */
  readonly port?: number;
  /** Called for every invalidation received. */
  readonly onInvalidation?: (paths: readonly string[], callerReference: string) => void;
}

/**
 * The CloudFront API of the local topology: answers `CreateInvalidation` (REST-XML,
 * API version 2020-05-31) by invalidating the front door's {@link EdgeCache}, so the
 * handler's real CloudFront client (pointed here with `AWS_ENDPOINT_URL_CLOUDFRONT`)
 * drives the local cache exactly as it drives CloudFront.
 *
 * The invalidation is complete before the answer is sent (status `Completed`); CloudFront
 * answers `InProgress` and takes seconds to minutes to finish.
 */
export class CloudFrontApi {
  static async start(props: CloudFrontApiProps): Promise<CloudFrontApi> {
    const api = new CloudFrontApi(props);
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(props.port ?? 0, '127.0.0.1', () => resolve());
    });
    api.port = (api.server.address() as AddressInfo).port;
    return api;
  }

  /** Invalidations received, in order. */
  readonly received: { readonly paths: readonly string[]; readonly callerReference: string }[] = [];
  private readonly server: Server;
  private readonly callerReferences = new Map<string, string>();

  private constructor(private readonly props: CloudFrontApiProps) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const m = /^\/2020-05-31\/distribution\/([^/?]+)\/invalidation\/?$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !m) {
          res.writeHead(404, { 'content-type': 'text/xml' }).end(errorXml('Sender', 'NotImplemented', `the local CloudFront API only implements CreateInvalidation, not ${req.method} ${req.url}`));
          return;
        }
        const distributionId = decodeURIComponent(m[1]);
        if (distributionId !== props.distributionId) {
          res.writeHead(404, { 'content-type': 'text/xml' }).end(errorXml('Sender', 'NoSuchDistribution', `The specified distribution does not exist: ${distributionId}`));
          return;
        }
        const paths = [...body.matchAll(/<Path>([^<]*)<\/Path>/g)].map((p) => unescapeXml(p[1]));
        const callerReference = unescapeXml(/<CallerReference>([^<]*)<\/CallerReference>/.exec(body)?.[1] ?? '');
        if (paths.length === 0 || !callerReference) {
          res.writeHead(400, { 'content-type': 'text/xml' }).end(errorXml('Sender', 'InvalidArgument', 'an invalidation needs at least one path and a CallerReference'));
          return;
        }
        // The same CallerReference again is the same invalidation (CloudFront returns the first).
        let id = this.callerReferences.get(callerReference);
        if (!id) {
          props.cache.invalidate(paths);
          this.received.push({ paths, callerReference });
          props.onInvalidation?.(paths, callerReference);
          id = `LOCAL${this.received.length}`;
          this.callerReferences.set(callerReference, id);
        }
        res
          .writeHead(201, { 'content-type': 'text/xml', location: `${this.endpoint}/2020-05-31/distribution/${distributionId}/invalidation/${id}` })
          .end(
            `<?xml version="1.0" encoding="UTF-8"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>${id}</Id><Status>Completed</Status>` +
              `<CreateTime>${new Date().toISOString()}</CreateTime><InvalidationBatch><Paths><Quantity>${paths.length}</Quantity><Items>` +
              `${paths.map((p) => `<Path>${escapeXml(p)}</Path>`).join('')}</Items></Paths><CallerReference>${escapeXml(callerReference)}</CallerReference>` +
              `</InvalidationBatch></Invalidation>`,
          );
      });
    });
  }

  port = 0;

  /** Base URL for `AWS_ENDPOINT_URL_CLOUDFRONT`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function errorXml(type: string, code: string, message: string): string {
  return `<?xml version="1.0"?><ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
