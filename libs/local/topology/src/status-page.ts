import type { HealthStatus } from './health-checker';
import type { ReplicationLinkStats } from './replication-link';
import type { StatusMetrics } from './status-metrics';
import type { TopologyConfig } from './topology-config';

/** Where the front door serves the status page, and its data. */
export const STATUS_PAGE_PATH = '/_platform/status';
export const STATUS_JSON_PATH = '/_platform/status.json';

/**
 * A region as the page shows it: `healthy`; `failing` when its last health check
 * failed but not yet `failureThreshold` in a row (DNS still sends it traffic, as
 * Route53 does); `unhealthy` once its health check has taken it out of DNS.
 */
export type RegionHealth = 'healthy' | 'failing' | 'unhealthy';

/** One region on the page. */
export interface RegionStatus {
  readonly region: string;
  readonly health: RegionHealth;
  /** Whether the health checks keep it in DNS. */
  readonly inDns: boolean;
  readonly lastCheck?: { readonly at: number; readonly result: string };
  readonly consecutiveFailures: number;
  readonly requestsPerSecond: number;
  readonly errorRatePercent: number;
  readonly p99LatencyMs?: number;
  /** Reads this region failed that the secondary answered (origin failover), over the window. */
  readonly failovers: number;
  /** Whether the region's API process and its table run. */
  readonly api: boolean;
  readonly table: boolean;
}

/** One replication link on the page. */
export interface LinkStatus {
  readonly source: string;
  readonly target: string;
  /** The lag the last replicated change saw; undefined before the first. */
  readonly lagMs?: number;
  readonly lagSeenAt?: number;
  readonly applied: number;
  /** Cut (its source or target is down) or failing to read its source. */
  readonly interrupted: boolean;
}

/** An alarm that would be firing in AWS, evaluated on the local numbers. */
export interface FiringAlarm {
  readonly name: string;
  readonly region: string;
  readonly reason: string;
}

/** Everything the status page shows; also served as JSON. */
export interface PlatformStatus {
  readonly service: string;
  readonly environment: string;
  readonly generatedAt: number;
  readonly healthCheck: { readonly intervalMs: number; readonly failureThreshold: number };
  /** The region the front door sends the next request to (Route53's answer). */
  readonly routesTo: string;
  readonly windowSeconds: number;
  readonly regions: readonly RegionStatus[];
  readonly replication: readonly LinkStatus[];
  readonly alarms: readonly FiringAlarm[];
}

/** What {@link platformStatus} reads. */
export interface PlatformStatusInput {
  readonly config: Pick<TopologyConfig, 'service' | 'environment' | 'regions' | 'healthCheck' | 'alarms'>;
  readonly health: readonly HealthStatus[];
  readonly routesTo: string;
  readonly metrics: StatusMetrics;
  readonly links: readonly ReplicationLinkStats[];
  readonly running: (region: string) => { readonly api: boolean; readonly table: boolean };
  /** @default Date.now() */
  readonly now?: number;
}

/**
 * The status of a running topology: per region its health and traffic, the
 * replication lag of each pair, where the front door routes, and which of the
 * service's alarms would fire, evaluated as CloudWatch would on the same numbers
 * (same names and thresholds as the synthesized alarms).
 */
export function platformStatus(input: PlatformStatusInput): PlatformStatus {
  const { config, metrics } = input;
  const a = config.alarms;
  const healthOf = new Map(input.health.map((h) => [h.region, h]));
  const regions = config.regions.map((region): RegionStatus => {
    const h = healthOf.get(region);
    const traffic = metrics.traffic(region);
    const inDns = h?.healthy ?? true;
    return {
      region,
      health: !inDns ? 'unhealthy' : h?.lastOk === false ? 'failing' : 'healthy',
      inDns,
      ...(h?.lastCheckedAt !== undefined ? { lastCheck: { at: h.lastCheckedAt, result: h.lastResult ?? '' } } : {}),
      consecutiveFailures: h?.consecutiveFailures ?? 0,
      requestsPerSecond: traffic.requestsPerSecond,
      errorRatePercent: traffic.errorRatePercent,
      ...(traffic.p99LatencyMs !== undefined ? { p99LatencyMs: traffic.p99LatencyMs } : {}),
      failovers: traffic.failovers,
      ...input.running(region),
    };
  });
  const replication = input.links.map((l): LinkStatus => {
    const lag = metrics.lag(l.source, l.target);
    const ends = [input.running(l.source).table, input.running(l.target).table];
    return {
      source: l.source,
      target: l.target,
      ...(lag ? { lagMs: lag.lagMs, lagSeenAt: lag.at } : {}),
      applied: l.applied,
      interrupted: l.sourceUnreachable || ends.includes(false),
    };
  });

  const alarms: FiringAlarm[] = [];
  for (const r of regions) {
    const regional: FiringAlarm[] = [];
    if (r.errorRatePercent > a.api5xxPercent) {
      regional.push({ name: a.regionAlarmName(r.region, 'api-5xx'), region: r.region, reason: `5xx rate ${r.errorRatePercent} % > ${a.api5xxPercent} %` });
    }
    if (r.p99LatencyMs !== undefined && r.p99LatencyMs > a.apiP99LatencyMs) {
      regional.push({ name: a.regionAlarmName(r.region, 'api-p99-latency'), region: r.region, reason: `p99 ${r.p99LatencyMs} ms > ${a.apiP99LatencyMs} ms` });
    }
    // One alarm per region over every outgoing link, as RegionAlarms' Metrics Insights query takes the highest.
    const slow = replication.filter((x) => x.source === r.region && x.lagMs !== undefined && x.lagMs > a.replicationLatencyMs);
    if (slow.length > 0) {
      regional.push({
        name: a.regionAlarmName(r.region, 'replication-latency'),
        region: r.region,
        reason: slow.map((l) => `replication to ${l.target} ${l.lagMs} ms > ${a.replicationLatencyMs} ms`).join(', '),
      });
    }
    if (regional.length > 0) {
      alarms.push({ name: a.regionUnhealthyName(r.region), region: r.region, reason: regional.map((x) => x.name).join(', ') }, ...regional);
    }
    if (!r.inDns) {
      alarms.push({ name: a.edgeAlarmName(`health-check-${r.region}`), region: r.region, reason: `health check failed ${r.consecutiveFailures} times in a row` });
    }
  }

  return {
    service: config.service,
    environment: config.environment,
    generatedAt: input.now ?? Date.now(),
    healthCheck: { intervalMs: config.healthCheck.intervalMs, failureThreshold: config.healthCheck.failureThreshold },
    routesTo: input.routesTo,
    windowSeconds: metrics.windowMs / 1000,
    regions,
    replication,
    alarms,
  };
}

