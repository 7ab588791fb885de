import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A CreateInvalidation call the fake received. */
export interface ReceivedInvalidation {
  readonly distributionId: string;
  readonly paths: string[];
  readonly callerReference: string;
}

/** A stand-in for the CloudFront API on 127.0.0.1. */
export interface FakeCloudFront {
  readonly endpoint: string;
  readonly received: ReceivedInvalidation[];
  /** When true, every call gets a 503 ServiceUnavailable. */
  failing: boolean;
  close(): Promise<void>;
}

/** Answers CreateInvalidation like CloudFront (REST-XML), recording each call. */
export async function startFakeCloudFront(): Promise<FakeCloudFront> {
  const fake: { -readonly [K in keyof FakeCloudFront]: FakeCloudFront[K] } = {
    endpoint: '',
    received: [],
    failing: false,
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const m = /^\/2020-05-31\/distribution\/([^/]+)\/invalidation$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) {
        res.writeHead(404).end();
        return;
      }
      if (fake.failing) {
        res
          .writeHead(503, { 'content-type': 'text/xml' })
          .end('<?xml version="1.0"?><ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>try later</Message></Error><RequestId>x</RequestId></ErrorResponse>');
        return;
      }
      const paths = [...body.matchAll(/<Path>([^<]*)<\/Path>/g)].map((p) => p[1]);
      const callerReference = /<CallerReference>([^<]*)<\/CallerReference>/.exec(body)?.[1] ?? '';
      fake.received.push({ distributionId: m[1], paths, callerReference });
      const id = `I${fake.received.length}`;
      res.writeHead(201, { 'content-type': 'text/xml', location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${m[1]}/invalidation/${id}` }).end(
        `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>${id}</Id><Status>InProgress</Status>` +
          `<CreateTime>2030-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>${paths.length}</Quantity><Items>${paths.map((p) => `<Path>${p}</Path>`).join('')}</Items></Paths>` +
          `<CallerReference>${callerReference}</CallerReference></InvalidationBatch></Invalidation>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}
