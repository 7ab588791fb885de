import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CloudFrontApi } from './cloudfront-api';
import { EdgeCache } from './edge-cache';
import { ORIGIN_FAILOVER, readFailoverOf } from '@platform/config';
import { FrontDoor, type FrontDoorRequest } from './front-door';
import { RegionRouter } from './region-router';

// Origins are plain HTTP servers standing in for region APIs: the front door's
// routing, caching and invalidation are tested without any JVM.
interface Origin {
  readonly region: string;
  readonly url: string;
  requests: { method: string; url: string; headers: Record<string, unknown>; body: string }[];
  version: number;
  close(): Promise<void>;
}

async function startOrigin(region: string): Promise<Origin> {
  const origin: Partial<Origin> & { requests: Origin['requests']; version: number } = { region, requests: [], version: 1 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      origin.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const cacheControl = req.url!.startsWith('/nostore') ? 'no-store' : 'public, max-age=0, s-maxage=300';
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'cache-control': cacheControl });
      res.end(JSON.stringify({ region, version: origin.version, echo: body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(origin, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  }) as Origin;
}

describe('FrontDoor', () => {
  let eu: Origin;
  let us: Origin;
  let door: FrontDoor;
  let cloudFront: CloudFrontApi;
  let cache: EdgeCache;
  const down = new Set<string>();
  const origins: Record<string, string> = {};

  beforeAll(async () => {
    eu = await startOrigin('eu-west-1');
    us = await startOrigin('us-east-1');
    origins['eu-west-1'] = eu.url;
    origins['us-east-1'] = us.url;
    cache = new EdgeCache({ mode: 'invalidate', ttlSeconds: 3600 });
    const router = new RegionRouter({ policy: 'latency', regions: ['eu-west-1', 'us-east-1'], isHealthy: (r) => !down.has(r) });
    door = await FrontDoor.start({ router, originOf: (r) => origins[r], cache });
    cloudFront = await CloudFrontApi.start({ distributionId: 'EDIST', cache });
  });
  afterAll(async () => {
    await door?.close();
    await cloudFront?.close();
    await eu?.close();
    await us?.close();
  });
  beforeEach(() => {
    down.clear();
    eu.requests = [];
    us.requests = [];
  });

  it('sends a request with its body and headers to the region the router picks, and says which', async () => {
    const res = await fetch(`${door.url}/items?x=1`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k' }, body: '{"name":"a"}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-local-region')).toBe('eu-west-1');
    expect(await res.json()).toMatchObject({ region: 'eu-west-1', echo: '{"name":"a"}' });
    expect(eu.requests[0]).toMatchObject({ method: 'POST', url: '/items?x=1' });
    expect(eu.requests[0].headers['idempotency-key']).toBe('k');
    down.add('eu-west-1');
    const failedOver = await fetch(`${door.url}/items`, { method: 'POST', body: '{}' });
    expect(failedOver.headers.get('x-local-region')).toBe('us-east-1');
  });

  it('serves a repeated GET from its cache, and asks the origin again for no-store answers', async () => {
    const first = await fetch(`${door.url}/items/cached`);
    expect(first.headers.get('x-cache')).toBe('Miss from local-edge');
    const second = await fetch(`${door.url}/items/cached`);
    expect(second.headers.get('x-cache')).toBe('Hit from local-edge');
    expect(await second.json()).toMatchObject({ version: 1 });
    await fetch(`${door.url}/nostore`);
    await fetch(`${door.url}/nostore`);
    expect(eu.requests.map((r) => r.url)).toEqual(['/items/cached', '/nostore', '/nostore']);
  });

  it('drops cached answers when the CloudFront API is asked to invalidate them (with the real SDK client)', async () => {
    await fetch(`${door.url}/items/inv`);
    eu.version = 2;
    expect(await (await fetch(`${door.url}/items/inv`)).json()).toMatchObject({ version: 1 });
    const client = new CloudFrontClient({ endpoint: cloudFront.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    try {
      const out = await client.send(
        new CreateInvalidationCommand({ DistributionId: 'EDIST', InvalidationBatch: { CallerReference: 'r1', Paths: { Quantity: 1, Items: ['/items/inv'] } } }),
      );
      expect(out.Invalidation?.Status).toBe('Completed');
      expect(await (await fetch(`${door.url}/items/inv`)).json()).toMatchObject({ version: 2 });
      await expect(
        client.send(new CreateInvalidationCommand({ DistributionId: 'EOTHER', InvalidationBatch: { CallerReference: 'r2', Paths: { Quantity: 1, Items: ['/x'] } } })),
      ).rejects.toMatchObject({ name: 'NoSuchDistribution' });
    } finally {
      client.destroy();
      eu.version = 1;
    }
  });

  it('answers 502 when the chosen region does not answer, and does not try another region', async () => {
    const dead = origins['eu-west-1'];
    const gone = await startOrigin('gone');
    await gone.close();
    origins['eu-west-1'] = gone.url; // nothing listens there any more
    try {
      const res = await fetch(`${door.url}/items`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(502);
      expect(res.headers.get('x-local-region')).toBe('eu-west-1');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('origin_unreachable');
      expect(us.requests).toEqual([]);
    } finally {
      origins['eu-west-1'] = dead;
    }
  });
});

describe('FrontDoor with an origin group (edgeCache.failoverPaths)', () => {
  let us: Origin;
  let failing: Server;
  let failingUrl: string;
  let door: FrontDoor;
  let goneUrl: string;
  const origins: Record<string, string> = {};
  const seen: FrontDoorRequest[] = [];

  beforeAll(async () => {
    us = await startOrigin('us-east-1');
    // The primary region answers every request with 503 (a region whose Lambda fails).
    failing = createServer();
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
    const gone = await startOrigin('gone');
    await gone.close();
    goneUrl = gone.url;
    origins['eu-west-1'] = failingUrl;
    origins['us-east-1'] = us.url;
    // Health checks have not noticed yet: the router still picks eu-west-1.
    const router = new RegionRouter({ policy: 'latency', regions: ['eu-west-1', 'us-east-1'], isHealthy: () => true });
    door = await FrontDoor.start({
      router,
      originOf: (r) => origins[r],
      failover: { paths: ['/customers/*'] },
      onRequest: (e) => seen.push(e),
    });
  });
  afterAll(async () => {
    await door.close();
    await us.close();
    await new Promise<void>((r) => {
      failing.closeAllConnections();
      failing.close(() => r());
    });
  });
  beforeEach(() => {
    us.requests = [];
    seen.length = 0;
    origins['eu-west-1'] = failingUrl;
    answerWith(503);
  });
  function answerWith(status: number): void {
    failing.removeAllListeners('request');
    failing.on('request', (req, res) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"down"}');
    });
  }

  it.each(ORIGIN_FAILOVER.statusCodes)('given the primary answers a read with %i, then the secondary region answers it and the failover is reported', async (status) => {
    answerWith(status);
    const res = await fetch(`${door.url}/customers/c1/orders`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-local-region')).toBe('us-east-1');
    expect(res.headers.get('x-local-failover')).toBe('from eu-west-1');
    expect(seen[0]).toMatchObject({ region: 'us-east-1', failedOverFrom: 'eu-west-1', status: 200 });
  });

  it('given the primary refuses the connection, then a read is answered by the secondary', async () => {
    origins['eu-west-1'] = goneUrl;
    const res = await fetch(`${door.url}/customers/c1/orders`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-local-region')).toBe('us-east-1');
  });

  it('given a write on a failover path, then it goes to the primary only (CloudFront fails over GET/HEAD/OPTIONS only)', async () => {
    const res = await fetch(`${door.url}/customers/c1/orders`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(503);
    expect(us.requests).toEqual([]);
  });

  it('given a read outside the failover paths, then it does not fail over', async () => {
    const res = await fetch(`${door.url}/items/1`);
    expect(res.status).toBe(503);
    expect(us.requests).toEqual([]);
    expect(seen[0].failedOverFrom).toBeUndefined();
  });
});

describe('FrontDoor with a weighted service’s read failover (the edge draws the region)', () => {
  let eu: Origin;
  let us: Origin;
  let ap: Origin;
  let door: FrontDoor;
  const seen: FrontDoorRequest[] = [];
  const down = new Set<string>();

  beforeAll(async () => {
    [eu, us, ap] = await Promise.all([startOrigin('eu-west-1'), startOrigin('us-east-1'), startOrigin('ap-southeast-1')]);
    const urls: Record<string, string> = { 'eu-west-1': eu.url, 'us-east-1': us.url, 'ap-southeast-1': ap.url };
    const regions = Object.keys(urls);
    // us-east-1 dies, and its health check has not noticed: Route53 still answers with it.
    await us.close();
    const router = new RegionRouter({ policy: 'weighted', regions, weights: { 'eu-west-1': 1, 'us-east-1': 1, 'ap-southeast-1': 1 }, isHealthy: (r) => !down.has(r) });
    door = await FrontDoor.start({
      router,
      originOf: (r) => urls[r],
      failover: readFailoverOf({ routing: { policy: 'weighted', weights: {} }, edgeCache: { enabled: true, failoverPaths: ['/items/*'] } }, regions),
      onRequest: (e) => seen.push(e),
    });
  });
  afterAll(async () => {
    await door.close();
    await Promise.all([eu.close(), ap.close()]);
  });

  it('given a region lost before its check notices, then every read succeeds: those drawn to it are answered by the next region, never by itself', async () => {
    seen.length = 0;
    const statuses = [];
    for (let i = 0; i < 60; i++) statuses.push((await fetch(`${door.url}/items/${i}`)).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const failedOver = seen.filter((e) => e.failedOverFrom === 'us-east-1');
    // With three even weights, 60 draws reach us-east-1 about 20 times; all fail over to ap-southeast-1.
    expect(failedOver.length).toBeGreaterThan(5);
    expect(new Set(failedOver.map((e) => e.region))).toEqual(new Set(['ap-southeast-1']));
  });

  it('given the lost region detected (or evacuated), then its read name answers with the next region and no read needs a failover', async () => {
    down.add('us-east-1');
    seen.length = 0;
    for (let i = 0; i < 30; i++) expect((await fetch(`${door.url}/items/${i}`)).status).toBe(200);
    expect(seen.filter((e) => e.failedOverFrom)).toEqual([]);
    expect(seen.some((e) => e.region === 'us-east-1')).toBe(false);
    down.delete('us-east-1');
  });

  it('given a write on a failover path, then it goes to the weighted regional name, not through a group', async () => {
    seen.length = 0;
    const res = await fetch(`${door.url}/items/x`, { method: 'PUT', body: '{}' });
    expect([200, 502]).toContain(res.status);
    expect(seen[0].failedOverFrom).toBeUndefined();
  });
});
