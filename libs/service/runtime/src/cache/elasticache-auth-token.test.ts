import { createHash, createHmac } from 'node:crypto';
import { CACHE_TOKEN_REUSE_MS, elastiCacheAuthToken, elastiCacheCredentials, lambdaCredentials } from './elasticache-auth-token';

// AWS's documentation example credentials.
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token/+=' };
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

function tokenSource(now: () => number, credentials = () => CREDENTIALS) {
  return elastiCacheAuthToken({ replicationGroupId: 'orders-prod-eu-west-1', region: 'eu-west-1', userId: 'orders-prod-app', credentials, now });
}

/** SigV4 of a presigned GET, computed here from the specification, independently of the signer. */
function expectedSignature(host: string, query: URLSearchParams, region: string, date: string): string {
  const enc = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = [...query.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
    .join('&');
  const emptyHash = createHash('sha256').update('').digest('hex');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${host}`, '', 'host', emptyHash].join('\n');
  const scope = `${date.slice(0, 8)}/${region}/elasticache/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, date.slice(0, 8)), region), 'elasticache'), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('the ElastiCache IAM authentication token', () => {
  it('is a presigned connect request for the replication group and user, without the scheme, valid 15 minutes', async () => {
    const token = await tokenSource(() => T0)();
    expect(token).toMatch(/^orders-prod-eu-west-1\/\?/);
    const query = new URLSearchParams(token.slice('orders-prod-eu-west-1/?'.length));
    expect(Object.fromEntries(query)).toEqual({
      Action: 'connect',
      User: 'orders-prod-app',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20261127/eu-west-1/elasticache/aws4_request',
      'X-Amz-Date': '20261127T120000Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Security-Token': 'session-token/+=',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('carries the SigV4 signature of that request (checked against the specification)', async () => {
    const token = await tokenSource(() => T0)();
    const query = new URLSearchParams(token.slice(token.indexOf('?') + 1));
    expect(query.get('X-Amz-Signature')).toBe(expectedSignature('orders-prod-eu-west-1', query, 'eu-west-1', '20261127T120000Z'));
  });

  it('is reused for 10 minutes, then signed again with the clock and credentials of that moment', async () => {
    let now = T0;
    let signings = 0;
    const source = tokenSource(
      () => now,
      () => (signings++, CREDENTIALS),
    );
    const first = await source();
    now = T0 + CACHE_TOKEN_REUSE_MS - 1;
    expect(await source()).toBe(first);
    now = T0 + CACHE_TOKEN_REUSE_MS;
    const second = await source();
    expect(second).not.toBe(first);
    expect(new URLSearchParams(second.slice(second.indexOf('?') + 1)).get('X-Amz-Date')).toBe('20261127T121000Z');
    expect(signings).toBe(2);
  });

  it('is signed with the credentials Lambda puts in the environment, and refuses to sign without them', () => {
    expect(lambdaCredentials({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'tok' })).toEqual({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'tok' });
    expect(() => lambdaCredentials({})).toThrow('no AWS credentials in the environment');
  });

  it('signs a read connection for this region\'s replication group and a write connection for the primary region\'s', async () => {
    const credentialsFor = elastiCacheCredentials({ user: 'notes-prod-app', readerGroup: 'notes-prod-us-east-1', writerGroup: 'notes-prod-eu-west-1', region: 'us-east-1', writerRegion: 'eu-west-1', credentials: () => CREDENTIALS });
    const reader = await credentialsFor('reader');
    const writer = await credentialsFor('writer');
    const scope = (token: string) => new URLSearchParams(token.slice(token.indexOf('?') + 1)).get('X-Amz-Credential')!.split('/').slice(2, 4).join('/');

    expect([reader.username, reader.password.split('/')[0], scope(reader.password)]).toEqual(['notes-prod-app', 'notes-prod-us-east-1', 'us-east-1/elasticache']);
    expect([writer.username, writer.password.split('/')[0], scope(writer.password)]).toEqual(['notes-prod-app', 'notes-prod-eu-west-1', 'eu-west-1/elasticache']);
  });
});
