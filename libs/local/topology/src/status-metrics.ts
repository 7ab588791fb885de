/** One request the front door sent to a region. */
interface Sample {
  readonly at: number;
  readonly status: number;
  readonly latencyMs: number;
}

/** Numbers of one region over the window. */
export interface RegionTraffic {
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Share of answers with status 500 or above, percent; 0 without requests. */
  readonly errorRatePercent: number;
  /** Undefined without requests. */
  readonly p99LatencyMs?: number;
  /** Reads this region failed that the edge's origin group answered from the secondary, over the window. */
  readonly failovers: number;
}

/** Replication lag last seen on one link. */
export interface LinkLag {
  readonly source: string;
  readonly target: string;
  readonly lagMs: number;
  /** When it was seen (epoch ms). */
  readonly at: number;
}

/** Props of {@link StatusMetrics}. */
export interface StatusMetricsProps {
  /** How far back the request numbers look. @default 10000 */
  readonly windowMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * What the status page shows of traffic: per region the requests the front door sent
 * there over a sliding window (rate, 5xx rate, p99 latency), and per pair of regions
 * the replication lag last seen. CloudWatch's numbers, computed locally.
 */
export class StatusMetrics {
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly samples = new Map<string, Sample[]>();
  private readonly lags = new Map<string, LinkLag>();
  private readonly failovers = new Map<string, Sample[]>();

  constructor(props: StatusMetricsProps = {}) {
    this.windowMs = props.windowMs ?? 10_000;
    if (!(this.windowMs > 0)) throw new RangeError(`StatusMetrics: windowMs must be positive, got ${this.windowMs}`);
    this.now = props.now ?? Date.now;
  }

  /** Records one answer of `region`. */
  recordRequest(region: string, status: number, latencyMs: number): void {
    let list = this.samples.get(region);
    if (!list) this.samples.set(region, (list = []));
    list.push({ at: this.now(), status, latencyMs });
    // Drop old samples now and then, not on every request.
    if (list.length > 1024 && list[0].at < this.now() - this.windowMs) this.prune(list);
  }

  /** Records one read `region` failed and the secondary answered (origin failover). */
  recordFailover(region: string): void {
    let list = this.failovers.get(region);
    if (!list) this.failovers.set(region, (list = []));
    list.push({ at: this.now(), status: 0, latencyMs: 0 });
    if (list.length > 1024) this.prune(list);
  }

  /** Records the lag one replicated change saw. */
  recordReplication(source: string, target: string, lagMs: number): void {
    this.lags.set(`${source}>${target}`, { source, target, lagMs, at: this.now() });
  }

  /** The region's numbers over the window. */
  traffic(region: string): RegionTraffic {
    const list = this.samples.get(region) ?? [];
    this.prune(list);
    const failed = this.failovers.get(region) ?? [];
    this.prune(failed);
    const failovers = failed.length;
    const requests = list.length;
    if (requests === 0) return { requests: 0, requestsPerSecond: 0, errorRatePercent: 0, failovers };
    const errors = list.filter((s) => s.status >= 500).length;
    const latencies = list.map((s) => s.latencyMs).sort((a, b) => a - b);
    return {
      requests,
      requestsPerSecond: round(requests / (this.windowMs / 1000)),
      errorRatePercent: round((100 * errors) / requests),
      p99LatencyMs: round(latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)]),
      failovers,
    };
  }

  /** The lag last seen from `source` to `target`, if any change was replicated. */
  lag(source: string, target: string): LinkLag | undefined {
    return this.lags.get(`${source}>${target}`);
  }

  private prune(list: Sample[]): void {
    const from = this.now() - this.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop].at < from) drop++;
    if (drop > 0) list.splice(0, drop);
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
