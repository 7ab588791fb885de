// npm run dev: runs a service's whole multi-region topology on this machine, as the
// platform config describes it (default: service items, environment dev). Per region:
// the service's real handler behind the local HTTP adapter and its own DynamoDB Local;
// replication between the regions' tables from their streams; Route53-like health
// checks and routing; a CloudFront-like GET cache; one front door URL.
// Ctrl-C (SIGINT) or SIGTERM stops everything and frees every port.
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError, integerOption as integer, runCli } from '@platform/cli';
import { UserError, appEntryPath, loadPlatform } from '@platform/config';
import {
  LocalTopology,
  evacuateRegion,
  requestDevToken,
  restoreRegion,
  runRelationalDev,
  topologyConfig,
  usesRelationalLayer,
  writeDevSession,
} from '@platform/local-topology';
import { formatResult } from '@platform/rollout';
import { startDevControl } from './dev/dev-control';
import { rollOutLocally } from './dev/local-rollout';

const root = path.resolve(__dirname, '..');

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T | undefined {
  if (raw !== undefined && !allowed.includes(raw as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T | undefined;
}

async function start(topology: Promise<LocalTopology>): Promise<LocalTopology> {
  try {
    return await topology;
  } catch (err) {
    // Java or the emulator missing, a port taken: the message says what to do.
    if ((err as Error)?.name === 'DynamoDbLocalError') throw new UserError(`dev: ${(err as Error).message}`);
    throw err;
  }
}

void runCli(
  {
    name: 'dev',
    command: 'npm run dev --',
    summary:
      "Runs a service's multi-region topology on this machine: per region its handler and a DynamoDB Local, replication, health checks, routing, an edge cache, one front door, and a local OIDC issuer. `token` mints a token from a running dev's issuer.",
    positionals: '[token]',
    options: {
      service: { type: 'string', valueName: '<name>', description: 'service in the platform config (default: items)' },
      environment: { type: 'string', valueName: '<name>', description: 'environment whose regions run (default: dev)' },
      config: { type: 'string', valueName: '<file>', description: 'platform config (default: config/platform.json)' },
      regions: { type: 'string', valueName: '<a,b>', description: "run only these of the environment's regions" },
      'probe-interval-ms': { type: 'string', valueName: '<ms>', description: "health check interval (default: the config's intervalSeconds)" },
      'failure-threshold': { type: 'string', valueName: '<n>', description: "failed checks before a region is dropped (default: the config's)" },
      routing: { type: 'string', valueName: '<policy>', description: "latency | weighted | failover (default: the config's)" },
      'nearest-region': { type: 'string', valueName: '<region>', description: 'latency routing: the region nearest to you (default: the primary)' },
      'cache-mode': { type: 'string', valueName: '<mode>', description: "ttl | invalidate | off (default: the config's edgeCache)" },
      'cache-ttl-seconds': { type: 'string', valueName: '<s>', description: "edge cache TTL (default: the config's)" },
      'replication-delay-ms': { type: 'string', valueName: '<ms>', description: 'hold each replicated change back this long (default: 0)' },
      port: { type: 'string', valueName: '<port>', description: 'front door port (default: a free port)' },
      'api-log-level': { type: 'string', valueName: '<level>', description: 'log level of the region APIs, e.g. INFO for one line per request (default: WARN)' },
      scopes: { type: 'string', valueName: '<a,b>', description: 'token: the scopes of the token (default: every scope of the service)' },
      subject: { type: 'string', valueName: '<sub>', description: 'token: the sub claim (default: local-developer)' },
    },
    notes:
      'While it runs, type: kill <region> | recover <region> | evacuate <region> [--force] | restore <region> | rollout [<module>] | stop issuer | status | help.\n' +
      'For a service on Aurora (orders): kill | recover | switchover | failover <region> | status (docs/orders.md).\n' +
      'npm run rollout -- --local rolls a changed handler out to it region by region (docs/rollout.md).',
  },
  async ({ values: args, positionals }) => {
    if (positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== 'token')) {
      throw new UsageError(`unknown command "${positionals.join(' ')}"; the only command is "token" (npm run dev -- token --scopes items:read)`);
    }
    if (positionals[0] === 'token') {
      const scopes = args.scopes?.split(',').map((s) => s.trim()).filter(Boolean);
      console.log(await requestDevToken({ service: args.service ?? 'items', environment: args.environment ?? 'dev', scopes, subject: args.subject }));
      return;
    }
    if (args.scopes !== undefined || args.subject !== undefined) throw new UsageError('--scopes and --subject belong to the token command: npm run dev -- token --scopes items:read');
    const overrides = {
      service: args.service,
      environment: args.environment,
      regions: args.regions?.split(',').map((r) => r.trim()).filter(Boolean),
      probeIntervalMs: integer('probe-interval-ms', args['probe-interval-ms'], { min: 10 }),
      failureThreshold: integer('failure-threshold', args['failure-threshold'], { min: 1, max: 10 }),
      routingPolicy: oneOf('routing', args.routing, ['latency', 'weighted', 'failover'] as const),
      edgeCacheMode: oneOf('cache-mode', args['cache-mode'], ['ttl', 'invalidate', 'off'] as const),
      edgeCacheTtlSeconds: integer('cache-ttl-seconds', args['cache-ttl-seconds']),
    };
    const port = integer('port', args.port, { min: 1, max: 65535 });
    const replicationDelayMs = integer('replication-delay-ms', args['replication-delay-ms']);

    const started = performance.now();
    const platform = loadPlatform(args.config ? path.resolve(args.config) : path.join(root, 'config', 'platform.json'));
    const config = topologyConfig(platform, overrides);
    // A service on Aurora (orders, or one generated with --data=aurora) runs on PostgreSQL (and Redis with a cache) instead of DynamoDB Local.
    if (usesRelationalLayer(platform, config.service)) {
      await runRelationalDev({ platform, config, workspaceRoot: root, frontDoorPort: port, nearestRegion: args['nearest-region'], apiLogLevel: args['api-log-level'] });
      return;
    }
    const topology = await start(
      LocalTopology.start({
        config,
        workspaceRoot: root,
        frontDoorPort: port,
        replicationDelayMs,
        nearestRegion: args['nearest-region'],
        apiLogLevel: args['api-log-level'],
        log: (line) => console.log(line),
        apiOutput: (line) => console.log(line),
      }),
    );

    const base = topology.frontDoorUrl;
    const token = topology.issuer ? await topology.mintToken() : undefined;
    if (topology.issuer) {
      const removeSession = writeDevSession({ service: config.service, environment: config.environment, issuer: topology.issuer.url, frontDoor: base, pid: process.pid });
      process.once('exit', removeSession);
      console.log(`dev token: ${token}`);
    }
    const auth = token ? ` -H "authorization: Bearer $TOKEN"` : '';
    console.log(
      (token ? `Put the token in a variable: TOKEN=<the dev token above>; other scopes: npm run dev -- token --scopes ${topology.allScopes[0] ?? '<scope>'}\n` : '') +
        `ready in ${((performance.now() - started) / 1000).toFixed(1)} s. Try:\n` +
        `  curl -si -X POST ${base}/items${auth} -H 'content-type: application/json' -H 'idempotency-key: k1' -d '{"name":"hello"}'\n` +
        `  curl -si ${base}/items${auth}\n` +
        `Type "kill <region>", "recover <region>", "evacuate <region>", "restore <region>", "rollout", "stop issuer" or "status"; Ctrl-C stops everything.`,
    );
    const control = await startDevControl({ topology, platform, workspaceRoot: root, log: (line) => console.log(line) });
    stopOnSignals(topology, () => control.close());
    readCommands(topology, platform);
  },
);

function stopOnSignals(topology: LocalTopology, beforeStop: () => Promise<void>): void {
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      // The JVMs and API processes die with us anyway (they watch our pipes).
      console.log(`dev: ${signal} again, exiting now`);
      process.exit(130);
    }
    console.log(`dev: ${signal} received, stopping every component (${signal === 'SIGINT' ? 'Ctrl-C' : 'signal'} again to exit at once)`);
    stopping = beforeStop()
      .catch(() => undefined)
      .then(() => topology.stop())
      .then(
      () => {
        console.log('dev: stopped; every port is free');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`dev: stopping failed: ${(err as Error)?.message ?? err}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function readCommands(topology: LocalTopology, platform: ReturnType<typeof loadPlatform>): void {
  const commands = createInterface({ input: process.stdin, terminal: false });
  commands.on('line', async (line) => {
    const [command, region, flag] = line.trim().split(/\s+/);
    try {
      if (!command) return;
      if (command === 'kill' && region) await topology.failRegion(region);
      else if (command === 'recover' && region) await topology.recoverRegion(region);
      else if (command === 'evacuate' && region && (!flag || flag === '--force')) {
        evacuateRegion(topology, region, { force: flag === '--force' });
        console.log(`region ${region}: evacuated (out of routing; it keeps running and replicating). "restore ${region}" brings it back.`);
      } else if (command === 'restore' && region) {
        restoreRegion(topology, region);
        console.log(`region ${region}: restored (its health check decides again)`);
      } else if (command === 'rollout') {
        const module = path.resolve(root, region ?? appEntryPath(topology.config.app));
        const report = await rollOutLocally({ topology, platform, handlerModule: module, log: (l) => console.log(`rollout: ${l}`) });
        console.log(formatResult(report.plan, report.result));
      } else if (command === 'status') printStatus(topology);
      else if (command === 'stop' && region === 'issuer' && topology.issuer) {
        await topology.issuer.stop();
        console.log('issuer stopped: no new tokens; tokens already issued keep working in every region (each has the keys cached)');
      } else {
        console.log('commands: kill <region> | recover <region> | evacuate <region> [--force] | restore <region> | rollout [<module>] | stop issuer | status (Ctrl-C stops everything)');
      }
    } catch (err) {
      console.error(`dev: ${(err as Error)?.message ?? err}`);
    }
  });
}

function printStatus(topology: LocalTopology): void {
  for (const s of topology.healthChecker.status()) {
    const r = topology.region(s.region);
    console.log(
      `${s.region}: ${s.healthy ? 'healthy' : 'UNHEALTHY'}${topology.evacuated.has(s.region) ? ', EVACUATED' : ''} (last check: ${s.lastResult ?? 'none'}); API ${r.api.isRunning ? 'up' : 'down'}, table ${r.table.isRunning ? 'up' : 'down'}`,
    );
  }
  for (const l of topology.replicator.stats()) {
    console.log(
      `replication ${l.source} -> ${l.target}: applied ${l.applied}, superseded ${l.superseded}, replicated writes skipped ${l.skippedReplicated}${l.sourceUnreachable || l.targetUnreachable ? ' (paused)' : ''}`,
    );
  }
  const c = topology.cache.stats;
  console.log(`edge cache (${topology.cache.mode}): ${c.hits} hits, ${c.misses} misses, ${c.invalidationRequests} invalidations; front door routes to ${topology.router.pick()}`);
}
