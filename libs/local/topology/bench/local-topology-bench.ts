// Benchmark of the local topology (npm run bench:local-topology):
//  1. replication lag between two local regions under a steady write load, at a few
//     write rates: from the time a write records (updatedAt, set by the handler just
//     before it commits) to the commit of the replicated copy in the other region;
//  2. failover time of the front door when the region it routes to is killed: until
//     its health check turns unhealthy, and until the client's next acknowledged write,
//     with a fast local probe interval (several trials) and once with the config's own.
//
//   npm run bench:local-topology -- \
//     [--rates 20,50,100] [--seconds 20] [--trials 5] [--probe-interval-ms 250] [--skip-config-interval]
import { join } from 'node:path';
import { cpus } from 'node:os';
import { UsageError, integerOption, runCli } from '@platform/cli';
import { loadPlatform } from '@platform/config';
import type { HealthChange } from '../src/health-checker';
import { LocalTopology } from '../src/local-topology';
import type { ReplicationEvent } from '../src/replication-link';
import { topologyConfig } from '../src/topology-config';
import { ContinuousWriter } from '../src/testing/continuous-writer';
import { summary } from '@platform/bench-stats';

const ROOT = join(__dirname, '../../../..');
let rates: number[];
let seconds: number;
let trials: number;
let probeIntervalMs: number;
const platform = loadPlatform(join(ROOT, 'config/platform.json'));

function stats(values: number[]): string {
  const s = summary(values);
  return `${s.p50} / ${s.p90} / ${s.p99} / ${s.max} ms`;
}

/** Sends `rate` writes per second (open loop, up to 64 in flight) to `url` for `seconds`. */
async function steadyLoad(url: string, rate: number, seconds: number, edgeHeaders: Readonly<Record<string, string>>): Promise<{ sent: number; failed: number; elapsedS: number }> {
  const started = performance.now();
  const total = rate * seconds;
  let sent = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= 64) await Promise.race(inFlight);
    const p = fetch(`${url}/items`, {
      method: 'POST',
      // What the edge adds (origin secret) and a token: the bench is about replication, not auth.
      headers: { ...edgeHeaders, 'content-type': 'application/json', 'idempotency-key': `bench-${rate}-${i}-${started}` },
      body: JSON.stringify({ name: `bench ${i}`, attributes: { rate } }),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 201) failed++;
      })
      .catch(() => void failed++)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    sent++;
  }
  await Promise.all(inFlight);
  return { sent, failed, elapsedS: (performance.now() - started) / 1000 };
}

async function replicationLag(): Promise<void> {
  const config = topologyConfig(platform, { environment: 'dev', probeIntervalMs: 1000 });
  const events: ReplicationEvent[] = [];
  const topology = await LocalTopology.start({ config, workspaceRoot: ROOT, onReplication: (e) => events.push(e) });
  const [a, b] = config.regions;
  console.log(`\n## Replication lag ${a} -> ${b} (steady POSTs to ${a}'s API, ${seconds} s per rate)\n`);
  console.log('| writes/s asked | writes/s done | failed | item copies applied | lag p50 / p90 / p99 / max |');
  console.log('|---|---|---|---|---|');
  try {
    // Warm-up: JIT of the JVMs and of the Node processes.
    await steadyLoad(topology.apiUrl(a), 20, 3, topology.edgeHeaders);
    await topology.replicator.settle(config.regions);
    for (const rate of rates) {
      events.length = 0;
      const load = await steadyLoad(topology.apiUrl(a), rate, seconds, topology.edgeHeaders);
      await topology.replicator.settle(config.regions, 120_000);
      const lags = events.filter((e) => e.source === a && e.target === b && e.outcome === 'applied' && e.key.includes('ITEM#')).map((e) => e.lagMs);
      console.log(`| ${rate} | ${(load.sent / load.elapsedS).toFixed(1)} | ${load.failed} | ${lags.length} | ${stats(lags)} |`);
    }
  } finally {
    await topology.stop();
  }
}

