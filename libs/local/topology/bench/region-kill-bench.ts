// npm run bench:region-kill — a region dies under mixed load through the front door.
//
// Readers (no retries) and a writer (Idempotency-Key per write, retried with the same key
// until acknowledged, as ContinuousWriter does) run at the same time; the region is
// killed at a random point of its health-check cycle (seeded; the seed is printed). Per
// trial: failed reads, the write gap (kill -> first write acknowledged that was sent after
// the kill), lost and duplicated writes (counted after the region came back), detection
// time. Before = the read path is not a failover path, after = it is (the viewer-request
// function's origin group: the ring's secondary for items, latency-routed; the edge's
// draw over the regions' read names for orders, weighted).
//
//   items:  three regions (the fixture's staging), latency routing, the nearest region
//           killed (API and table); reads GET /items/{id} of items created beforehand,
//           writes POST /items.
//   orders: two regions (the fixture's dev), weighted routing, PostgreSQL + Redis; the
//           primary region (the nearest, where the database writer lives) killed; reads
//           GET /customers/{id}/orders (each region's standby), writes POST /orders
//           (always the primary's database): writes answer 503 primary_unavailable until
//           another region is promoted, which this bench does as soon as the health check
//           declares the region dead (the earliest an automated runbook B could), then the
//           old primary rejoins as a standby and a switchover moves the primary back.
//
//   npm run bench:region-kill -- [--service items|orders|all] [--failover before|after|both]
//     [--trials 5] [--interval fast|config] [--probe-interval-ms 250] [--kill nearest|next] [--seed <n>]
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { UsageError, integerOption, runCli } from '@platform/cli';
import { parsePlatform } from '@platform/config';
import { platformFixture, withService } from '@platform/config/testing';
import type { HealthChange, HealthChecker } from '../src/health-checker';
import { LocalTopology } from '../src/local-topology';
import { RelationalTopology } from '../src/relational/relational-topology';
import { type TopologyConfig, topologyConfig } from '../src/topology-config';
import { ContinuousReader } from '../src/testing/continuous-reader';
import { ContinuousWriter, type WriteRecord } from '../src/testing/continuous-writer';
import { listItems } from '../src/testing/region-inventory';

const ROOT = join(__dirname, '../../../..');
// The example config's health checks (config/platform.json), written into the fixture.
const HEALTH = { items: { intervalSeconds: 10, failureThreshold: 3 }, orders: { intervalSeconds: 30, failureThreshold: 2 } } as const;
const FAILOVER_PATHS = { items: ['/items/*'], orders: ['/customers/*'] } as const;
type Service = keyof typeof HEALTH;
type Victim = 'nearest' | 'next';

interface Options {
  readonly services: readonly Service[];
  readonly modes: readonly ('before' | 'after')[];
  readonly trials: number;
  /** undefined: the config's interval. */
  readonly probeIntervalMs: number | undefined;
  /** Kill the region nearest to the client (the primary) or the next one. */
  readonly kill: Victim;
  readonly seed: number;
}

/** A small seeded generator (mulberry32): the kill points of a run can be replayed with --seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The topologies' own lines (start-up, kills, health changes) go to stderr, with the time.
const log = (line: string) => console.error(`${new Date().toISOString()} ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** One stored copy of a write: `place` is the region (items) or the primary database (orders). */
interface StoredWrite {
  readonly place: string;
  readonly id: string;
  readonly seq: number;
}

/** One service's topology as the trials drive it. */
interface Rig {
  readonly frontDoorUrl: string;
  readonly healthChecker: HealthChecker;
  readonly intervalMs: number;
  readonly failureThreshold: number;
  readonly changes: HealthChange[];
  /** The region a trial kills. */
  readonly victim: string;
  kill(region: string): Promise<void>;
  /** What the platform does once the region is declared dead; returns a note for the table. */
  afterDetection(region: string): Promise<string>;
  /** Brings the region back and waits until the topology is as before the trial. */
  restore(region: string): Promise<void>;
  writer(runId: string): Promise<ContinuousWriter>;
  reader(): Promise<ContinuousReader>;
  /** Every item/order the run's writes stored, in each place that holds a copy. */
  stored(runId: string): Promise<StoredWrite[]>;
  stop(): Promise<void>;
}

