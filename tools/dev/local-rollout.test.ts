import { join } from 'node:path';
import { parsePlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { LocalTopology, evacuateRegion, restoreRegion, topologyConfig } from '@platform/local-topology';
import { rollOutLocally } from './local-rollout';

// The rollout fault test and the evacuation test of the local topology: dev of the test
// fixture (eu-west-1 primary, us-east-1 last, so the canary), weighted routing so both
// regions take traffic, no edge cache so every GET reaches a region. Numbers are
// printed and recorded in docs/benchmarks/rollout.md.

const WORKSPACE = join(__dirname, '../..');
const FAULTY = join(WORKSPACE, 'libs/local/topology/src/testing/faulty-handler.ts');
const PROBE_INTERVAL_MS = 250;

jest.setTimeout(240_000);

interface Answer {
  readonly at: number;
  readonly status: number;
  readonly region?: string;
  readonly faulty: boolean;
}

/** GETs through the front door from `workers` loops until stopped, as a signed-in client. */
function load(url: string, workers = 4, headers: Readonly<Record<string, string>> = {}) {
  const answers: Answer[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const res = await fetch(`${url}/items?limit=1`, { headers });
        await res.arrayBuffer();
        answers.push({ at: Date.now(), status: res.status, region: res.headers.get('x-local-region') ?? undefined, faulty: res.headers.get('x-bundle') === 'faulty' });
      } catch {
        answers.push({ at: Date.now(), status: 0, faulty: false });
      }
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('local rollout and evacuation', () => {
  const config = parsePlatform(platformFixture());
  config.config.services.items.routing = { policy: 'weighted', weights: {} };
  const topo = topologyConfig(config, { service: 'items', environment: 'dev', probeIntervalMs: PROBE_INTERVAL_MS, failureThreshold: 3, edgeCacheMode: 'off', routingPolicy: 'weighted' });
  const [primary, canary] = topo.regions;
  let topology: LocalTopology;
  let starting: Promise<LocalTopology> | undefined;

  beforeAll(async () => {
    starting = LocalTopology.start({ config: topo, workspaceRoot: WORKSPACE });
    topology = await starting;
  }, 180_000);

  afterAll(async () => {
    const started = await starting?.catch(() => undefined);
    await started?.stop();
  }, 60_000);

  it('trips the canary’s gate on a bad bundle, rolls the canary back, and the other region never serves it', async () => {
    const good = topology.handlerModules.get(canary)!;
    const traffic = load(topology.frontDoorUrl, 4, topology.edgeHeaders);
    await new Promise((r) => setTimeout(r, 1000));
    const lines: string[] = [];
    const report = await rollOutLocally({ topology, platform: config, handlerModule: FAULTY, bakeSeconds: 20, watchSeconds: 2, pollSeconds: 0.25, log: (l) => lines.push(l) });
    await new Promise((r) => setTimeout(r, 1000));
    await traffic.stop();

    expect(report.result).toMatchObject({ outcome: 'rolled-back', failedWave: `canary ${canary}`, untouched: [`regions ${primary}`] });
    expect(report.result.reasons[0]).toBe(`alarm items-dev-${canary}-region-unhealthy (${canary}): ALARM`);
    expect(topology.handlerModules.get(canary)).toBe(good);
    expect(topology.handlerModules.get(primary)).toBe(good);
    const faulty = traffic.answers.filter((a) => a.faulty);
    expect(faulty.length).toBeGreaterThan(0);
    expect(faulty.filter((a) => a.region !== canary)).toEqual([]);

    const liveAt = report.liveAt.get(canary)!;
    const episode = traffic.answers.filter((a) => a.at >= liveAt && a.at <= report.rolledBackAt!);
    console.log(
      [
        `rollout fault test (${traffic.answers.length} requests through the front door, 4 workers):`,
        `  bad bundle live in ${canary} -> rollback complete: ${report.rolledBackAt! - liveAt} ms`,
        `  requests served by the bad bundle: ${faulty.length} (${canary}: ${faulty.filter((a) => a.region === canary).length}, elsewhere: 0)`,
        `  requests failed through the front door during the episode: ${episode.filter((a) => a.status >= 500 || a.status === 0).length} of ${episode.length}`,
        `  failed outside the episode: ${traffic.answers.filter((a) => (a.at < liveAt || a.at > report.rolledBackAt!) && (a.status >= 500 || a.status === 0)).length}`,
      ].join('\n'),
    );
  });

  it('evacuates a healthy region: the front door stops sending it requests at once, and restore brings it back', async () => {
    const traffic = load(topology.frontDoorUrl, 2, topology.edgeHeaders);
    await new Promise((r) => setTimeout(r, 1000));
    const at = Date.now();
    evacuateRegion(topology, canary);
    await new Promise((r) => setTimeout(r, 2 * PROBE_INTERVAL_MS + 500));
    // Requests already routed when the evacuation happened may still finish there.
    const lastThere = Math.max(0, ...traffic.answers.filter((a) => a.region === canary).map((a) => a.at));
    const sentAfter = traffic.answers.filter((a) => a.at > at + 2 * PROBE_INTERVAL_MS);
    expect(sentAfter.length).toBeGreaterThan(0);
    expect(sentAfter.filter((a) => a.region === canary)).toEqual([]);
    expect(topology.healthChecker.isHealthy(canary)).toBe(true);

    expect(() => evacuateRegion(topology, primary)).toThrow(`refusing to evacuate ${primary}: it is the last routable region`);
    restoreRegion(topology, canary);
    await new Promise((r) => setTimeout(r, 1000));
    await traffic.stop();
    expect(traffic.answers.filter((a) => a.at > Date.now() - 900).some((a) => a.region === canary)).toBe(true);
    expect(traffic.answers.filter((a) => a.status !== 200)).toEqual([]);
    console.log(`local evacuation: last answer from ${canary} ${Math.max(0, lastThere - at)} ms after evacuate (limit 2 x ${PROBE_INTERVAL_MS} ms)`);
  });
});
