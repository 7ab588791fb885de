import { request } from 'node:http';

/** One endpoint a {@link HealthChecker} probes. */
export interface HealthCheckTarget {
  readonly region: string;
  /** Base URL of the region's own endpoint, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
}

/** Props of {@link HealthChecker}. */
export interface HealthCheckerProps {
  readonly targets: readonly HealthCheckTarget[];
  /** Deep health path. @default "/health" */
  readonly path?: string;
  /** Time between checks of one region (Route53: 10 or 30 s). */
  readonly intervalMs: number;
  /** Consecutive failures that make a healthy region unhealthy, and consecutive successes that make it healthy again (1-10). */
  readonly failureThreshold: number;
  /**
   * A check that has no 2xx/3xx answer within this time fails (Route53 gives a
   * response 2 s after the connection, and 4 s to connect).
   * @default - the smaller of 2000 ms and the interval
   */
  readonly timeoutMs?: number;
  /** Called on every change of a region's status. */
  readonly onChange?: (change: HealthChange) => void;
}

/** A region becoming healthy or unhealthy. */
export interface HealthChange {
  readonly region: string;
  readonly healthy: boolean;
  /** Epoch ms of the check that changed the status. */
  readonly at: number;
  /** Outcome of that check, e.g. `HTTP 200` or `connect ECONNREFUSED 127.0.0.1:41234`. */
  readonly reason: string;
}

/** What the checker knows about one region. */
export interface HealthStatus {
  readonly region: string;
  readonly healthy: boolean;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  readonly lastCheckedAt?: number;
  readonly lastResult?: string;
}

interface State {
  target: HealthCheckTarget;
  healthy: boolean;
  failures: number;
  successes: number;
  lastCheckedAt?: number;
  lastResult?: string;
  timer?: NodeJS.Timeout;
}

/**
 * The local stand-in for the Route53 health checks of a service: each region's own
 * endpoint is checked on the deep health path every interval; `failureThreshold`
 * consecutive failures make a region unhealthy and as many consecutive successes make
 * it healthy again, as Route53 does. A check succeeds on a 2xx or 3xx answer in time.
 *
 * Unlike Route53, there is one checker (Route53 uses many, around the world, and calls
 * an endpoint healthy when more than 18 % of them do), and a region counts as healthy
 * before its first check.
 */
export class HealthChecker {
  private readonly states = new Map<string, State>();
  private readonly timeoutMs: number;
  private running = false;

  constructor(private readonly props: HealthCheckerProps) {
    if (!(props.intervalMs > 0)) throw new RangeError(`HealthChecker: intervalMs must be positive, got ${props.intervalMs}`);
    if (!Number.isInteger(props.failureThreshold) || props.failureThreshold < 1 || props.failureThreshold > 10) {
      throw new RangeError(`HealthChecker: failureThreshold must be a whole number 1-10 (as in Route53), got ${props.failureThreshold}`);
    }
    this.timeoutMs = props.timeoutMs ?? Math.min(2000, props.intervalMs);
    for (const target of props.targets) this.states.set(target.region, { target, healthy: true, failures: 0, successes: 0 });
  }

  /** Runs the first check of every region, then keeps checking every interval. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await Promise.all([...this.states.values()].map((s) => this.check(s)));
    for (const state of this.states.values()) this.schedule(state, Date.now());
  }

  stop(): void {
    this.running = false;
    for (const state of this.states.values()) clearTimeout(state.timer);
  }

  /** Whether Route53 would answer with the region's record. */
  isHealthy(region: string): boolean {
    return this.states.get(region)?.healthy ?? false;
  }

  /**
   * Probes `url` for `region` from the next check on (a region's API redeployed on
   * another port, as a new Lambda version keeps its endpoint in AWS).
   */
  retarget(region: string, url: string): void {
    const state = this.states.get(region);
    if (state) state.target = { ...state.target, url };
  }

  status(): HealthStatus[] {
    return [...this.states.values()].map((s) => ({
      region: s.target.region,
      healthy: s.healthy,
      consecutiveFailures: s.failures,
      consecutiveSuccesses: s.successes,
      lastCheckedAt: s.lastCheckedAt,
      lastResult: s.lastResult,
    }));
  }

  /** Checks on a fixed cadence (not interval after each check), as Route53 does. */
  private schedule(state: State, previous: number): void {
    if (!this.running) return;
    const next = previous + this.props.intervalMs;
    state.timer = setTimeout(
      () => {
        void this.check(state).finally(() => this.schedule(state, Math.max(next, Date.now() - this.props.intervalMs)));
      },
      Math.max(0, next - Date.now()),
    );
  }

  private async check(state: State): Promise<void> {
    const { ok, result } = await probe(new URL(this.props.path ?? '/health', state.target.url), this.timeoutMs);
    if (!this.running && state.lastCheckedAt !== undefined) return;
    const at = Date.now();
    state.lastCheckedAt = at;
    state.lastResult = result;
    if (ok) {
      state.successes++;
      state.failures = 0;
    } else {
      state.failures++;
      state.successes = 0;
    }
    const threshold = this.props.failureThreshold;
    const flip = state.healthy ? state.failures >= threshold : state.successes >= threshold;
    if (flip) {
      state.healthy = !state.healthy;
      this.props.onChange?.({ region: state.target.region, healthy: state.healthy, at, reason: result });
    }
  }
}

function probe(url: URL, timeoutMs: number): Promise<{ ok: boolean; result: string }> {
  return new Promise((resolve) => {
    // A new connection each time, like a Route53 checker: a kept-alive socket would
    // hide a process that no longer accepts connections.
    const req = request(url, { method: 'GET', agent: false, headers: { 'user-agent': 'Amazon-Route53-Health-Check-Service (local topology)' } }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      res.on('end', () => resolve({ ok: status >= 200 && status < 400, result: `HTTP ${status}` }));
      res.on('error', (err) => resolve({ ok: false, result: err.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, result: err.message }));
    req.end();
  });
}
