// The status page in a real browser (Debian's chromium, headless, driven by
// playwright-core): kill a region, see it turn unhealthy on the page, recover it, see
// it come back. Measures how long the page takes to show the kill.
//
// UPDATE_SCREENSHOTS=1 writes the screenshots to docs/observability/ (else a temp dir).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { parsePlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { LocalTopology } from './local-topology';
import { topologyConfig } from './topology-config';

const WORKSPACE = join(__dirname, '../../../..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PROBE_INTERVAL_MS = 2000;
const FAILURE_THRESHOLD = 2;

jest.setTimeout(240_000);

describe('the status page in a browser', () => {
  const config = topologyConfig(parsePlatform(platformFixture()), {
    service: 'items',
    environment: 'dev',
    probeIntervalMs: PROBE_INTERVAL_MS,
    failureThreshold: FAILURE_THRESHOLD,
  });
  const [primary, secondary] = config.regions;
  const screenshots = process.env.UPDATE_SCREENSHOTS === '1' ? join(WORKSPACE, 'docs/observability') : mkdtempSync(join(tmpdir(), 'status-page-'));
  const userDataDir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  let starting: Promise<LocalTopology> | undefined;
  let topology: LocalTopology;
  let context: BrowserContext;
  let page: Page;
  let traffic: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    starting = LocalTopology.start({ config, workspaceRoot: WORKSPACE });
    topology = await starting;
    // A fresh profile each run; Playwright takes it as the persistent context's directory.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1100, height: 620 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    // A little traffic through the front door, so the page has numbers to show: writes
    // (never cached, so each reaches a region) that also give replication lags.
    let n = 0;
    traffic = setInterval(() => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `status-${++n}` }, body: JSON.stringify({ name: `item ${n}` }) };
      void fetch(`${topology.frontDoorUrl}/items`, init).then((r) => r.arrayBuffer()).catch(() => undefined);
    }, 150);
  }, 180_000);

  afterAll(async () => {
    if (traffic) clearInterval(traffic);
    await context?.close();
    const started = await starting?.catch(() => undefined);
    await started?.stop();
    rmSync(userDataDir, { recursive: true, force: true });
  }, 60_000);

  // Evaluated in the page (a string, as the test's own types know no DOM).
  const inPage = (id: string, text: string) => `(document.getElementById(${JSON.stringify(id)})?.textContent ?? '').includes(${JSON.stringify(text)})`;
  const row = (region: string, health: string) => `tr[data-region="${region}"][data-health="${health}"]`;

  it('shows every region healthy, where the front door routes, and no alarm', async () => {
    await page.goto(topology.statusPageUrl);
    await page.waitForSelector(row(primary, 'healthy'));
    await page.waitForSelector(row(secondary, 'healthy'));
    await page.waitForFunction(inPage('summary', 'routes to'));

    expect(await page.textContent('#summary')).toContain(`routes to ${primary}`);
    expect(await page.textContent('#alarms')).toBe('none');
    await page.screenshot({ path: join(screenshots, 'status-healthy.png') });
  });

  it('shows a killed region unhealthy within 2 x the health-check interval, then out of DNS', async () => {
    const killedAt = await topology.failRegion(primary);
    await page.waitForSelector(`tr[data-region="${primary}"]:not([data-health="healthy"])`, { timeout: 4 * PROBE_INTERVAL_MS });
    const shownMs = Date.now() - killedAt;
    await page.waitForSelector(row(primary, 'unhealthy'), { timeout: (FAILURE_THRESHOLD + 3) * PROBE_INTERVAL_MS });
    const outOfDnsMs = Date.now() - killedAt;
    await page.waitForFunction(inPage('summary', `routes to ${secondary}`));
    await page.waitForFunction(inPage('alarms', 'health-check'));
    await page.screenshot({ path: join(screenshots, 'status-region-killed.png') });
    console.log(
      `status page: ${primary} shown unhealthy ${shownMs} ms after the kill (interval ${PROBE_INTERVAL_MS} ms, limit ${2 * PROBE_INTERVAL_MS} ms); ` +
        `out of DNS on the page after ${outOfDnsMs} ms (threshold ${FAILURE_THRESHOLD})`,
    );

    expect(shownMs).toBeLessThanOrEqual(2 * PROBE_INTERVAL_MS);
  });

  it('shows the region healthy again after it recovers', async () => {
    await topology.recoverRegion(primary);
    await page.waitForSelector(row(primary, 'healthy'), { timeout: (FAILURE_THRESHOLD + 3) * PROBE_INTERVAL_MS });
    await page.waitForFunction(inPage('summary', `routes to ${primary}`));
    await page.screenshot({ path: join(screenshots, 'status-recovered.png') });

    expect(await page.textContent(`tr[data-region="${primary}"]`)).toContain('up');
  });
});
