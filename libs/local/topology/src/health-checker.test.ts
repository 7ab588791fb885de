import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthChecker, type HealthChange } from './health-checker';

const INTERVAL_MS = 50;
const THRESHOLD = 3;
// A loaded 2-core CI machine delays timers by hundreds of milliseconds (589 ms seen).
const SLACK_MS = 1000;

describe('HealthChecker', () => {
  let server: Server;
  let port: number;
  let answer: 'ok' | 'fail' | 'hang' = 'ok';
  let checker: HealthChecker | undefined;
  const changes: HealthChange[] = [];

  beforeEach(async () => {
    answer = 'ok';
    changes.length = 0;
    server = createServer((req, res) => {
      if (answer === 'hang') return;
      res.writeHead(answer === 'ok' ? 200 : 503).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    checker = new HealthChecker({
      targets: [{ region: 'eu-west-1', url: `http://127.0.0.1:${port}` }],
      intervalMs: INTERVAL_MS,
      failureThreshold: THRESHOLD,
      onChange: (c) => changes.push(c),
    });
    await checker.start();
  });

  afterEach(async () => {
    checker?.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const waitForChange = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (changes.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return changes[n - 1];
  };

  it('marks a region unhealthy after threshold failed checks, within interval x threshold', async () => {
    expect(checker!.isHealthy('eu-west-1')).toBe(true);
    const failedAt = Date.now();
    answer = 'fail';
    const change = await waitForChange(1);
    expect(change).toMatchObject({ region: 'eu-west-1', healthy: false, reason: 'HTTP 503' });
    expect(change.at - failedAt).toBeLessThanOrEqual(INTERVAL_MS * THRESHOLD + SLACK_MS);
    // Not before the threshold: at least threshold - 1 intervals after the first failure.
    expect(change.at - failedAt).toBeGreaterThanOrEqual(INTERVAL_MS * (THRESHOLD - 1) - 10);
    expect(checker!.status()[0]).toMatchObject({ healthy: false, consecutiveFailures: THRESHOLD });
  });

  it('brings it back after threshold successful checks', async () => {
    answer = 'fail';
    await waitForChange(1);
    answer = 'ok';
    const back = await waitForChange(2);
    expect(back).toMatchObject({ healthy: true, reason: 'HTTP 200' });
    expect(checker!.isHealthy('eu-west-1')).toBe(true);
  });

  it('counts a refused connection and a check without an answer in time as failures', async () => {
    answer = 'hang';
    const hung = await waitForChange(1);
    expect(hung.reason).toMatch(/no answer within 50 ms/);
    answer = 'ok';
    await waitForChange(2);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    const refused = await waitForChange(3);
    expect(refused).toMatchObject({ healthy: false });
    expect(refused.reason).toMatch(/ECONNREFUSED/);
    server = createServer(); // for afterEach
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });

  it('refuses a threshold Route53 would refuse', () => {
    expect(() => new HealthChecker({ targets: [], intervalMs: 10, failureThreshold: 11 })).toThrow(/1-10 \(as in Route53\), got 11/);
  });
});
