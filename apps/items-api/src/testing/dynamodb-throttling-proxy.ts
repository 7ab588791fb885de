import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the proxy answers a DynamoDB operation (the `X-Amz-Target` suffix, e.g. `PutItem`). */
export type ThrottleRule = (operation: string) => 'forward' | 'throttle' | 'cancel-throttled';

/** A test proxy in front of DynamoDB Local. */
export interface ThrottlingProxy {
  readonly endpoint: string;
  /** Operations answered with a throttle, in order. */
  readonly throttled: string[];
  close(): Promise<void>;
}

/**
 * Answers chosen DynamoDB operations with the throttling errors DynamoDB sends (HTTP
 * 400 with `ThrottlingException`, or a transaction cancelled for `ThrottlingError`)
 * and forwards the rest to `upstream`, so the SDK's real retry and error parsing run.
 */
export async function startThrottlingProxy(upstream: string, rule: ThrottleRule): Promise<ThrottlingProxy> {
  const target = new URL(upstream);
  const throttled: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const action = rule(operation);
      if (action !== 'forward') {
        throttled.push(operation);
        const body =
          action === 'throttle'
            ? { __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Throughput exceeds the current capacity of your table or index.' }
            : {
                __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
                message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [ThrottlingError, None]',
                CancellationReasons: [{ Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity for one or more global secondary indexes.' }, { Code: 'None' }],
              };
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'THROTTLE' }).end(JSON.stringify(body));
        return;
      }
      const forward = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    throttled,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
