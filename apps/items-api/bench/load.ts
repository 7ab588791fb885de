// Load benchmark of the items-api handler against the same DynamoDB operations done
// directly with the SDK, both on DynamoDB Local.
//
//   npm run bench:items-load -- [--duration 5] [--connections 10] [--rounds 5] [--warmup 20] [--serial 1000] [--log-level INFO] [--sample-rate 0.05]
//
// --log-level is the handler's POWERTOOLS_LOG_LEVEL: INFO (default, as deployed) writes
// the per-request info lines; WARN leaves them out, which shows what they cost.
// --sample-rate is LOG_SAMPLE_RATE, the fraction of ordinary requests that get one
// (default 0.05, the config's default; 1 logs every request as before sampling).
//
// Builds the Lambda bundle and a bare-SDK floor (bench/direct-handler.ts, bundled
// the same way), starts DynamoDB Local, seeds items, serves each bundle in a child
// process through the same local HTTP adapter (bench/serve.ts), and measures
// GET /items/{id} and PUT /items/{id} three ways:
//   - autocannon, `connections` concurrent clients, after `warmup` seconds per side
//     (DynamoDB Local's JVM and both servers' JITs keep speeding up for tens of seconds:
//     with a 2 s warm-up the first rounds ran at a third of the later ones' throughput),
//     then `rounds` runs per side, the sides alternating D H, H D, ... (medians per side,
//     and the median of the per-round ratios, which a drift over the rounds cancels out of);
//   - server CPU time per request in those runs (robust when the machine is shared);
//   - a serial pass: one connection, one request at a time, microsecond timer
//     (autocannon's latency histogram has 1 ms resolution).
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build, type BuildOptions } from 'esbuild';
import lambdaEsbuildOptions from '@platform/config/lambda-esbuild-options';
import { ItemsRepository } from '@items/data-access';
import { UsageError, integerOption, runCli } from '@platform/cli';
import { createServiceTable, DynamoDbLocal, localClientConfig } from '@platform/dynamodb-local';
import { median, percentile } from '@platform/bench-stats';

// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon has no types of its own
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { average: number; p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

interface Run {
  readonly rps: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server CPU (user + system) per request, microseconds. */
  readonly cpuUs: number;
}

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
}

type Op = 'GET' | 'PUT';
type Side = 'direct' | 'handler';

const root = resolve(__dirname, '../../..');
const REGION = 'eu-west-1';
const TABLE = 'items-load';
const SEED = 200;

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'];

function sampleRateOption(raw: string): string {
  const rate = Number(raw);
  if (raw.trim() === '' || !(rate >= 0 && rate <= 1)) throw new UsageError(`--sample-rate must be a number from 0 to 1, got "${raw}"`);
  return String(rate);
}

function logLevelOption(raw: string): string {
  const level = raw.toUpperCase();
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}

interface LoadOptions {
  readonly seconds: number;
  readonly connections: number;
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly serialCount: number;
  readonly logLevel: string;
  readonly sampleRate: string;
}

const PUT_BODY = JSON.stringify({
  name: 'load test item',
  description: 'a description of moderate length, the way a real client might send it'.repeat(2),
  tags: ['bench', 'load', 'items'],
  attributes: { colour: 'red', size: 42, fragile: false },
});

async function startServer(side: Side, bundle: string, env: NodeJS.ProcessEnv): Promise<Server> {
  // stdout to /dev/null: the handler's log lines cost what writing them costs, nothing more.
  const child = fork(join(root, 'tools/run-ts.mjs'), [join(__dirname, 'serve.ts'), bundle], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = await new Promise<string>((ok, fail) => {
    child.once('message', (m: { url: string }) => ok(m.url));
    child.once('exit', (code) => fail(new Error(`${side} server exited with ${code}`)));
  });
  return { url, child };
}

function stats(server: Server): Promise<{ cpuUs: number; served: number }> {
  return new Promise((ok) => {
    const onMessage = (m: { type?: string; cpu: NodeJS.CpuUsage; served: number }) => {
      if (m.type !== 'stats') return;
      server.child.off('message', onMessage);
      ok({ cpuUs: m.cpu.user + m.cpu.system, served: m.served });
    };
    server.child.on('message', onMessage);
    server.child.send({ type: 'stats' });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  await exited;
}

async function run(server: Server, op: Op, ids: readonly string[], seconds: number, connections: number): Promise<Run> {
  let n = 0;
  const setupRequest = (req: { path: string }) => ({ ...req, path: `/items/${ids[n++ % ids.length]}` });
  const before = await stats(server);
  const res = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    method: op,
    ...(op === 'PUT' ? { headers: { 'content-type': 'application/json' }, body: PUT_BODY } : {}),
    requests: [{ setupRequest }],
  });
  const after = await stats(server);
  if (res.errors || res.timeouts || res.non2xx) throw new Error(`${op} ${server.url}: ${res.errors} errors, ${res.timeouts} timeouts, ${res.non2xx} non-2xx`);
  return {
    rps: res.requests.average,
    meanMs: res.latency.average,
    p50Ms: res.latency.p50,
    p99Ms: res.latency.p99,
    cpuUs: (after.cpuUs - before.cpuUs) / Math.max(1, after.served - before.served),
  };
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

function once(url: string, op: Op, path: string): Promise<number> {
  return new Promise((ok, fail) => {
    const started = process.hrtime.bigint();
    const req = request(`${url}${path}`, { method: op, agent: keepAlive, headers: op === 'PUT' ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? ok(Number(process.hrtime.bigint() - started) / 1e6) : fail(new Error(`${op} ${path}: ${res.statusCode}`))));
    });
    req.on('error', fail);
    req.end(op === 'PUT' ? PUT_BODY : undefined);
  });
}