async function itemsRig(failover: boolean, probeIntervalMs: number | undefined, kill: Victim): Promise<Rig> {
  const platform = parsePlatform(
    platformFixture({
      services: {
        items: {
          app: 'items-api',
          healthCheck: HEALTH.items,
          // Locally only: at the edge /items/* also takes writes, so CloudFront would refuse
          // it as an origin group's behaviour (docs/traffic.md); the front door fails over
          // only its GET/HEAD/OPTIONS, which is what is measured.
          edgeCache: { failoverPaths: failover ? [...FAILOVER_PATHS.items] : [] },
        },
      },
    }),
  );
  const config = topologyConfig(platform, { service: 'items', environment: 'staging', probeIntervalMs });
  const changes: HealthChange[] = [];
  const topology = await LocalTopology.start({ config, workspaceRoot: ROOT, log, onHealthChange: (c) => changes.push(c) });
  try {
    const token: Record<string, string> = topology.edgeHeaders.authorization ? { authorization: topology.edgeHeaders.authorization } : {};
    // Items the readers read: created through the front door and replicated everywhere.
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${topology.frontDoorUrl}/items`, {
        method: 'POST',
        headers: { ...token, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `read me ${i}` }),
      });
      if (res.status !== 201) throw new Error(`creating the items to read: HTTP ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
    // Every region warm (JIT of its API and JVM), as a region serving its own clients is:
    // the first writes a cold region takes are slow on this machine, and would count in the gap.
    await warmUp(config.regions.map((r) => topology.apiUrl(r)), topology.edgeHeaders, '/items', () => ({ name: 'warm-up' }), (id) => `/items/${id}`);
    await topology.replicator.settle(config.regions);
    return {
      ...rigBasics(topology, config, changes, kill),
      kill: async (region) => void (await topology.failRegion(region)),
      afterDetection: async () => '',
      restore: async (region) => {
        const from = Date.now();
        await topology.recoverRegion(region);
        await waitFor(`${region} healthy again`, () => changes.find((c) => c.region === region && c.healthy && c.at >= from), healthBoundMs(config.healthCheck) + 30_000);
        await topology.replicator.settle(config.regions, 120_000);
      },
      writer: async (runId) => new ContinuousWriter({ url: topology.frontDoorUrl, concurrency: 2, pauseMs: 20, retryDelayMs: 50, runId, headers: token }),
      // A query string of its own per read: every read is an edge cache miss and reaches a region.
      reader: async () => new ContinuousReader({ url: topology.frontDoorUrl, concurrency: 2, headers: token, path: (n) => `/items/${ids[n % ids.length]}?read=${n}` }),
      stored: async (runId) => {
        const copies: StoredWrite[] = [];
        for (const place of config.regions) {
          for (const item of await listItems(topology.apiUrl(place), topology.edgeHeaders)) {
            if (item.attributes?.run === runId) copies.push({ place, id: item.id, seq: Number(item.attributes.seq) });
          }
        }
        return copies;
      },
      stop: () => topology.stop(),
    };
  } catch (err) {
    await topology.stop();
    throw err;
  }
}

