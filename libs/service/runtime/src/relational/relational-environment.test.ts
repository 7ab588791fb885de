import { LAMBDA_ENVIRONMENT as E } from '@platform/config/lambda-environment';
import { readRelationalEnvironment } from './relational-environment';

/** What the regional stack of an Aurora service with a cache sets (service-contract.ts), in the primary region or a secondary. */
function regionEnvironment(primary: boolean): NodeJS.ProcessEnv {
  return {
    AWS_REGION: primary ? 'eu-west-1' : 'us-east-1',
    [E.dbWriterEndpoint]: 'writer.example.internal',
    [E.dbReaderEndpoint]: 'reader.example.internal',
    [E.dbName]: 'app',
    [E.dbIamUser]: 'ledger',
    [E.cacheReaderEndpoint]: 'reader.cache.example.internal',
    [E.cacheUser]: 'ledger-dev-app',
    [E.cacheReplicationGroup]: primary ? 'ledger-dev-eu-west-1' : 'ledger-dev-us-east-1',
    ...(primary ? { [E.cacheWriterEndpoint]: 'writer.cache.example.internal', [E.cacheWriterReplicationGroup]: 'ledger-dev-eu-west-1', [E.cacheWriterRegion]: 'eu-west-1' } : {}),
  };
}

describe('readRelationalEnvironment: the cache', () => {
  it('given the primary region (writer and reader endpoints), when read, then the region writes the cache through the writer', () => {
    const cache = readRelationalEnvironment(regionEnvironment(true), 'ledger').cache;
    expect(cache).toMatchObject({ writes: true, writerUrl: 'rediss://writer.cache.example.internal:6379', readerUrl: 'rediss://reader.cache.example.internal:6379', writerRegion: 'eu-west-1' });
  });

  it('given a secondary region (the reader endpoint only, as the regional stack sets it), when read, then it starts and only reads the cache', () => {
    const cache = readRelationalEnvironment(regionEnvironment(false), 'ledger').cache;
    expect(cache).toMatchObject({ writes: false, readerUrl: 'rediss://reader.cache.example.internal:6379', iam: { readerGroup: 'ledger-dev-us-east-1' } });
  });

  it('given a writer endpoint without a reader, when read, then one line says which variable is missing', () => {
    const env = regionEnvironment(true);
    delete env[E.cacheReaderEndpoint];
    expect(() => readRelationalEnvironment(env, 'ledger')).toThrow(`${E.cacheReaderEndpoint} is not set but ${E.cacheWriterEndpoint} is`);
  });
});

// Moved from apps/orders-api (its own reader, now this one): orders' primary region is
// eu-west-1, its secondary us-east-1.
const ORDERS = {
  AWS_REGION: 'us-east-1',
  DB_READER_ENDPOINT: 'reader.example',
  DB_WRITER_ENDPOINT: 'writer.example',
  DB_NAME: 'app',
  DB_IAM_USER: 'orders',
  CACHE_WRITER_ENDPOINT: 'master.orders-prod-eu-west-1.abc.euw1.cache.amazonaws.com',
  CACHE_READER_ENDPOINT: 'replica.orders-prod-us-east-1.abc.use1.cache.amazonaws.com',
};

describe('readRelationalEnvironment: cache endpoints and IAM authentication', () => {
  it('given the contract\'s cache user and groups, when read, then TLS to the ElastiCache endpoints and each connection signed for its replication group (writes in the writer\'s region)', () => {
    const env = { ...ORDERS, CACHE_USER: 'orders-prod-app', CACHE_REPLICATION_GROUP: 'orders-prod-us-east-1', CACHE_WRITER_REPLICATION_GROUP: 'orders-prod-eu-west-1', CACHE_WRITER_REGION: 'eu-west-1' };
    expect(readRelationalEnvironment(env, 'orders').cache).toEqual({
      writerUrl: 'rediss://master.orders-prod-eu-west-1.abc.euw1.cache.amazonaws.com:6379',
      readerUrl: 'rediss://replica.orders-prod-us-east-1.abc.use1.cache.amazonaws.com:6379',
      writes: true,
      ttlSeconds: 60,
      writerRegion: 'eu-west-1',
      iam: { user: 'orders-prod-app', readerGroup: 'orders-prod-us-east-1', writerGroup: 'orders-prod-eu-west-1' },
    });
  });

  it('given a secondary region (the reader only), when read, then a read-only cache whose every token is signed for the region\'s own replication group', () => {
    const { CACHE_WRITER_ENDPOINT: _writer, ...secondary } = ORDERS;
    const cache = readRelationalEnvironment({ ...secondary, CACHE_USER: 'orders-prod-app', CACHE_REPLICATION_GROUP: 'orders-prod-us-east-1' }, 'orders').cache;
    expect(cache).toEqual({
      writerUrl: 'rediss://replica.orders-prod-us-east-1.abc.use1.cache.amazonaws.com:6379',
      readerUrl: 'rediss://replica.orders-prod-us-east-1.abc.use1.cache.amazonaws.com:6379',
      writes: false,
      ttlSeconds: 60,
      writerRegion: undefined,
      iam: { user: 'orders-prod-app', readerGroup: 'orders-prod-us-east-1', writerGroup: 'orders-prod-us-east-1' },
    });
  });

  it('given a cache user without the groups its tokens are signed for, when read, then each missing variable is named', () => {
    expect(() => readRelationalEnvironment({ ...ORDERS, CACHE_USER: 'orders-prod-app' }, 'orders')).toThrow(
      /CACHE_REPLICATION_GROUP is not set[\s\S]*CACHE_WRITER_REPLICATION_GROUP is not set[\s\S]*CACHE_WRITER_REGION is not set/,
    );
  });

  it('given local redis:// URLs and no cache user, when read, then no authentication', () => {
    const cache = readRelationalEnvironment({ ...ORDERS, CACHE_WRITER_ENDPOINT: 'redis://127.0.0.1:6390', CACHE_READER_ENDPOINT: 'redis://127.0.0.1:6391' }, 'orders').cache;
    expect(cache).toEqual({ writerUrl: 'redis://127.0.0.1:6390', readerUrl: 'redis://127.0.0.1:6391', writes: true, ttlSeconds: 60, writerRegion: undefined });
  });
});

describe('readRelationalEnvironment: the origin secret', () => {
  it('given ORIGIN_SECRETS (two while the secret rotates), when read, then both are accepted; without an edge nothing is checked', () => {
    expect(readRelationalEnvironment({ ...ORDERS, ORIGIN_SECRETS: 'old, new' }, 'orders').originSecrets).toEqual(['old', 'new']);
    expect(readRelationalEnvironment(ORDERS, 'orders').originSecrets).toBeUndefined();
  });
});

describe('readRelationalEnvironment: the idempotency TTL', () => {
  it('given no IDEMPOTENCY_TTL_SECONDS, when read, then 24 h; given one, that', () => {
    expect(readRelationalEnvironment(ORDERS, 'orders').database.idempotencyTtlSeconds).toBe(86_400);
    expect(readRelationalEnvironment({ ...ORDERS, IDEMPOTENCY_TTL_SECONDS: '3600' }, 'orders').database.idempotencyTtlSeconds).toBe(3600);
  });

  it.each(['0', '1.5', 'soon', String(721 * 3600)])('given %s (not 1 s to the config\'s 720 h), when read, then refused', (value) => {
    expect(() => readRelationalEnvironment({ ...ORDERS, IDEMPOTENCY_TTL_SECONDS: value }, 'orders')).toThrow(`IDEMPOTENCY_TTL_SECONDS must be an integer 1-2592000 (seconds), got "${value}"`);
  });
});
