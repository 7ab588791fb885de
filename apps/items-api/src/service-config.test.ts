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
      requestLog: {},
    });
  });

  it('reads the log sample rate and the slow-request threshold', () => {
    expect(readServiceConfig({ TABLE_NAME: 't', AWS_REGION: 'us-east-1', LOG_SAMPLE_RATE: '0.1', SLOW_REQUEST_MS: '300' }).requestLog).toEqual({
      sampleRate: 0.1,
      slowRequestMs: 300,
    });
  });

  it('rejects a sample rate outside 0-1, naming the variable', () => {
    expect(() => readServiceConfig({ TABLE_NAME: 't', AWS_REGION: 'us-east-1', LOG_SAMPLE_RATE: '5' })).toThrow('LOG_SAMPLE_RATE must be a number from 0 to 1, got "5"');
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