async function ordersRig(failover: boolean, probeIntervalMs: number | undefined, kill: Victim): Promise<Rig> {
  const base = platformFixture();
  base.environments.dev!.network = {
    'eu-west-1': { vpc: { id: 'vpc-0123456789abcdef0' }, privateSubnets: { ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } },
    'us-east-1': { vpc: { id: 'vpc-0123456789abcdef1' }, privateSubnets: { ids: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'] } },
  };
  const platform = parsePlatform(
    withService(base, 'orders', {
      app: 'orders-api',
      environments: ['dev'],
      auth: { cognito: {}, scopes: { GET: ['orders:read'], POST: ['orders:write'] } },
      routing: { policy: 'weighted' },
      healthCheck: HEALTH.orders,
      edgeCache: { failoverPaths: failover ? [...FAILOVER_PATHS.orders] : [] },
      aurora: { engine: 'aurora-postgresql', engineVersion: '16.4' },
      cache: { engine: 'valkey' },
    }),
  );
  const config = topologyConfig(platform, { service: 'orders', environment: 'dev', probeIntervalMs });
  const changes: HealthChange[] = [];
  const topology = await RelationalTopology.start({ config, database: { name: 'app', user: 'orders' }, workspaceRoot: ROOT, log, onHealthChange: (c) => changes.push(c) });
  const home = config.regions[0]!;
  const bearer = async (subject: string) => ({ authorization: `Bearer ${await topology.mintToken({ subject })}` });
  try {
    await warmUp(
      config.regions.map((r) => topology.api(r).url),
      { ...topology.edgeHeaders, ...(await bearer('rk-warm-up')) },
      '/orders',
      () => ({ customerId: 'rk-warm-up', currency: 'EUR', lines: [{ sku: 'WARM', quantity: 1, price: '1.00' }] }),
      () => '/customers/rk-warm-up/orders?limit=1',
    );
  } catch (err) {
    await topology.stop();
    throw err;
  }
  return {
    ...rigBasics(topology, config, changes, kill),
    kill: (region) => topology.failRegion(region),
    afterDetection: async (region) => {
      if (region !== topology.data.primaryRegion) return 'not the primary: no promotion';
      const survivor = config.regions.find((r) => r !== region)!;
      const report = await topology.failover(survivor);
      return `promoted ${survivor} in ${Math.round(report.writeOutageMs)} ms`;
    },
    restore: async (region) => {
      const from = Date.now();
      await topology.recoverRegion(region);
      await waitFor(`${region} healthy again`, () => changes.find((c) => c.region === region && c.healthy && c.at >= from), healthBoundMs(config.healthCheck) + 30_000);
      // Every trial starts with the primary in the nearest region.
      if (topology.data.primaryRegion !== home) await topology.switchover(home);
    },
    writer: async (runId) =>
      new ContinuousWriter({
        url: topology.frontDoorUrl,
        concurrency: 2,
        pauseMs: 20,
        retryDelayMs: 50,
        attemptTimeoutMs: 3000,
        runId,
        path: '/orders',
        headers: await bearer(`rk-${runId}`),
        body: (seq, id) => ({ customerId: `rk-${id}`, currency: 'EUR', lines: [{ sku: 'SEQ', quantity: seq, price: '1.00' }] }),
      }),
    reader: async () => new ContinuousReader({ url: topology.frontDoorUrl, concurrency: 2, headers: await bearer('rk-reader'), path: () => '/customers/rk-reader/orders?limit=1' }),
    stored: async (runId) => {
      const rows = await topology.data
        .region(topology.data.primaryRegion)
        .postgres.query<{ id: string; seq: string }>(`SELECT id, lines::jsonb->0->>'quantity' AS seq FROM orders WHERE customer_id = $1`, [`rk-${runId}`], 'app');
      return rows.map((r) => ({ place: 'primary', id: r.id, seq: Number(r.seq) }));
    },
    stop: () => topology.stop(),
  };
}

/** What every rig takes from its topology and config. */
function rigBasics(
  topology: { readonly frontDoorUrl: string; readonly healthChecker: HealthChecker },
  config: TopologyConfig,
  changes: HealthChange[],
  kill: Victim,
): Pick<Rig, 'frontDoorUrl' | 'healthChecker' | 'intervalMs' | 'failureThreshold' | 'changes' | 'victim'> {
  return {
    frontDoorUrl: topology.frontDoorUrl,
    healthChecker: topology.healthChecker,
    intervalMs: config.healthCheck.intervalMs,
    failureThreshold: config.healthCheck.failureThreshold,
    changes,
    victim: config.regions[kill === 'nearest' ? 0 : 1]!,
  };
}

/** 20 writes and 20 reads straight to each region's API. */
async function warmUp(apis: readonly string[], headers: Readonly<Record<string, string>>, path: string, body: () => unknown, readPath: (id: string) => string): Promise<void> {
  for (const api of apis) {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${api}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body()) });
      if (res.status !== 201) throw new Error(`warm-up: POST ${api}${path} answered ${res.status}: ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      await (await fetch(`${api}${readPath(id)}`, { headers })).arrayBuffer();
    }
  }
}

function healthBoundMs(h: { readonly intervalMs: number; readonly failureThreshold: number }): number {
  return h.intervalMs * h.failureThreshold;
}

interface Trial {
  readonly phase: number;
  readonly detectionMs: number;
  readonly reads: number;
  readonly failedReads: number;
  readonly failedOver: number;
  readonly readErrors: string;
  /** The slowest read that started after the kill and before detection (what a failover costs a reader). */
  readonly slowestReadMs: number;
  readonly writeGapMs: number;
  /** Writes with an attempt in flight when the region died, unanswered: the only ones that can be duplicated. */
  readonly inFlightAtKill: number;
  readonly acknowledged: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly writeErrors: string;
  readonly note: string;
  /** The machine's 1-minute load average when the region was killed (2 cores, shared). */
  readonly load: number;
}

/** "502×12, 503×40": what the clients were answered besides success. */
function tally(outcomes: readonly (number | string | undefined)[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(String(o ?? 'no answer'), (counts.get(String(o ?? 'no answer')) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}×${n}`).join(', ') || '-';
}