/** Serial latencies, alternating the two sides request by request so both see the same background load. */
async function serial(servers: Record<Side, Server>, op: Op, ids: readonly string[], count: number): Promise<Record<Side, number[]>> {
  const out: Record<Side, number[]> = { direct: [], handler: [] };
  for (let i = 0; i < count + 50; i++) {
    const path = `/items/${ids[i % ids.length]}`;
    const order: Side[] = i % 2 ? ['direct', 'handler'] : ['handler', 'direct'];
    for (const side of order) {
      const ms = await once(servers[side].url, op, path);
      if (i >= 50) out[side].push(ms); // the first 50 warm up
    }
  }
  return out;
}

function pct(handler: number, direct: number): string {
  return `${((100 * (handler - direct)) / direct).toFixed(1)}%`;
}

async function main({ seconds, connections, rounds, warmupSeconds, serialCount, logLevel, sampleRate }: LoadOptions): Promise<void> {
  console.log('building the bundles ...');
  execFileSync(process.execPath, [join(root, 'tools/run-ts.mjs'), join(root, 'tools/build-lambda.ts'), 'items-api'], { cwd: root, stdio: 'inherit' });
  const bundles: Record<Side, string> = { handler: join(root, 'dist/apps/items-api/index.js'), direct: join(root, '.bench/items-api/direct/index.js') };
  // The settings of tools/build-lambda.ts, so both sides run the SDK bundled the same way.
  await build({
    entryPoints: [join(__dirname, 'direct-handler.ts')],
    outfile: bundles.direct,
    ...(lambdaEsbuildOptions as BuildOptions),
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'warning',
  });

  const ddb = await DynamoDbLocal.start();
  const children: ChildProcess[] = [];
  try {
    const client = new DynamoDBClient(localClientConfig({ endpoint: ddb.endpoint, region: REGION }));
    await createServiceTable(client, TABLE);
    const repo = new ItemsRepository({ client, tableName: TABLE, region: REGION });
    const ids: string[] = [];
    for (let i = 0; i < SEED; i++) ids.push((await repo.create(JSON.parse(PUT_BODY))).item.id);
    client.destroy();

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      TABLE_NAME: TABLE,
      EDGE_CACHE_MODE: 'ttl',
      EDGE_CACHE_TTL_SECONDS: '60',
      POWERTOOLS_SERVICE_NAME: 'items',
      POWERTOOLS_LOG_LEVEL: logLevel,
      LOG_SAMPLE_RATE: sampleRate,
      NODE_NO_WARNINGS: '1',
    };
    const servers: Record<Side, Server> = { direct: await startServer('direct', bundles.direct, env), handler: await startServer('handler', bundles.handler, env) };
    children.push(servers.direct.child, servers.handler.child);

    const load0 = loadavg()[0];
    const runs: Record<string, Run[]> = {};
    for (const op of ['GET', 'PUT'] as const) {
      // Warm-up, discarded: in slices, alternating, so both sides warm up at the same pace.
      for (let left = warmupSeconds; left > 0; left -= 5) {
        for (const side of ['direct', 'handler'] as const) await run(servers[side], op, ids, Math.min(5, left), connections);
      }
      for (let round = 0; round < rounds; round++) {
        const order: Side[] = round % 2 === 0 ? ['direct', 'handler'] : ['handler', 'direct'];
        for (const side of order) {
          const r = await run(servers[side], op, ids, seconds, connections);
          (runs[`${op} ${side}`] ??= []).push(r);
          console.log(
            `round ${round + 1} ${op} ${side.padEnd(7)} ${r.rps.toFixed(0).padStart(6)} req/s  mean ${r.meanMs.toFixed(2)} ms  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  cpu ${r.cpuUs.toFixed(0)} us/req`,
          );
        }
      }
    }
    const serialRuns: Record<Op, Record<Side, number[]>> = {
      GET: await serial(servers, 'GET', ids, serialCount),
      PUT: await serial(servers, 'PUT', ids, serialCount),
    };
    const load1 = loadavg()[0];

    console.log(
      `\nnode ${process.version}, ${cpus().length} CPUs, load average ${load0.toFixed(2)} -> ${load1.toFixed(2)}; autocannon ${connections} connections, ` +
        `${warmupSeconds} s warm-up, ${rounds} x ${seconds} s per side (medians); serial ${serialCount} requests per side; handler log level ${logLevel}, sample rate ${sampleRate}\n`,
    );
    console.log(
      `${'operation'.padEnd(12)} ${'req/s'.padStart(7)} ${'mean ms'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'cpu us/req'.padStart(11)} | ` +
        `${'serial p50'.padStart(10)} ${'p99'.padStart(7)} ${'mean'.padStart(7)}`,
    );
    for (const op of ['GET', 'PUT'] as const) {
      const m: Record<string, { rps: number; mean: number; p50: number; p99: number; cpu: number; sp50: number; sp99: number; smean: number }> = {};
      for (const side of ['direct', 'handler'] as const) {
        const rs = runs[`${op} ${side}`];
        const s = serialRuns[op][side];
        m[side] = {
          rps: median(rs.map((r) => r.rps)),
          mean: median(rs.map((r) => r.meanMs)),
          p50: median(rs.map((r) => r.p50Ms)),
          p99: median(rs.map((r) => r.p99Ms)),
          cpu: median(rs.map((r) => r.cpuUs)),
          sp50: percentile(s, 50),
          sp99: percentile(s, 99),
          smean: s.reduce((a, b) => a + b, 0) / s.length,
        };
        const x = m[side];
        console.log(
          `${`${op} ${side}`.padEnd(12)} ${x.rps.toFixed(0).padStart(7)} ${x.mean.toFixed(2).padStart(8)} ${String(x.p50).padStart(7)} ${String(x.p99).padStart(7)} ${x.cpu.toFixed(0).padStart(11)} | ` +
            `${x.sp50.toFixed(3).padStart(10)} ${x.sp99.toFixed(3).padStart(7)} ${x.smean.toFixed(3).padStart(7)}`,
        );
      }
      const d = m.direct;
      const h = m.handler;
      // The same comparison round by round (each round's two runs are next to each other in time).
      const paired = runs[`${op} handler`].map((r, i) => runs[`${op} direct`][i].rps / r.rps);
      const pairedCpu = runs[`${op} handler`].map((r, i) => r.cpuUs / runs[`${op} direct`][i].cpuUs);
      // At a fixed number of connections, time per request is connections / throughput.
      console.log(
        `${op} handler overhead vs direct SDK: time per request under load ${pct(1 / h.rps, 1 / d.rps)} ` +
          `(round by round: median ${pct(median(paired), 1)}; ${paired.map((x) => pct(x, 1)).join(' ')}), p50 ${pct(h.p50, d.p50)}, p99 ${pct(h.p99, d.p99)}; ` +
          `serial p50 ${pct(h.sp50, d.sp50)}, serial mean ${pct(h.smean, d.smean)}; server CPU per request ${pct(h.cpu, d.cpu)} (round by round: median ${pct(median(pairedCpu), 1)})   (target < 15%)\n`,
      );
    }
  } finally {
    for (const child of children) await stopServer(child);
    await ddb.stop();
  }
}

