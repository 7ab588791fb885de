import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContinuousWriter } from './continuous-writer';

describe('ContinuousWriter', () => {
  let server: Server;
  let url: string;
  let answer = 503;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (answer === 201) res.writeHead(201, { 'content-type': 'application/json', 'x-local-region': 'eu-west-1' }).end(JSON.stringify({ id: `item-${Math.random()}` }));
        else res.writeHead(answer).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('given writes that are never acknowledged, when aborted, then it stops at once and leaves the writes unacknowledged', async () => {
    answer = 503;
    const writer = new ContinuousWriter({ url, concurrency: 2, retryDelayMs: 5 });
    writer.start();
    await new Promise((r) => setTimeout(r, 100));
    await writer.abort();
    const attempts = writer.writes.reduce((n, w) => n + w.attempts.length, 0);
    expect(writer.writes).toHaveLength(2);
    expect(writer.acknowledged).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(writer.writes.reduce((n, w) => n + w.attempts.length, 0)).toBe(attempts);
  });

  it('given a server that acknowledges, when stopped, then every write it started is acknowledged with the answering region', async () => {
    answer = 201;
    const writer = new ContinuousWriter({ url, retryDelayMs: 5 });
    writer.start();
    await writer.waitForAcknowledged(5);
    await writer.stop();
    expect(writer.writes.every((w) => w.ackedAt !== undefined && w.ackRegion === 'eu-west-1')).toBe(true);
  });
});
