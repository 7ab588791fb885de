import { readServiceConfig } from './service-config';

describe('readServiceConfig', () => {
  it('reads the environment the regional stack sets, with defaults for the rest', () => {
    expect(readServiceConfig({ TABLE_NAME: 'items-dev', AWS_REGION: 'eu-west-1', EDGE_CACHE_MODE: 'ttl', EDGE_CACHE_TTL_SECONDS: '120', SERVICE_NAME: 'items' })).toEqual({
      tableName: 'items-dev',
      serviceName: 'items',
      region: 'eu-west-1',
      edgeCacheMode: 'ttl',
      edgeCacheTtlSeconds: 120,
      distributionId: undefined,
      healthTimeoutMs: 1000,
    });
  });

  it('defaults to no edge caching', () => {
    expect(readServiceConfig({ TABLE_NAME: 't', AWS_REGION: 'us-east-1' }).edgeCacheMode).toBe('off');
  });

  it('requires DISTRIBUTION_ID in invalidate mode', () => {
    expect(() => readServiceConfig({ TABLE_NAME: 't', AWS_REGION: 'us-east-1', EDGE_CACHE_MODE: 'invalidate' })).toThrow(/DISTRIBUTION_ID is not set/);
    expect(readServiceConfig({ TABLE_NAME: 't', AWS_REGION: 'us-east-1', EDGE_CACHE_MODE: 'invalidate', DISTRIBUTION_ID: 'E1' }).distributionId).toBe('E1');
  });

  it('names an unknown cache mode and where it comes from', () => {
    expect(() => readServiceConfig({ TABLE_NAME: 't', AWS_REGION: 'us-east-1', EDGE_CACHE_MODE: 'forever' })).toThrow(
      /EDGE_CACHE_MODE must be one of ttl, invalidate, off, got "forever"; it comes from the service's edgeCache.mode/,
    );
  });
});
