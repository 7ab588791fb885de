import { join } from 'node:path';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { parsePlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { LocalTopology } from './local-topology';
import { topologyConfig } from './topology-config';
import { scanRecords } from './testing/region-inventory';

// Auth and the edge in the local topology: two regions (the fixture's dev), items with
// an external issuer (stood in for by the local one), reads needing items:read and
// writes items:write. Every bad input is a 401/403 JSON answer that writes nothing.

const WORKSPACE = join(__dirname, '../../../..');
const AUDIENCE = 'https://items.example.com';

jest.setTimeout(180_000);

describe('local topology: auth in every region, the edge the only entrance', () => {
  const raw = platformFixture();
  raw.services.items = {
    app: 'items-api',
    auth: {
      issuer: 'https://login.example.com/',
      audiences: [AUDIENCE],
      routes: ['GET /items/{id}'],
      scopes: { GET: ['items:read'], POST: ['items:write'], PUT: ['items:write'], PATCH: ['items:write'], DELETE: ['items:write'] },
    },
  };
  const config = topologyConfig(parsePlatform(raw), { service: 'items', environment: 'dev', probeIntervalMs: 250, edgeCacheMode: 'off' });
  const [first, second] = config.regions;
  let topology: LocalTopology;
  let starting: Promise<LocalTopology> | undefined;

  beforeAll(async () => {
    starting = LocalTopology.start({ config, workspaceRoot: WORKSPACE });
    topology = await starting;
  }, 180_000);

  afterAll(async () => {
    const started = await starting?.catch(() => undefined);
    await started?.stop();
  }, 60_000);

  // Counted once replication has settled, so a write of an earlier test arriving late is not taken for one.
  const records = async () => {
    await topology.replicator.settle(config.regions);
    return (await Promise.all(config.regions.map((r) => scanRecords(topology.region(r).table.client, config.tableName)))).flat().length;
  };
  const post = (url: string, headers: Record<string, string>) =>
    fetch(`${url}/items`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'lamp' }) });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('serves a caller with a valid token through the front door, recording its sub', async () => {
    const res = await post(topology.frontDoorUrl, bearer(await topology.mintToken({ subject: 'alice' })));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'lamp', createdBy: 'alice', updatedBy: 'alice' });
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('answers 403 JSON to a direct call to a region without the origin secret, writing nothing', async () => {
    const before = await records();
    const res = await post(topology.apiUrl(first), bearer(await topology.mintToken()));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect(await records()).toBe(before);
  });

  it('lets the health check reach a region directly', async () => {
    expect((await fetch(`${topology.apiUrl(second)}/health`)).status).toBe(200);
  });

  describe('bad tokens through the front door: 401/403 JSON, nothing written', () => {
    const cases: [string, () => Promise<Record<string, string>>, number][] = [
      ['a missing token', async () => ({}), 401],
      ['a malformed token', async () => bearer('abc.def'), 401],
      ['alg none', async () => bearer(new UnsecuredJWT({ scope: 'items:write' }).setIssuer(topology.issuer!.url).setAudience(AUDIENCE).setExpirationTime('1h').encode()), 401],
      [
        'a wrong signature',
        async () => {
          const { privateKey } = await generateKeyPair('RS256');
          const kid = JSON.parse(Buffer.from((await topology.mintToken()).split('.')[0], 'base64url').toString()).kid;
          return bearer(await new SignJWT({ scope: 'items:write' }).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(topology.issuer!.url).setAudience(AUDIENCE).setExpirationTime('1h').sign(privateKey));
        },
        401,
      ],
      ['an expired token', async () => bearer(await topology.mintToken({ expiresInSeconds: -10 })), 401],
      ['a token not valid yet', async () => bearer(await topology.mintToken({ notBeforeInSeconds: 600 })), 401],
      ['a wrong issuer', async () => bearer(await topology.mintToken({ issuer: 'https://login.example.com/' })), 401],
      ['a wrong audience', async () => bearer(await topology.mintToken({ audience: 'https://elsewhere.example.com' })), 401],
      ["another service's token", async () => bearer(await topology.mintToken({ audience: 'https://orders.example.com', scopes: ['orders:write'] })), 401],
      ['a scheme other than Bearer', async () => ({ authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` }), 401],
      ['a write without the write scope', async () => bearer(await topology.mintToken({ scopes: ['items:read'] })), 403],
    ];
    it.each(cases)('refuses %s', async (_what, headers, status) => {
      const before = await records();
      const res = await post(topology.frontDoorUrl, await headers());
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ message: status === 401 ? 'Unauthorized' : 'Forbidden' });
      expect(await records()).toBe(before);
    });

    it('ignores a forged x-user header alongside a valid token', async () => {
      const res = await post(topology.frontDoorUrl, { ...bearer(await topology.mintToken({ subject: 'bob' })), 'x-user': 'mallory', 'x-amzn-oidc-identity': 'mallory' });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ createdBy: 'bob' });
    });
  });

  describe('faults', () => {
    it('keeps accepting already-issued tokens in every region with the issuer stopped, and a dead region stops no other', async () => {
      const token = await topology.mintToken({ subject: 'carol' });
      const direct = (region: string) => post(topology.apiUrl(region), { ...topology.edgeHeaders, ...bearer(token) });
      // Each region has fetched the issuer's keys once (API Gateway does so on first use).
      for (const region of config.regions) expect((await direct(region)).status).toBe(201);

      await topology.issuer!.stop();
      for (const region of config.regions) expect((await direct(region)).status).toBe(201);
      const mintedAfter = await topology.mintToken({ subject: 'dave' });
      expect((await post(topology.apiUrl(second), { ...topology.edgeHeaders, ...bearer(mintedAfter) })).status).toBe(201);

      await topology.failRegion(first);
      expect((await direct(second)).status).toBe(201);
      expect((await post(topology.apiUrl(second), { ...topology.edgeHeaders, ...bearer(await topology.mintToken({ expiresInSeconds: -1 })) })).status).toBe(401);
    });
  });
});
