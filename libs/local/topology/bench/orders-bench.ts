// npm run bench:orders — the orders service on the local topology (PostgreSQL primary +
// streaming standby, Redis primary + replica, orders-api per region): latencies of get
// (cache hit / miss), create and status change; the cache hit ratio under a 95 % read
// load; replica lag (database, cache); switchover RTO; failover RPO/RTO.
//   node tools/run-ts.mjs libs/local/topology/bench/orders-bench.ts [--requests 300] [--rounds 3]
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { loadPlatform } from '@platform/config';
import { LOCAL_DEFAULT_SUBJECT } from '../src/local-issuer';
import { ContinuousWriter } from '../src/testing/continuous-writer';
import { topologyConfig } from '../src/topology-config';
import { RelationalTopology } from '../src/relational/relational-topology';
import { percentile } from '@platform/bench-stats';

const ROOT = join(__dirname, '..', '..', '..', '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 300);
const ROUNDS = arg('rounds', 3);

const fmt = (values: number[]) => `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms (n=${values.length})`;

// The bench calls the regions' own URLs: it sends what the edge adds (the origin secret)
// and the dev token; with auth on, orders are the caller's own, so every order of the
// bench belongs to the token's subject.
let edgeHeaders: Readonly<Record<string, string>> = {};

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; res: Response; body: { id: string } }> {
  const t = performance.now();
  const res = await fetch(url, { ...init, headers: { ...edgeHeaders, ...(init?.headers as Record<string, string> | undefined) } });
  const body = (await res.json()) as { id: string };
  return { ms: performance.now() - t, res, body };
}

const orderBody = () =>
  JSON.stringify({ customerId: LOCAL_DEFAULT_SUBJECT, currency: 'EUR', lines: [{ sku: 'BENCH-1', quantity: 2, price: '9.99' }, { sku: 'BENCH-2', quantity: 1, price: '5.00' }] });
const post = (base: string) => timed(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: orderBody() });