async function trial(rig: Rig, runId: string, phase: number): Promise<Trial> {
  const victim = rig.victim;
  const writer = await rig.writer(runId);
  const reader = await rig.reader();
  writer.start();
  reader.start();
  let killedAt = 0;
  let detectionMs: number;
  let note: string;
  let load: number;
  try {
    await writer.waitForAcknowledged(10);
    await waitFor('10 reads', () => (reader.reads.length >= 10 ? true : undefined), 30_000);
    // Land the kill `phase` of the way through the victim's check cycle.
    // The victim must pass its checks at the kill: on this loaded machine a 250 ms check
    // sometimes times out, and a region already declared unhealthy would have no detection.
    const health = () => rig.healthChecker.status().find((s) => s.region === victim);
    for (;;) {
      const before = health()?.lastCheckedAt ?? 0;
      const cycleStart = await waitFor('a health check of the victim', () => (health()?.lastCheckedAt ?? 0) > before ? health()!.lastCheckedAt : undefined, rig.intervalMs * 2 + 5000);
      await sleep(cycleStart! + phase * rig.intervalMs - Date.now());
      if (health()?.healthy && health()?.consecutiveFailures === 0) break;
      await waitFor(`${victim} healthy before the kill`, () => (health()?.healthy ? true : undefined), healthBoundMs(rig) * 2 + 30_000);
    }
    killedAt = Date.now();
    load = loadavg()[0]!;
    await rig.kill(victim);
    const change = await waitFor(
      `${victim} declared unhealthy`,
      () => rig.changes.find((c) => c.region === victim && !c.healthy && c.at >= killedAt),
      healthBoundMs(rig) + rig.intervalMs * 2 + 10_000,
    ).catch((err: Error) => {
      const status = rig.healthChecker.status().find((s) => s.region === victim);
      throw new Error(`${err.message}; killed at ${new Date(killedAt).toISOString()}; its health: ${JSON.stringify(status)}`);
    });
    detectionMs = change.at - killedAt;
    note = await rig.afterDetection(victim);
    // Keep the load on: 20 more writes acknowledged, and reads for a second after detection.
    await writer.waitForAcknowledged(writer.acknowledged + 20, 120_000);
    await sleep(change.at + 1000 - Date.now());
    await reader.stop();
    await writer.stop();
  } finally {
    await reader.stop();
    await writer.abort();
  }
  await rig.restore(victim);

  const stored = await rig.stored(writer.runId);
  const acked = writer.writes.filter((w) => w.ackedAt !== undefined);
  const storedIds = new Set(stored.map((s) => s.id));
  const lost = acked.filter((w) => !storedIds.has(w.id!)).length;
  // A write with two items (or orders) in one place.
  const copies = new Map<string, number>();
  for (const s of stored) copies.set(`${s.place}#${s.seq}`, (copies.get(`${s.place}#${s.seq}`) ?? 0) + 1);
  const duplicated = new Set(stored.filter((s) => copies.get(`${s.place}#${s.seq}`)! > 1).map((s) => s.seq)).size;
  const firstAck = Math.min(...acked.filter((w) => w.attempts[w.attempts.length - 1]!.sentAt > killedAt).map((w) => w.ackedAt!));
  const failed = reader.failed;
  return {
    phase,
    detectionMs,
    reads: reader.reads.length,
    failedReads: failed.length,
    failedOver: reader.reads.filter((r) => r.failedOverFrom).length,
    readErrors: tally(failed.map((r) => r.status ?? r.error)),
    slowestReadMs: Math.max(0, ...reader.reads.filter((r) => r.sentAt >= killedAt && r.sentAt <= killedAt + detectionMs).map((r) => r.endedAt - r.sentAt)),
    writeGapMs: firstAck - killedAt,
    inFlightAtKill: writer.writes.filter((w) => w.attempts.some((a) => a.sentAt <= killedAt && a.endedAt >= killedAt && a.status !== 201)).length,
    acknowledged: acked.length,
    lost,
    duplicated,
    writeErrors: tally(writer.writes.flatMap((w: WriteRecord) => w.attempts.filter((a) => a.status !== 201).map((a) => a.status ?? a.error))),
    note,
    load,
  };
}

