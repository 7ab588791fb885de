import { createInterface } from 'node:readline';
import { type Platform, serviceContract } from '@platform/config';
import { writeDevSession } from '../dev-session';
import { LOCAL_DEFAULT_SUBJECT } from '../local-issuer';
import type { TopologyConfig } from '../topology-config';
import { RelationalTopology } from './relational-topology';

/** Whether the service runs on the relational layer (Aurora), so `npm run dev` runs {@link RelationalTopology}. */
export function usesRelationalLayer(platform: Platform, service: string): boolean {
  return Boolean(platform.services.find((s) => s.name === service)?.aurora);
}

/** Options of {@link runRelationalDev}. */
export interface RelationalDevOptions {
  readonly platform: Platform;
  readonly config: TopologyConfig;
  readonly workspaceRoot: string;
  readonly frontDoorPort?: number;
  readonly nearestRegion?: string;
  readonly apiLogLevel?: string;
  readonly print?: (line: string) => void;
}

/**
 * `npm run dev -- --service <a service on Aurora>`: starts the topology, prints how to use it, reads
 * `kill | recover | switchover | failover <region>` and `status` from stdin, and stops
 * everything on SIGINT / SIGTERM.
 */
export async function runRelationalDev(options: RelationalDevOptions): Promise<RelationalTopology> {
  const print = options.print ?? ((line: string) => console.log(line));
  const started = performance.now();
  const service = options.platform.services.find((s) => s.name === options.config.service)!;
  const contract = serviceContract(options.platform.config, options.config.service, options.config.environment);
  const topology = await RelationalTopology.start({
    config: options.config,
    database: { name: service.aurora!.databaseName, user: contract.names.databaseUser },
    cache: Boolean(service.cache),
    workspaceRoot: options.workspaceRoot,
    frontDoorPort: options.frontDoorPort,
    nearestRegion: options.nearestRegion,
    apiLogLevel: options.apiLogLevel,
    log: print,
    apiOutput: print,
  });
  const base = topology.frontDoorUrl;
  const [primary, secondary] = options.config.regions;
  // As for a service on DynamoDB: the token of the local issuer, and `npm run dev -- token` for others.
  const token = topology.issuer ? await topology.mintToken() : undefined;
  if (topology.issuer) {
    const removeSession = writeDevSession({ service: options.config.service, environment: options.config.environment, issuer: topology.issuer.url, frontDoor: base, pid: process.pid });
    process.once('exit', removeSession);
    print(`dev token: ${token}`);
    print(
      `Put the token in a variable: TOKEN=<the dev token above> (its sub, ${LOCAL_DEFAULT_SUBJECT}, is the caller); ` +
        `other scopes or callers: npm run dev -- token --service ${options.config.service} --scopes ${topology.auth.allScopes[0] ?? '<scope>'} --subject <sub>`,
    );
  }
  print(
    `ready in ${((performance.now() - started) / 1000).toFixed(1)} s. Try:\n` +
      tryCommands(options.config.service, base, token ? ` -H "authorization: Bearer $TOKEN"` : '') +
      `Type "kill ${primary}" (writes answer 503, reads continue), "switchover ${secondary ?? '<region>'}", "failover <region>", "recover <region>" or "status"; Ctrl-C stops everything.`,
  );
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    print(`dev: ${signal} received, stopping every component`);
    topology.stop().then(
      () => {
        print('dev: stopped; every port is free');
        process.exit(0);
      },
      (err: unknown) => {
        print(`dev: stopping failed: ${(err as Error)?.message ?? err}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  createInterface({ input: process.stdin, terminal: false }).on('line', (line) => void runCommand(topology, line, print));
  return topology;
}

/** One command typed into `npm run dev`. */
export async function runCommand(topology: RelationalTopology, line: string, print: (line: string) => void): Promise<void> {
  const [command, region] = line.trim().split(/\s+/);
  try {
    if (!command) return;
    if (command === 'kill' && region) await topology.failRegion(region);
    else if (command === 'recover' && region) await topology.recoverRegion(region);
    else if (command === 'switchover' && region) {
      const r = await topology.switchover(region);
      print(`switchover ${r.from} -> ${r.to}: writes refused for ${Math.round(r.writeOutageMs)} ms; no acknowledged write lost`);
    } else if (command === 'failover' && region) {
      const r = await topology.failover(region);
      print(`failover ${r.from} -> ${r.to}: writer endpoints moved ${Math.round(r.writeOutageMs)} ms after the command; writes ${r.from} acknowledged and had not sent are lost`);
    } else if (command === 'status') for (const l of await topology.status()) print(l);
    else print('commands: kill <region> | recover <region> | switchover <region> | failover <region> | status (Ctrl-C stops everything)');
  } catch (err) {
    print(`dev: ${(err as Error)?.message ?? err}`);
  }
}

/** Two requests to try: orders' own, or those of a service made by the generator (a CRUD API at /<service>). */
function tryCommands(service: string, base: string, auth: string): string {
  if (service === 'orders') {
    const customer = auth ? LOCAL_DEFAULT_SUBJECT : 'c1';
    return (
      `  curl -si -X POST ${base}/orders${auth} -H 'content-type: application/json' -H 'idempotency-key: k1' -d '{"customerId":"${customer}","currency":"EUR","lines":[{"sku":"ABC-1","quantity":2,"price":"9.99"}]}'\n` +
      `  curl -si ${base}/customers/${customer}/orders${auth}\n`
    );
  }
  return `  curl -si -X POST ${base}/${service}${auth} -H 'content-type: application/json' -H 'idempotency-key: k1' -d '{"name":"first"}'\n  curl -si ${base}/${service}${auth}\n`;
}
