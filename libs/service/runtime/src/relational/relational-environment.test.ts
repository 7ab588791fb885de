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