/**
 * The status page: plain HTML and a small script that polls {@link STATUS_JSON_PATH}
 * every `pollMs` and redraws. Regions carry `data-region` and `data-health`, so a
 * browser test can wait on them.
 */
export function statusPageHtml(options: { readonly title: string; readonly pollMs: number }): string {
  const title = escapeHtml(options.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
  h1 { font-size: 1.2rem; margin: 0 0 .25rem; }
  h2 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
  table { border-collapse: collapse; }
  th, td { padding: .3rem .7rem; border-bottom: 1px solid #ddd; text-align: left; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  .healthy { color: #11772d; font-weight: 600; }
  .failing { color: #b35c00; font-weight: 600; }
  .unhealthy, .firing, .down { color: #b00020; font-weight: 600; }
  .muted { color: #777; }
</style>
</head>
<body>
<h1>${title}</h1>
<div class="muted" id="summary">loading…</div>
<h2>Regions</h2>
<table id="regions"><thead><tr><th>region</th><th>health</th><th>in DNS</th><th>last check</th><th>req/s</th><th>5xx %</th><th>p99 ms</th><th>failovers</th><th>API</th><th>table</th></tr></thead><tbody></tbody></table>
<h2>Replication lag</h2>
<table id="replication"><thead><tr><th>from</th><th>to</th><th>lag ms</th><th>applied</th><th>state</th></tr></thead><tbody></tbody></table>
<h2>Alarms that would be firing</h2>
<ul id="alarms"></ul>
<script>
const POLL_MS = ${JSON.stringify(options.pollMs)};
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const num = (v) => (v === undefined ? '–' : esc(v));
function draw(s) {
  document.getElementById('summary').textContent =
    'service ' + s.service + ', environment ' + s.environment + '; the front door routes to ' + s.routesTo +
    '; health checks every ' + s.healthCheck.intervalMs + ' ms, out of DNS after ' + s.healthCheck.failureThreshold +
    ' failures; traffic over the last ' + s.windowSeconds + ' s; updated ' + new Date(s.generatedAt).toLocaleTimeString();
  document.querySelector('#regions tbody').innerHTML = s.regions.map((r) =>
    '<tr data-region="' + esc(r.region) + '" data-health="' + r.health + '">' +
    '<td>' + esc(r.region) + (r.region === s.routesTo ? ' ◀' : '') + '</td>' +
    '<td class="' + r.health + '">' + r.health + (r.health === 'failing' ? ' (' + r.consecutiveFailures + '/' + s.healthCheck.failureThreshold + ')' : '') + '</td>' +
    '<td>' + (r.inDns ? 'yes' : '<span class="down">no</span>') + '</td>' +
    '<td class="muted">' + (r.lastCheck ? esc(r.lastCheck.result) : '–') + '</td>' +
    '<td class="n">' + num(r.requestsPerSecond) + '</td><td class="n">' + num(r.errorRatePercent) + '</td><td class="n">' + num(r.p99LatencyMs) + '</td>' +
    '<td class="n">' + num(r.failovers) + '</td>' +
    '<td>' + (r.api ? 'up' : '<span class="down">down</span>') + '</td><td>' + (r.table ? 'up' : '<span class="down">down</span>') + '</td></tr>').join('');
  document.querySelector('#replication tbody').innerHTML = s.replication.map((l) =>
    '<tr><td>' + esc(l.source) + '</td><td>' + esc(l.target) + '</td><td class="n">' + num(l.lagMs) + '</td><td class="n">' + l.applied + '</td>' +
    '<td>' + (l.interrupted ? '<span class="down">interrupted</span>' : 'running') + '</td></tr>').join('');
  document.getElementById('alarms').innerHTML = s.alarms.length === 0
    ? '<li class="muted">none</li>'
    : s.alarms.map((a) => '<li><span class="firing">ALARM</span> ' + esc(a.name) + ' <span class="muted">(' + esc(a.reason) + ')</span></li>').join('');
}
async function poll() {
  try {
    const res = await fetch(${JSON.stringify(STATUS_JSON_PATH)}, { cache: 'no-store' });
    draw(await res.json());
  } catch (err) {
    document.getElementById('summary').textContent = 'the front door does not answer: ' + err;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}
poll();
</script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
