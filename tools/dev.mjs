#!/usr/bin/env node
// npm run dev: runs a service's whole multi-region topology on this machine, as the
// platform config describes it (default: service items, environment dev). Per region:
// the service's real handler behind the local HTTP adapter and its own DynamoDB Local;
// replication between the regions' tables from their streams; Route53-like health
// checks and routing; a CloudFront-like GET cache; one front door URL.
// Ctrl-C (SIGINT) or SIGTERM stops everything and frees every port.
//
// The library (libs/local/topology) is bundled with esbuild first, as
// tools/synth.mjs does with the stacks, so no TypeScript loader is needed here; the
// region APIs run the handler's TypeScript through tsx in their own processes.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadTs } from './lib/load-ts.mjs';

const root = resolve(import.meta.dirname, '..');
const USAGE = `usage: npm run dev -- [options]

  --service <name>              service in the platform config (default: items)
  --environment <name>          environment whose regions run (default: dev)
  --config <file>               platform config (default: config/platform.json)
  --regions <a,b>               run only these of the environment's regions
  --probe-interval-ms <ms>      health check interval (default: the config's intervalSeconds)
  --failure-threshold <n>       failed checks before a region is dropped (default: the config's)
  --routing <policy>            latency | weighted | failover (default: the config's)
  --nearest-region <region>     latency routing: the region nearest to you (default: the primary)
  --cache-mode <mode>           ttl | invalidate | off (default: the config's edgeCache)
  --cache-ttl-seconds <s>       edge cache TTL (default: the config's)
  --replication-delay-ms <ms>   hold each replicated change back this long (default: 0)
  --port <port>                 front door port (default: a free port)
  --api-log-level <level>       log level of the region APIs, e.g. INFO for one line per request (default: WARN)

While it runs, type: kill <region> | recover <region> | status | help`;

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      service: { type: 'string' },
      environment: { type: 'string' },
      config: { type: 'string' },
      regions: { type: 'string' },
      'probe-interval-ms': { type: 'string' },
      'failure-threshold': { type: 'string' },
      routing: { type: 'string' },
      'nearest-region': { type: 'string' },
      'cache-mode': { type: 'string' },
      'cache-ttl-seconds': { type: 'string' },
      'replication-delay-ms': { type: 'string' },
      port: { type: 'string' },
      'api-log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  console.error(`dev: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

function integer(name, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = args[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`dev: --${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return value;
}
function oneOf(name, allowed) {
  const raw = args[name];
  if (raw !== undefined && !allowed.includes(raw)) {
    console.error(`dev: --${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    process.exit(2);
  }
  return raw;
}

const overrides = {
  service: args.service,
  environment: args.environment,
  regions: args.regions?.split(',').map((r) => r.trim()).filter(Boolean),
  probeIntervalMs: integer('probe-interval-ms', { min: 10 }),
  failureThreshold: integer('failure-threshold', { min: 1, max: 10 }),
  routingPolicy: oneOf('routing', ['latency', 'weighted', 'failover']),
  edgeCacheMode: oneOf('cache-mode', ['ttl', 'invalidate', 'off']),
  edgeCacheTtlSeconds: integer('cache-ttl-seconds'),
};
const port = integer('port', { min: 1, max: 65535 });
const replicationDelayMs = integer('replication-delay-ms');

// One file per process: two runs at once must not write over each other's bundle.
const bundleName = `tools/local-topology.${process.pid}.cjs`;
const lib = await loadTs('tools/dev-entry.ts', bundleName);
rmSync(join(root, 'dist', bundleName), { force: true });

const started = performance.now();
let topology;
try {
  const platform = lib.loadPlatform(args.config ? resolve(args.config) : join(root, 'config', 'platform.json'));
  const config = lib.topologyConfig(platform, overrides);
  topology = await lib.LocalTopology.start({
    config,
    workspaceRoot: root,
    frontDoorPort: port,
    replicationDelayMs,
    nearestRegion: args['nearest-region'],
    apiLogLevel: args['api-log-level'],
    log: (line) => console.log(line),
    apiOutput: (line) => console.log(line),
  });
} catch (err) {
  // Configuration, Java, ports: the message says what to do; a stack would bury it.
  const known = ['ConfigError', 'TopologyConfigError', 'DynamoDbLocalError'].includes(err?.name);
  console.error(`dev: ${known ? err.message : err?.stack ?? err}`);
  process.exit(1);
}

const base = topology.frontDoorUrl;
console.log(
  `ready in ${((performance.now() - started) / 1000).toFixed(1)} s. Try:\n` +
    `  curl -si -X POST ${base}/items -H 'content-type: application/json' -H 'idempotency-key: k1' -d '{"name":"hello"}'\n` +
    `  curl -si ${base}/items\n` +
    `Type "kill <region>", "recover <region>" or "status"; Ctrl-C stops everything.`,
);

let stopping;
async function shutdown(signal) {
  if (stopping) {
    // The JVMs and API processes die with us anyway (they watch our pipes).
    console.log(`dev: ${signal} again, exiting now`);
    process.exit(130);
  }
  console.log(`dev: ${signal} received, stopping every component (${signal === 'SIGINT' ? 'Ctrl-C' : 'signal'} again to exit at once)`);
  stopping = topology.stop().then(
    () => {
      console.log('dev: stopped; every port is free');
      process.exit(0);
    },
    (err) => {
      console.error(`dev: stopping failed: ${err?.message ?? err}`);
      process.exit(1);
    },
  );
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const commands = createInterface({ input: process.stdin, terminal: false });
commands.on('line', async (line) => {
  const [command, region] = line.trim().split(/\s+/);
  try {
    if (!command) return;
    if (command === 'kill' && region) await topology.failRegion(region);
    else if (command === 'recover' && region) await topology.recoverRegion(region);
    else if (command === 'status') printStatus();
    else console.log('commands: kill <region> | recover <region> | status (Ctrl-C stops everything)');
  } catch (err) {
    console.error(`dev: ${err?.message ?? err}`);
  }
});

function printStatus() {
  for (const s of topology.healthChecker.status()) {
    const r = topology.region(s.region);
    console.log(
      `${s.region}: ${s.healthy ? 'healthy' : 'UNHEALTHY'} (last check: ${s.lastResult ?? 'none'}); API ${r.api.isRunning ? 'up' : 'down'}, table ${r.table.isRunning ? 'up' : 'down'}`,
    );
  }
  for (const l of topology.replicator.stats()) {
    console.log(`replication ${l.source} -> ${l.target}: applied ${l.applied}, superseded ${l.superseded}, replicated writes skipped ${l.skippedReplicated}${l.sourceUnreachable || l.targetUnreachable ? ' (paused)' : ''}`);
  }
  const c = topology.cache.stats;
  console.log(`edge cache (${topology.cache.mode}): ${c.hits} hits, ${c.misses} misses, ${c.invalidationRequests} invalidations; front door routes to ${topology.router.pick()}`);
}
