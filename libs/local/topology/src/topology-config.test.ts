import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { handlerModuleOf, topologyConfig } from './topology-config';
import { TopologyConfigError } from './topology-config-error';

const ROOT = join(__dirname, '../../../..');

// The test fixture, with `orders` set up like the example config's: weighted routing,
// invalidate mode, a 30 s health check, the Authorization header in the cache key,
// Aurora and a cache (so a network in each of its regions).
const network = { vpc: { id: 'vpc-0a1b2c3d4e5f60001' }, privateSubnets: { ids: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'] } };
const raw = platformFixture();
for (const env of [raw.environments.dev, raw.environments.prod]) env.network = Object.fromEntries(env.regions.map((r) => [r, network]));
raw.services.orders = {
  ...raw.services.orders,
  routing: { policy: 'weighted', weights: { 'eu-west-1': 200, 'us-east-1': 55, 'ap-southeast-1': 85 } },
  edgeCache: { mode: 'invalidate' },
  healthCheck: { intervalSeconds: 30, failureThreshold: 2 },
  auth: { issuer: 'https://login.example.com/', audiences: ['orders'] },
  aurora: { engine: 'aurora-postgresql', engineVersion: '16.4' },
  cache: {},
};
const platform = parsePlatform(raw);

describe('topologyConfig', () => {
  it('follows the config: items in dev by default', () => {
    const config = topologyConfig(platform);
    expect(config).toMatchObject({
      service: 'items',
      environment: 'dev',
      app: 'items-api',
      regions: ['eu-west-1', 'us-east-1'],
      tableName: 'items-dev',
      routing: { policy: 'latency' },
      healthCheck: { intervalMs: 10_000, failureThreshold: 3, path: '/health' },
      edgeCache: { mode: 'ttl', ttlSeconds: 60 },
    });
  });

  it('takes a local probe interval and the other overrides', () => {
    const config = topologyConfig(platform, { environment: 'staging', probeIntervalMs: 200, failureThreshold: 2, edgeCacheMode: 'invalidate', regions: ['us-east-1', 'eu-west-1'] });
    expect(config.healthCheck).toMatchObject({ intervalMs: 200, failureThreshold: 2 });
    expect(config.edgeCache.mode).toBe('invalidate');
    // The environment's order (primary first), whatever order the flag gave.
    expect(config.regions).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('carries weights, the invalidate mode and the services not emulated (orders)', () => {
    const config = topologyConfig(platform, { service: 'orders', environment: 'prod' });
    expect(config.routing).toEqual({ policy: 'weighted', weights: { 'eu-west-1': 200, 'us-east-1': 55, 'ap-southeast-1': 85 } });
    expect(config.edgeCache).toEqual({ mode: 'invalidate', ttlSeconds: 86_400, failoverPaths: [] });
    expect(config.healthCheck.intervalMs).toBe(30_000);
    expect(config.varyOnAuthorization).toBe(true);
    expect(config.notEmulated).toEqual(['aurora', 'cache (ElastiCache)']);
  });

  it('maps a disabled edge cache to mode off', () => {
    const changed = JSON.parse(JSON.stringify(platform.config));
    changed.services.items.edgeCache = { enabled: false };
    expect(topologyConfig(parsePlatform(changed)).edgeCache.mode).toBe('off');
  });

  it('says what to choose when the service, environment or regions do not fit', () => {
    expect(() => topologyConfig(platform, { service: 'nope' })).toThrow(/no service "nope" under services; choose one of items, orders with --service/);
    expect(() => topologyConfig(platform, { environment: 'qa' })).toThrow(/no environment "qa" under environments; choose one of dev, staging, prod/);
    expect(() => topologyConfig(platform, { service: 'orders', environment: 'staging' })).toThrow(/services\.orders\.environments does not include "staging"/);
    expect(() => topologyConfig(platform, { regions: ['eu-central-1'] })).toThrow(/eu-central-1 is not among the regions of environment "dev"/);
    expect(() => topologyConfig(platform, { environment: 'staging', routingPolicy: 'failover' })).toThrow(TopologyConfigError);
    expect(() => topologyConfig(platform, { probeIntervalMs: 5 })).toThrow(/at least 10; got 5/);
  });

  it('finds the handler of the service\'s app, or says which file is missing', () => {
    expect(handlerModuleOf(topologyConfig(platform), ROOT)).toBe(join(ROOT, 'apps/items-api/src/main.ts'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'no-apps-'));
    try {
      expect(() => handlerModuleOf(topologyConfig(platform, { service: 'orders', environment: 'dev' }), elsewhere)).toThrow(/apps\/orders-api\/src\/main\.ts does not exist/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