async function failover(intervalMs: number | undefined, count: number, label: string): Promise<void> {
  const config = topologyConfig(platform, { environment: 'dev', probeIntervalMs: intervalMs });
  const changes: HealthChange[] = [];
  const topology = await LocalTopology.start({ config, workspaceRoot: ROOT, onHealthChange: (c) => changes.push(c) });
  const [primary] = config.regions;
  const { intervalMs: interval, failureThreshold } = config.healthCheck;
  console.log(`\n## Front door failover, ${label}: checks every ${interval} ms, threshold ${failureThreshold} (bound ${interval * failureThreshold} ms)\n`);
  console.log('| trial | health check unhealthy after | first write acknowledged by the other region after | writes acknowledged | attempts |');
  console.log('|---|---|---|---|---|');
  const detections: number[] = [];
  const gaps: number[] = [];
  try {
    for (let trial = 1; trial <= count; trial++) {
      const writer = new ContinuousWriter({ url: topology.frontDoorUrl, pauseMs: 50, retryDelayMs: 50, headers: topology.edgeHeaders });
      writer.start();
      await writer.waitForAcknowledged(20);
      // Land the kill at a random point of the check cycle.
      await new Promise((r) => setTimeout(r, Math.random() * interval));
      const killedAt = await topology.failRegion(primary);
      const deadline = Date.now() + interval * (failureThreshold + 2) + 10_000;
      let change: HealthChange | undefined;
      while (!(change = changes.find((c) => c.region === primary && !c.healthy && c.at >= killedAt)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const acked = writer.acknowledged;
      await writer.waitForAcknowledged(acked + 10, 120_000);
      await writer.stop();
      const firstOther = Math.min(...writer.writes.filter((w) => w.ackedAt && w.ackedAt > killedAt && w.ackRegion !== primary).map((w) => w.ackedAt!));
      const detection = change ? change.at - killedAt : NaN;
      detections.push(detection);
      gaps.push(firstOther - killedAt);
      const attempts = writer.writes.reduce((n, w) => n + w.attempts.length, 0);
      console.log(`| ${trial} | ${detection} ms | ${firstOther - killedAt} ms | ${writer.acknowledged} | ${attempts} |`);
      const recovering = Date.now();
      await topology.recoverRegion(primary);
      while (!changes.find((c) => c.region === primary && c.healthy && c.at >= recovering)) await new Promise((r) => setTimeout(r, 10));
      await topology.replicator.settle(config.regions, 60_000);
    }
    if (count > 1) console.log(`\np50 / p90 / p99 / max: detection ${stats(detections)}; client gap ${stats(gaps)}`);
  } finally {
    await topology.stop();
  }
}

async function main(skipConfigInterval: boolean): Promise<void> {
  console.log(`# Local topology benchmark (${new Date().toISOString()}, Node ${process.version}, ${cpus().length} CPUs: ${cpus()[0]?.model ?? '?'})`);
  await replicationLag();
  await failover(probeIntervalMs, trials, 'fast local probe interval');
  if (!skipConfigInterval) await failover(undefined, 1, "the config's own interval");
}

void runCli(
  {
    name: 'bench:local-topology',
    command: 'npm run bench:local-topology --',
    summary: 'Replication lag between two local regions under steady writes, and failover time of the front door when a region is killed.',
    options: {
      rates: { type: 'string', default: '20,50,100', valueName: '<a,b>', description: 'write rates per second to measure lag at (default: 20,50,100)' },
      seconds: { type: 'string', default: '20', valueName: '<s>', description: 'seconds of writes per rate (default: 20)' },
      trials: { type: 'string', default: '5', valueName: '<n>', description: 'failover trials with the fast probe interval (default: 5)' },
      'probe-interval-ms': { type: 'string', default: '250', valueName: '<ms>', description: 'the fast health check interval (default: 250)' },
      'skip-config-interval': { type: 'boolean', default: false, description: "skip the failover trial with the config's own interval" },
    },
  },
  ({ values }) => {
    rates = values.rates.split(',').map((r) => integerOption('rates', r.trim(), { min: 1 })!);
    if (rates.length === 0) throw new UsageError('--rates needs at least one rate');
    seconds = integerOption('seconds', values.seconds, { min: 1 })!;
    trials = integerOption('trials', values.trials, { min: 1 })!;
    probeIntervalMs = integerOption('probe-interval-ms', values['probe-interval-ms'], { min: 10 })!;
    return main(values['skip-config-interval']);
  },
);
