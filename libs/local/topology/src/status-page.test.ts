import type { HealthStatus } from './health-checker';
import type { ReplicationLinkStats } from './replication-link';
import { platformStatus, statusPageHtml } from './status-page';
import { StatusMetrics } from './status-metrics';

const REGIONS = ['eu-west-1', 'us-east-1'];
const config = {
  service: 'items',
  environment: 'dev',
  regions: REGIONS,
  healthCheck: { intervalMs: 500, failureThreshold: 3, path: '/health' },
  alarms: {
    api5xxPercent: 5,
    apiP99LatencyMs: 2000,
    replicationLatencyMs: 60_000,
    regionUnhealthyName: (r: string) => `items-dev-${r}-region-unhealthy`,
    regionAlarmName: (r: string, m: string) => `items-dev-${r}-${m}`,
    edgeAlarmName: (m: string) => `items-dev-${m}`,
  },
};
const healthy = (region: string): HealthStatus => ({ region, healthy: true, consecutiveFailures: 0, consecutiveSuccesses: 3, lastCheckedAt: 1, lastResult: 'HTTP 200', lastOk: true });
const link = (source: string, target: string): ReplicationLinkStats =>
  ({ source, target, applied: 4, superseded: 0, skippedReplicated: 0, sourceErrors: 0, targetErrors: 0, sourceUnreachable: false }) as ReplicationLinkStats;

function statusWith(overrides: { health?: HealthStatus[]; metrics?: StatusMetrics; down?: string } = {}) {
  return platformStatus({
    config,
    health: overrides.health ?? REGIONS.map(healthy),
    routesTo: 'eu-west-1',
    metrics: overrides.metrics ?? new StatusMetrics(),
    links: [link('eu-west-1', 'us-east-1'), link('us-east-1', 'eu-west-1')],
    running: (r) => ({ api: r !== overrides.down, table: r !== overrides.down }),
    now: 1000,
  });
}

describe('StatusMetrics', () => {
  it('gives rate, 5xx rate and p99 over the window, forgetting older requests', () => {
    let now = 0;
    const metrics = new StatusMetrics({ windowMs: 10_000, now: () => now });
    metrics.recordRequest('eu-west-1', 200, 999);
    now = 20_000;
    for (let i = 1; i <= 99; i++) metrics.recordRequest('eu-west-1', 200, i);
    metrics.recordRequest('eu-west-1', 502, 500);

    expect(metrics.traffic('eu-west-1')).toEqual({ requests: 100, requestsPerSecond: 10, errorRatePercent: 1, p99LatencyMs: 99, failovers: 0 });
  });
});

describe('platformStatus', () => {
  it('given reads a region failed and the secondary answered, then the page shows that region\'s failovers over the window', () => {
    let now = 0;
    const metrics = new StatusMetrics({ windowMs: 10_000, now: () => now });
    metrics.recordFailover('eu-west-1');
    now = 20_000;
    metrics.recordFailover('eu-west-1');
    metrics.recordFailover('eu-west-1');
    const status = statusWith({ health: [healthy('eu-west-1'), healthy('us-east-1')], metrics });

    expect(status.regions.map((r) => [r.region, r.failovers])).toEqual([['eu-west-1', 2], ['us-east-1', 0]]);
  });

  it('shows a region whose last check failed as failing while DNS still routes to it', () => {
    const status = statusWith({ health: [{ ...healthy('eu-west-1'), consecutiveFailures: 1, lastOk: false, lastResult: 'connect ECONNREFUSED' }, healthy('us-east-1')] });

    expect(status.regions[0]).toMatchObject({ region: 'eu-west-1', health: 'failing', inDns: true, consecutiveFailures: 1 });
  });

  it('shows a region its health check took out of DNS as unhealthy, with its health-check alarm firing', () => {
    const status = statusWith({ health: [{ ...healthy('eu-west-1'), healthy: false, consecutiveFailures: 3, lastOk: false }, healthy('us-east-1')], down: 'eu-west-1' });

    expect(status.regions[0]).toMatchObject({ health: 'unhealthy', inDns: false, api: false, table: false });
    expect(status.alarms.map((a) => a.name)).toEqual(['items-dev-health-check-eu-west-1']);
    expect(status.replication.every((l) => l.interrupted)).toBe(true);
  });

  it('fires the region’s 5xx alarm and its composite "region unhealthy" alarm above the configured rate', () => {
    const metrics = new StatusMetrics();
    for (let i = 0; i < 10; i++) metrics.recordRequest('us-east-1', i < 2 ? 502 : 200, 5);

    expect(statusWith({ metrics }).alarms.map((a) => a.name)).toEqual(['items-dev-us-east-1-region-unhealthy', 'items-dev-us-east-1-api-5xx']);
  });

  it('reports the replication lag of each pair and fires above the threshold', () => {
    const metrics = new StatusMetrics();
    metrics.recordReplication('eu-west-1', 'us-east-1', 70_000);
    metrics.recordReplication('us-east-1', 'eu-west-1', 40);
    const status = statusWith({ metrics });

    expect(status.replication.map((l) => [l.source, l.target, l.lagMs])).toEqual([
      ['eu-west-1', 'us-east-1', 70_000],
      ['us-east-1', 'eu-west-1', 40],
    ]);
    expect(status.alarms.map((a) => a.name)).toContain('items-dev-eu-west-1-replication-latency');
  });
});

describe('statusPageHtml', () => {
  it('escapes the title and polls at the given period', () => {
    const html = statusPageHtml({ title: 'a <b>', pollMs: 250 });

    expect(html).toContain('<title>a &lt;b&gt;</title>');
    expect(html).toContain('const POLL_MS = 250;');
  });
});