void runCli(
  {
    name: 'bench:items-load',
    command: 'npm run bench:items-load --',
    summary: 'GET and PUT through the items-api handler against the same DynamoDB calls made directly, on DynamoDB Local: throughput, latency, server CPU.',
    options: {
      duration: { type: 'string', default: '5', valueName: '<s>', description: 'seconds per autocannon run (default: 5)' },
      connections: { type: 'string', default: '10', valueName: '<n>', description: 'concurrent connections (default: 10)' },
      rounds: { type: 'string', default: '5', valueName: '<n>', description: 'runs per side, alternating (default: 5)' },
      warmup: { type: 'string', default: '20', valueName: '<s>', description: 'seconds of discarded load per side and operation before the rounds (default: 20)' },
      serial: { type: 'string', default: '1000', valueName: '<n>', description: 'requests of the serial pass (default: 1000)' },
      'log-level': { type: 'string', default: 'INFO', valueName: '<level>', description: "the handler's POWERTOOLS_LOG_LEVEL: DEBUG, INFO (as deployed), WARN, ERROR, SILENT" },
      'sample-rate': { type: 'string', default: '0.05', valueName: '<0-1>', description: "the handler's LOG_SAMPLE_RATE: fraction of ordinary requests logged (default: 0.05, as deployed)" },
    },
  },
  ({ values }) =>
    main({
      seconds: integerOption('duration', values.duration, { min: 1 })!,
      connections: integerOption('connections', values.connections, { min: 1 })!,
      rounds: integerOption('rounds', values.rounds, { min: 1 })!,
      warmupSeconds: integerOption('warmup', values.warmup, { min: 1 })!,
      serialCount: integerOption('serial', values.serial, { min: 1 })!,
      logLevel: logLevelOption(values['log-level']),
      sampleRate: sampleRateOption(values['sample-rate']),
    }),
);