async function run(service: Service, mode: 'before' | 'after', options: Options, random: () => number): Promise<Trial[]> {
  const started = performance.now();
  const rig = await (service === 'items' ? itemsRig : ordersRig)(mode === 'after', options.probeIntervalMs, options.kill);
  stopOnSignal = () => rig.stop();
  const results: Trial[] = [];
  try {
    const paths = mode === 'after' ? FAILOVER_PATHS[service].join(', ') : 'none';
    console.log(
      `\n## ${service}, ${mode} (failover paths: ${paths}); checks every ${rig.intervalMs} ms, threshold ${rig.failureThreshold} ` +
        `(bound ${healthBoundMs(rig)} ms); ${rig.victim} killed; topology up in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    console.log('| trial | kill at (of check cycle) | detection ms | reads | failed reads | reads failed over | slowest read in the window ms | write gap ms | gap - detection ms | writes acked | lost | duplicated | in flight at the kill | read failures | write attempts refused | note | load |');
    console.log(`|${'---|'.repeat(17)}`);
    for (let n = 1; n <= options.trials; n++) {
      const t = await trial(rig, `${service}-${mode}-${options.seed}-${n}`, random());
      results.push(t);
      console.log(
        `| ${n} | ${(t.phase * 100).toFixed(0)} % | ${t.detectionMs} | ${t.reads} | ${t.failedReads} | ${t.failedOver} | ${t.slowestReadMs} | ${t.writeGapMs} | ${t.writeGapMs - t.detectionMs} | ` +
          `${t.acknowledged} | ${t.lost} | ${t.duplicated} | ${t.inFlightAtKill} | ${t.readErrors} | ${t.writeErrors} | ${t.note} | ${t.load.toFixed(1)} |`,
      );
    }
  } finally {
    stopOnSignal = undefined;
    await rig.stop();
  }
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `\ngoals over ${results.length} trials: 0 failed reads ${met(results.every((t) => t.failedReads === 0))}; ` +
      `write gap <= detection + 1 s ${met(results.every((t) => t.writeGapMs <= t.detectionMs + 1000))}; ` +
      `0 lost ${met(results.every((t) => t.lost === 0))}; 0 duplicated ${met(results.every((t) => t.duplicated === 0))}`,
  );
  return results;
}

let stopOnSignal: (() => Promise<void>) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the topology`);
    void (stopOnSignal?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function main(options: Options): Promise<void> {
  console.log(`# Region kill under mixed load (${new Date().toISOString()}, Node ${process.version}, ${cpus().length} CPUs: ${cpus()[0]?.model ?? '?'})`);
  console.log(`seed ${options.seed} (replay the kill points with --seed ${options.seed}); ${options.probeIntervalMs ? `fast mode, checks every ${options.probeIntervalMs} ms` : "the config's check interval"}`);
  const random = seeded(options.seed);
  for (const service of options.services) for (const mode of options.modes) await run(service, mode, options, random);
}

void runCli(
  {
    name: 'bench:region-kill',
    command: 'npm run bench:region-kill --',
    summary:
      'Kills a region at a random point of its health-check cycle while readers and an idempotent writer go through the front door; ' +
      'per trial: failed reads, write gap, lost and duplicated writes, detection time, with origin failover off (before) and on (after).',
    options: {
      service: { type: 'string', default: 'all', valueName: '<items|orders|all>', description: 'which topology (default: all)' },
      failover: { type: 'string', default: 'both', valueName: '<before|after|both>', description: 'origin failover off, on, or both (default: both)' },
      trials: { type: 'string', default: '5', valueName: '<n>', description: 'kills per service and mode (default: 5)' },
      interval: { type: 'string', default: 'fast', valueName: '<fast|config>', description: "fast: --probe-interval-ms; config: the example config's (items 10 s x 3, orders 30 s x 2)" },
      'probe-interval-ms': { type: 'string', default: '250', valueName: '<ms>', description: 'health check interval in fast mode (default: 250)' },
      kill: { type: 'string', default: 'nearest', valueName: '<nearest|next>', description: 'the region killed: the nearest to the client (items: all traffic; orders: the primary) or the next one (default: nearest)' },
      seed: { type: 'string', valueName: '<n>', description: 'seed of the kill points (default: a random one, printed)' },
    },
  },
  ({ values }) => {
    const services: Service[] = values.service === 'all' ? ['items', 'orders'] : [values.service as Service];
    if (!services.every((s) => s in HEALTH)) throw new UsageError(`--service must be items, orders or all, not "${values.service}"`);
    const modes = values.failover === 'both' ? (['before', 'after'] as const) : [values.failover as 'before' | 'after'];
    if (!modes.every((m) => m === 'before' || m === 'after')) throw new UsageError(`--failover must be before, after or both, not "${values.failover}"`);
    if (values.interval !== 'fast' && values.interval !== 'config') throw new UsageError(`--interval must be fast or config, not "${values.interval}"`);
    if (values.kill !== 'nearest' && values.kill !== 'next') throw new UsageError(`--kill must be nearest or next, not "${values.kill}"`);
    return main({
      kill: values.kill,
      services,
      modes,
      trials: integerOption('trials', values.trials, { min: 1 })!,
      probeIntervalMs: values.interval === 'fast' ? integerOption('probe-interval-ms', values['probe-interval-ms'], { min: 10 })! : undefined,
      seed: integerOption('seed', values.seed, { min: 0, max: 2 ** 32 - 1 }) ?? Math.floor(Math.random() * 2 ** 31),
    });
  },
);