async function main(): Promise<void> {
  const platform = loadPlatform(join(ROOT, 'config', 'platform.json'));
  const config = topologyConfig(platform, { service: 'orders', environment: 'dev', probeIntervalMs: 250, failureThreshold: 2 });
  const started = performance.now();
  const topology = await RelationalTopology.start({ config, database: { name: 'app', user: 'orders' }, workspaceRoot: ROOT });
  edgeHeaders = topology.edgeHeaders;
  console.log(`orders bench: ${cpus().length} cores, node ${process.version}, regions ${config.regions.join(', ')}; topology up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const [primary, secondary] = config.regions as [string, string];
  const api = topology.api(primary).url;
  const redis = createClient({ url: topology.data.region(primary).redis!.url });
  await redis.connect();
  try {
    // Warm-up (connections, JIT).
    for (let i = 0; i < 20; i++) await post(api);

    const create: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const r = await post(api);
      create.push(r.ms);
      ids.push(r.body.id);
    }
    // Creates with an Idempotency-Key: each also deletes up to 10 expired idempotency
    // records (3 000 expired ones seeded, older than the 24 h default TTL).
    const writerDb = topology.data.region(primary).postgres;
    await writerDb.query(
      "INSERT INTO order_idempotency (customer_id, idempotency_key, request_hash, order_id, created_at) SELECT 'expired', 'old-' || g, 'h', $1, now() - interval '2 days' FROM generate_series(1, 3000) g",
      [ids[0]],
      'app',
    );
    const keyed: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const r = await timed(`${api}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `bench-key-${i}` }, body: orderBody() });
      keyed.push(r.ms);
    }
    const [{ left }] = await writerDb.query<{ left: string }>("SELECT count(*) AS left FROM order_idempotency WHERE customer_id = 'expired'", [], 'app');
    const hit: number[] = [];
    const miss: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const id = ids[i]!;
      await redis.del(`orders:order:${id}`);
      const m = await timed(`${api}/orders/${id}`);
      if (m.res.headers.get('x-order-source') === 'replica') miss.push(m.ms);
      await new Promise((r) => setTimeout(r, 2)); // the fill is asynchronous
      const h = await timed(`${api}/orders/${id}`);
      if (h.res.headers.get('x-order-source') === 'cache') hit.push(h.ms);
    }
    const status: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const r = await timed(`${api}/orders/${ids[i]}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"status":"paid"}' });
      status.push(r.ms);
    }
    console.log(`get, cache hit (${primary}):    ${fmt(hit)}`);
    console.log(`get, cache miss (${primary}):   ${fmt(miss)}`);
    console.log(`create (${primary}):            ${fmt(create)}`);
    console.log(`create with Idempotency-Key (${primary}), cleaning expired records: ${fmt(keyed)}; expired records left ${left} of 3000`);
    console.log(`status change (${primary}):     ${fmt(status)}`);
    const secondaryApi = topology.api(secondary).url;
    const createSecondary: number[] = [];
    for (let i = 0; i < 100; i++) createSecondary.push((await post(secondaryApi)).ms);
    console.log(`create (${secondary}, via the writer endpoint): ${fmt(createSecondary)}`);

    // 95 % reads over 200 hot orders (uniform), 5 % creates, against the secondary region's API.
    // Only the primary region writes the cache (docs/orders.md): the hot orders are read
    // once through the primary first, as the primary region's own traffic would.
    const hot = ids.slice(0, 200);
    await redis.flushAll();
    for (const id of hot) await timed(`${api}/orders/${id}`);
    await new Promise((r) => setTimeout(r, 100));
    let hits = 0;
    let reads = 0;
    for (let i = 0; i < REQUESTS * 5; i++) {
      if (Math.random() < 0.05) await post(secondaryApi);
      else {
        const r = await timed(`${secondaryApi}/orders/${hot[Math.floor(Math.random() * hot.length)]}`);
        reads++;
        if (r.res.headers.get('x-order-source') === 'cache') hits++;
      }
    }
    console.log(`cache hit ratio, 95 % reads over 200 orders in ${secondary} (cache filled by one read of each through ${primary}, the only region that writes it; TTL ${platform.services.find((s) => s.name === 'orders')?.cache?.ttlSeconds} s): ${((100 * hits) / reads).toFixed(1)} % of ${reads} reads`);

    // Replica lag: a write on the primary until it is visible in the secondary.
    // One open connection per side, so that a poll costs a query, not a connection.
    const standby = await topology.data.region(secondary).postgres.connect('app');
    const writer = await topology.data.region(primary).postgres.connect('app');
    const dbLag: number[] = [];
    for (let i = 0; i < 200; i++) {
      const id = randomUUID();
      await writer.query(`INSERT INTO orders (id, customer_id, currency, lines, total_cents, status, version, created_at, updated_at) VALUES ($1, 'bench-lag', 'EUR', '[]', 0, 'pending', 1, now(), now())`, [id]);
      const committed = performance.now();
      while ((await standby.query('SELECT 1 FROM orders WHERE id = $1', [id])).rowCount === 0);
      dbLag.push(performance.now() - committed);
    }
    await standby.end();
    await writer.end();
    const replica = createClient({ url: topology.data.region(secondary).redis!.url });
    await replica.connect();
    const cacheLag: number[] = [];
    for (let i = 0; i < 200; i++) {
      const key = `bench:lag:${i}`;
      await redis.set(key, '1');
      const t = performance.now();
      while ((await replica.get(key)) === null);
      cacheLag.push(performance.now() - t);
    }
    replica.destroy();
    console.log(`replica lag, database (commit on the primary -> row visible on the standby, polled): ${fmt(dbLag)}`);
    console.log(`replica lag, cache (SET acknowledged -> visible on the replica, polled):       ${fmt(cacheLag)}`);
  } finally {
    redis.destroy();
  }

  // Switchover and failover under continuous writes through the front door.
  const switchRto: number[] = [];
  const failRto: number[] = [];
  const failRpo: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of ['switchover', 'failover'] as const) {
      const run = `${kind}-${round}`;
      const writer = new ContinuousWriter({
        url: topology.frontDoorUrl,
        concurrency: 2,
        runId: run,
        path: '/orders',
        attemptTimeoutMs: 3000,
        headers: { authorization: `Bearer ${await topology.mintToken({ subject: `w-${run}` })}` },
        body: (seq, runId) => ({ customerId: `w-${runId}`, currency: 'EUR', lines: [{ sku: 'SEQ', quantity: seq, price: '1.00' }] }),
      });
      writer.start();
      await writer.waitForAcknowledged(30);
      const target = config.regions.find((r) => r !== topology.data.primaryRegion)!;
      const from = topology.data.primaryRegion;
      const t0 = Date.now();
      let endpointsMs: number;
      if (kind === 'switchover') endpointsMs = (await topology.switchover(target)).writeOutageMs;
      else {
        await topology.failRegion(from);
        endpointsMs = (await topology.failover(target)).writeOutageMs;
      }
      await writer.waitForAcknowledged(writer.acknowledged + 30);
      await writer.stop();
      const acks = writer.writes.map((w) => w.ackedAt!).sort((a, b) => a - b);
      let gap = 0;
      for (let i = 1; i < acks.length; i++) if (acks[i]! >= t0) gap = Math.max(gap, acks[i]! - acks[i - 1]!);
      const rows = await topology.data.region(topology.data.primaryRegion).postgres.query<{ id: string }>('SELECT id FROM orders WHERE customer_id = $1', [`w-${run}`], 'app');
      const stored = new Set(rows.map((r) => r.id));
      const lost = writer.writes.filter((w) => !stored.has(w.id!)).length;
      if (kind === 'switchover') {
        switchRto.push(gap);
        console.log(`round ${round} switchover ${from} -> ${target}: ${writer.acknowledged} acknowledged, ${lost} lost, longest time without an acknowledged write ${gap} ms (writer endpoints led nowhere for ${Math.round(endpointsMs)} ms)`);
      } else {
        failRto.push(gap);
        failRpo.push(lost);
        console.log(`round ${round} failover ${from} -> ${target}: ${writer.acknowledged} acknowledged, ${lost} lost (RPO), longest time without an acknowledged write ${gap} ms (RTO; promotion took ${Math.round(endpointsMs)} ms)`);
        await topology.recoverRegion(from);
      }
    }
  }
  console.log(`switchover RTO: ${switchRto.join(', ')} ms; acknowledged writes lost: 0 expected`);
  console.log(`failover RTO: ${failRto.join(', ')} ms; RPO (acknowledged writes lost): ${failRpo.join(', ')}`);
  await topology.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
