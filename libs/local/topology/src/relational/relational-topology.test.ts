// The orders topology under faults, through the front door, with continuous writes:
// a planned switchover loses no acknowledged write; an unplanned failover reports the
// acknowledged writes it lost (RPO) and how long writes failed (RTO).
import { join } from 'node:path';
import { parsePlatform } from '@platform/config';
import { platformFixture, withService } from '@platform/config/testing';
import { LOCAL_DEFAULT_SUBJECT } from '../local-issuer';
import { ContinuousWriter, type WriteRecord } from '../testing/continuous-writer';
import { topologyConfig } from '../topology-config';
import { RelationalTopology } from './relational-topology';

const WORKSPACE = join(__dirname, '..', '..', '..', '..', '..');
jest.setTimeout(180_000);

function ordersPlatform() {
  const base = platformFixture();
  base.environments.dev!.network = {
    'eu-west-1': { vpc: { id: 'vpc-0123456789abcdef0' }, privateSubnets: { ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } },
    'us-east-1': { vpc: { id: 'vpc-0123456789abcdef1' }, privateSubnets: { ids: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'] } },
  };
  return parsePlatform(
    withService(base, 'orders', {
      app: 'orders-api',
      environments: ['dev'],
      auth: { cognito: {}, scopes: { GET: ['orders:read'], POST: ['orders:write'] } },
      routing: { policy: 'weighted' },
      edgeCache: { failoverPaths: ['/customers/*'] },
      aurora: { engine: 'aurora-postgresql', engineVersion: '16.4' },
      cache: { engine: 'valkey' },
    }),
  );
}

/** The longest time between two consecutive acknowledgements after `from`: how long writes were down as a client sees it. */
function writeOutageMs(writes: WriteRecord[], from: number): number {
  const acks = writes.map((w) => w.ackedAt).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < acks.length; i++) if (acks[i]! >= from) longest = Math.max(longest, acks[i]! - acks[i - 1]!);
  return longest;
}

describe('orders topology: switchover and failover under continuous writes', () => {
  const config = topologyConfig(ordersPlatform(), { service: 'orders', environment: 'dev', probeIntervalMs: 250, failureThreshold: 2 });
  const [primary, secondary] = config.regions as [string, string];
  let topology: RelationalTopology;

  beforeAll(async () => {
    topology = await RelationalTopology.start({ config, database: { name: 'app', user: 'orders' }, workspaceRoot: WORKSPACE });
  }, 180_000);

  // A scenario that failed half-way leaves its writer running: it must not keep Jest alive.
  const writers: ContinuousWriter[] = [];

  afterAll(async () => {
    await Promise.all(writers.map((w) => w.abort()));
    await topology?.stop();
  });

  // Orders requires auth (the config's default, a Cognito pool, stood in for by the local
  // issuer) and a customer's orders are the caller's own: each customer gets its own token.
  const bearer = async (customer: string) => ({ authorization: `Bearer ${await topology.mintToken({ subject: customer })}` });

  const writerFor = async (run: string) => {
    const writer = new ContinuousWriter({
      url: topology.frontDoorUrl,
      headers: await bearer(`writer-${run}`),
      concurrency: 2,
      runId: run,
      path: '/orders',
      retryDelayMs: 50,
      attemptTimeoutMs: 3000,
      body: (seq, runId) => ({ customerId: `writer-${runId}`, currency: 'EUR', lines: [{ sku: 'SEQ', quantity: seq, price: '1.00' }] }),
    });
    writers.push(writer);
    return writer;
  };

  async function storedIds(runId: string): Promise<string[]> {
    const stores = topology.data.region(topology.data.primaryRegion).postgres;
    const rows = await stores.query<{ id: string }>('SELECT id FROM orders WHERE customer_id = $1', [`writer-${runId}`], 'app');
    return rows.map((r) => r.id);
  }

  it('lets only the front door past each region\'s origin guard: a call to a region\'s own URL with a valid token but without the origin secret gets 403', async () => {
    const token = await bearer('guard-test');
    for (const region of config.regions) {
      const direct = await fetch(`${topology.api(region).url}/customers/guard-test/orders`, { headers: token });
      expect([region, direct.status]).toEqual([region, 403]);
      const withSecret = await fetch(`${topology.api(region).url}/customers/guard-test/orders`, { headers: { ...topology.edgeHeaders, ...token } });
      expect([region, withSecret.status]).toEqual([region, 200]);
      expect((await fetch(`${topology.api(region).url}/health`)).status).toBe(200);
    }
    expect((await fetch(`${topology.frontDoorUrl}/customers/guard-test/orders`, { headers: token })).status).toBe(200);
  });

  it('validates tokens in every region as the JWT authorizer does: 401 without one, 403 without the scope, another customer\'s orders refused', async () => {
    const statuses = async (headers: Record<string, string>) =>
      Promise.all(config.regions.map(async (region) => (await fetch(`${topology.api(region).url}/customers/alice/orders`, { headers: { ...topology.edgeHeaders, ...headers } })).status));
    expect(await statuses({ authorization: '' })).toEqual([401, 401]);
    expect(await statuses({ authorization: `Bearer ${await topology.mintToken({ subject: 'alice', scopes: ['orders/orders:write'] })}` })).toEqual([403, 403]);
    expect(await statuses(await bearer('alice'))).toEqual([200, 200]);
    expect(await statuses(await bearer('mallory'))).toEqual([403, 403]);
    expect((await fetch(`${topology.frontDoorUrl}/customers/alice/orders`)).status).toBe(401);
  });

  // A global datastore's secondary is read-only and another region's group is out of
  // reach of a security group, so in AWS only the primary region writes the cache.
  it('writes the cache only in the primary region: an order created and read in the secondary stays out of it until the primary reads it', async () => {
    const cacheKey = (id: string) => `orders:order:${id}`;
    const redis = topology.data.region(primary).redis!;
    const call = (region: string, path: string, init: RequestInit = {}) =>
      fetch(`${topology.api(region).url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...topology.edgeHeaders, ...(init.headers as Record<string, string>) } });
    // topology.edgeHeaders carries the dev token, whose sub is the default subject.
    const body = JSON.stringify({ customerId: LOCAL_DEFAULT_SUBJECT, currency: 'EUR', lines: [{ sku: 'ABC', quantity: 1, price: 1 }] });
    const created = (await (await call(secondary, '/orders', { method: 'POST', body })).json()) as { id: string };
    const source = (await call(secondary, `/orders/${created.id}`)).headers.get('x-order-source');
    expect(source).not.toBe('cache');
    await new Promise((r) => setTimeout(r, 100));
    expect(await redis.command('GET', cacheKey(created.id))).toBeNull();
    expect((await call(primary, `/orders/${created.id}`)).status).toBe(200);
    for (let i = 0; i < 50 && (await redis.command('GET', cacheKey(created.id))) === null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(String(await redis.command('GET', cacheKey(created.id))))).toMatchObject({ id: created.id, version: 1 });
  });

  it('given /customers/* as a failover path, when the nearest region\'s API dies before its health check notices, every read of a customer\'s orders through the front door still answers 200, from the other region', async () => {
    const headers = await bearer('failover-reader');
    // Health checks held still: the front door keeps routing to the dead region, as
    // Route53 does until interval x threshold has passed. The nearest region is killed:
    // its edges' secondary (the next region of the ring) is the other one. (With weighted
    // routing, a read weighted to the region after the nearest has that same region as
    // its secondary and cannot fail over: docs/traffic.md, "Origin failover".)
    topology.healthChecker.stop();
    await topology.api(primary).kill();
    try {
      const reads = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await fetch(`${topology.frontDoorUrl}/customers/failover-reader/orders`, { headers });
          await res.arrayBuffer();
          return { status: res.status, region: res.headers.get('x-local-region'), failover: res.headers.get('x-local-failover') };
        }),
      );
      expect(reads.filter((r) => r.status !== 200)).toEqual([]);
      expect(new Set(reads.map((r) => r.region))).toEqual(new Set([secondary]));
      // Weighted routing sent some of them to the dead region first (each with even odds).
      expect(reads.filter((r) => r.failover === `from ${primary}`).length).toBeGreaterThan(0);
    } finally {
      await topology.api(primary).restart();
      await topology.healthChecker.start();
    }
  });

  it('answers writes 503 primary_unavailable while the primary region is down, and keeps serving reads from the other', async () => {
    const body = JSON.stringify({ customerId: 'kill-test', currency: 'EUR', lines: [{ sku: 'ABC', quantity: 1, price: 1 }] });
    const headers = { 'content-type': 'application/json', ...(await bearer('kill-test')) };
    const created = await fetch(`${topology.frontDoorUrl}/orders`, { method: 'POST', headers, body });
    expect(created.status).toBe(201);
    await topology.failRegion(primary);
    try {
      while (topology.healthChecker.isHealthy(primary)) await new Promise((r) => setTimeout(r, 50));
      const write = await fetch(`${topology.frontDoorUrl}/orders`, { method: 'POST', headers, body });
      expect([write.status, ((await write.json()) as { error: { code: string } }).error.code, write.headers.get('retry-after')]).toEqual([503, 'primary_unavailable', '1']);
      const read = await fetch(`${topology.frontDoorUrl}/customers/kill-test/orders`, { headers });
      expect([read.status, read.headers.get('x-local-region')]).toEqual([200, secondary]);
    } finally {
      await topology.recoverRegion(primary);
    }
  });

  it('loses no acknowledged write in a planned switchover, and refuses writes only briefly', async () => {
    const writer = await writerFor('switchover');
    writer.start();
    await writer.waitForAcknowledged(20);
    const started = Date.now();
    const report = await topology.switchover(secondary);
    await writer.waitForAcknowledged(writer.acknowledged + 20);
    await writer.stop();

    const stored = new Set(await storedIds('switchover'));
    const acked = writer.writes.filter((w) => w.ackedAt !== undefined);
    const lost = acked.filter((w) => !stored.has(w.id!));
    const outage = writeOutageMs(writer.writes, started);
    console.log(
      `switchover ${primary} -> ${secondary}: ${writer.writes.length} writes, ${acked.length} acknowledged, ${lost.length} lost, ` +
        `${stored.size} stored; writer endpoints moved after ${Math.round(report.writeOutageMs)} ms; longest time without an acknowledged write ${outage} ms`,
    );
    expect(lost).toEqual([]);
    expect(stored.size).toBe(acked.length); // each write made exactly one order (retries replayed)
    expect(topology.data.primaryRegion).toBe(secondary);
  });

  it('reports the RPO and RTO of an unplanned failover, with reads served throughout by the surviving region', async () => {
    const failed = topology.data.primaryRegion;
    const survivor = config.regions.find((r) => r !== failed)!;
    const writer = await writerFor('failover');
    writer.start();
    await writer.waitForAcknowledged(20);
    const killedAt = Date.now();
    await topology.failRegion(failed);
    // The kill takes a moment: the old primary may still acknowledge a write until it is down.
    const downAt = Date.now();
    // Writes answer 503 primary_unavailable until the promotion; reads keep working.
    const read = await fetch(`${topology.frontDoorUrl}/customers/writer-failover/orders?limit=1`, { headers: await bearer('writer-failover') }).catch(() => undefined);
    await topology.failover(survivor);
    await writer.waitForAcknowledged(writer.acknowledged + 20);
    await writer.stop();

    const stored = new Set(await storedIds('failover'));
    const acked = writer.writes.filter((w) => w.ackedAt !== undefined);
    const lost = acked.filter((w) => !stored.has(w.id!));
    const outage = writeOutageMs(writer.writes, killedAt);
    console.log(
      `failover ${failed} -> ${survivor}: ${writer.writes.length} writes, ${acked.length} acknowledged; RPO: ${lost.length} acknowledged writes lost` +
        `${lost.length ? ` (acknowledged at ${lost.map((w) => w.ackedAt! - killedAt).join(', ')} ms from the start of the kill, which took ${downAt - killedAt} ms)` : ''}; RTO: no write acknowledged for ${outage} ms (kill, then failover at once)`,
    );
    for (const w of lost) expect(w.ackedAt!).toBeLessThanOrEqual(downAt); // only what the old primary acknowledged before it went down can be lost
    expect(read === undefined || read.status === 200 || read.status === 502).toBe(true);
    expect(topology.data.primaryRegion).toBe(survivor);
  });

  it('brings the failed region back as a standby of the new primary, with its data', async () => {
    const failed = config.regions.find((r) => r !== topology.data.primaryRegion)!;
    await topology.recoverRegion(failed);
    const standby = topology.data.region(failed).postgres;
    expect(standby.isStandby).toBe(true);
    const newPrimary = topology.data.region(topology.data.primaryRegion).postgres;
    const [p] = await newPrimary.query<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app');
    let s: { n: string } | undefined;
    for (let i = 0; i < 100; i++) {
      [s] = await standby.query<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app');
      if (s?.n === p!.n) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(s?.n).toBe(p!.n);
  });
});
