import { readServiceConfig } from './service-config';

const BASE = {
  AWS_REGION: 'us-east-1',
  DB_READER_ENDPOINT: 'reader.example',
  DB_WRITER_ENDPOINT: 'writer.example',
  DB_NAME: 'app',
  DB_IAM_USER: 'orders',
  CACHE_WRITER_ENDPOINT: 'master.orders-prod-eu-west-1.abc.euw1.cache.amazonaws.com',
  CACHE_READER_ENDPOINT: 'replica.orders-prod-us-east-1.abc.use1.cache.amazonaws.com',
};

describe('the cache settings of the orders handler', () => {
  it('in AWS: TLS to the ElastiCache endpoints and IAM authentication as the contract user, each client signed for its replication group', () => {
    const config = readServiceConfig({
      ...BASE,
      CACHE_USER: 'orders-prod-app',
      CACHE_REPLICATION_GROUP: 'orders-prod-us-east-1',
      CACHE_WRITER_REPLICATION_GROUP: 'orders-prod-eu-west-1',
      CACHE_WRITER_REGION: 'eu-west-1',
    });
    expect(config.cache).toEqual({
      writerUrl: 'rediss://master.orders-prod-eu-west-1.abc.euw1.cache.amazonaws.com:6379',
      readerUrl: 'rediss://replica.orders-prod-us-east-1.abc.use1.cache.amazonaws.com:6379',
      ttlSeconds: 60,
      iam: { user: 'orders-prod-app', readerGroup: 'orders-prod-us-east-1', writer: { group: 'orders-prod-eu-west-1', region: 'eu-west-1' } },
    });
  });

  it('in a secondary region (the reader only): a read-only cache, its token signed for its own replication group only', () => {
    const { CACHE_WRITER_ENDPOINT: _writer, ...secondary } = BASE;
    const config = readServiceConfig({ ...secondary, CACHE_USER: 'orders-prod-app', CACHE_REPLICATION_GROUP: 'orders-prod-us-east-1' });
    expect(config.cache).toEqual({
      readerUrl: 'rediss://replica.orders-prod-us-east-1.abc.use1.cache.amazonaws.com:6379',
      ttlSeconds: 60,
      iam: { user: 'orders-prod-app', readerGroup: 'orders-prod-us-east-1' },
    });
  });

  it('refuses a cache writer without its reader', () => {
    const { CACHE_READER_ENDPOINT: _reader, ...writerOnly } = BASE;
    expect(() => readServiceConfig(writerOnly)).toThrow('CACHE_WRITER_ENDPOINT is set without CACHE_READER_ENDPOINT');
  });

  it('refuses a cache user without the replication groups its tokens are signed for', () => {
    expect(() => readServiceConfig({ ...BASE, CACHE_USER: 'orders-prod-app' })).toThrow(/CACHE_REPLICATION_GROUP is not set[\s\S]*CACHE_WRITER_REPLICATION_GROUP is not set[\s\S]*CACHE_WRITER_REGION is not set/);
  });

  it('locally (no cache user): no authentication', () => {
    const config = readServiceConfig({ ...BASE, CACHE_WRITER_ENDPOINT: 'redis://127.0.0.1:6390', CACHE_READER_ENDPOINT: 'redis://127.0.0.1:6391' });
    expect(config.cache).toEqual({ writerUrl: 'redis://127.0.0.1:6390', readerUrl: 'redis://127.0.0.1:6391', ttlSeconds: 60 });
  });
});

describe('the origin secret of the orders handler', () => {
  it('accepts the values of ORIGIN_SECRETS (two while the secret rotates), and checks nothing without an edge', () => {
    expect(readServiceConfig({ ...BASE, ORIGIN_SECRETS: 'old, new' }).originSecrets).toEqual(['old', 'new']);
    expect(readServiceConfig(BASE).originSecrets).toBeUndefined();
  });
});

describe('the idempotency TTL of the orders handler', () => {
  it('is 24 h unless the contract sets it', () => {
    expect(readServiceConfig(BASE).database.idempotencyTtlSeconds).toBe(86_400);
    expect(readServiceConfig({ ...BASE, IDEMPOTENCY_TTL_SECONDS: '3600' }).database.idempotencyTtlSeconds).toBe(3600);
  });

  it.each(['0', '1.5', 'soon', String(721 * 3600)])('refuses %s', (value) => {
    expect(() => readServiceConfig({ ...BASE, IDEMPOTENCY_TTL_SECONDS: value })).toThrow(`IDEMPOTENCY_TTL_SECONDS must be an integer 1-2592000 (seconds), got "${value}"`);
  });
});
