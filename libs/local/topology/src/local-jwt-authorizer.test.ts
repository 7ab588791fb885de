import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { LocalIssuer } from './local-issuer';
import { LocalJwtAuthorizer, type LocalRoute, selectRoute } from './local-jwt-authorizer';

const AUDIENCE = 'https://items.example.com';
const ROUTES: LocalRoute[] = [
  { routeKey: 'GET /health', authorized: false, scopes: [] },
  { routeKey: 'GET /items/{id}', authorized: true, scopes: ['items:read'] },
  { routeKey: 'GET /{proxy+}', authorized: true, scopes: ['items:read'] },
  { routeKey: 'POST /{proxy+}', authorized: true, scopes: ['items:write'] },
  { routeKey: '$default', authorized: true, scopes: [] },
];

let issuer: LocalIssuer;
let authorizer: LocalJwtAuthorizer;

beforeAll(async () => {
  issuer = await LocalIssuer.start({ audience: AUDIENCE, scopes: ['items:read', 'items:write'] });
  authorizer = new LocalJwtAuthorizer({ issuer: issuer.url, audiences: [AUDIENCE], routes: ROUTES });
});
afterAll(() => issuer.stop());

const request = (method: string, path: string, headers: Record<string, string> = {}) => ({ rawPath: path, headers, requestContext: { http: { method } } });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function denied(method: string, path: string, headers: Record<string, string>) {
  const verdict = await authorizer.authorize(request(method, path, headers));
  if (verdict.allowed) throw new Error('the request was allowed');
  const { statusCode, body, headers: h } = verdict.response;
  return { status: statusCode, body: JSON.parse(body!), reason: String(h?.['www-authenticate']) };
}

describe('the local JWT authorizer, as API Gateway', () => {
  it('lets a valid token through and hands the claims and scopes to the function', async () => {
    const verdict = await authorizer.authorize(request('POST', '/items', bearer(await issuer.mint({ subject: 'alice' }))));
    expect(verdict).toMatchObject({ allowed: true, routeKey: 'POST /{proxy+}', jwt: { claims: { sub: 'alice', iss: issuer.url, aud: AUDIENCE }, scopes: ['items:read', 'items:write'] } });
  });

  it('keeps the health check open', async () => {
    expect(await authorizer.authorize(request('GET', '/health'))).toEqual({ allowed: true, routeKey: 'GET /health' });
  });

  it.each([
    ['a missing token', {}, /Authorization header is missing/],
    ['a malformed token', { authorization: 'Bearer not.a.jwt' }, /malformed/],
    ['another scheme than Bearer', { authorization: 'Basic dXNlcjpwYXNz' }, /malformed/],
  ])('answers 401 JSON to %s', async (_what, headers, reason) => {
    const answer = await denied('GET', '/items', headers);
    expect(answer).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    expect(answer.reason).toMatch(reason);
  });

  it('answers 401 to alg none', async () => {
    const token = new UnsecuredJWT({ sub: 'mallory', scope: 'items:write' }).setIssuer(issuer.url).setAudience(AUDIENCE).setExpirationTime('1h').encode();
    expect(await denied('POST', '/items', bearer(token))).toMatchObject({ status: 401, reason: expect.stringMatching(/algorithm is not allowed/) });
  });

  it('answers 401 to a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const real = JSON.parse(Buffer.from((await issuer.mint()).split('.')[0], 'base64url').toString());
    const token = await new SignJWT({ scope: 'items:write' }).setProtectedHeader({ alg: 'RS256', kid: real.kid }).setIssuer(issuer.url).setAudience(AUDIENCE).setExpirationTime('1h').sign(privateKey);
    expect(await denied('POST', '/items', bearer(token))).toMatchObject({ status: 401, reason: expect.stringMatching(/signature is invalid/) });
  });

  it('answers 401 to an expired token', async () => {
    expect(await denied('GET', '/items', bearer(await issuer.mint({ expiresInSeconds: -5 })))).toMatchObject({ status: 401, reason: expect.stringMatching(/expired/) });
  });

  it('answers 401 to a token not valid yet', async () => {
    expect(await denied('GET', '/items', bearer(await issuer.mint({ notBeforeInSeconds: 600 })))).toMatchObject({ status: 401, reason: expect.stringMatching(/not valid yet/) });
  });

  it('answers 401 to a token signed by another issuer', async () => {
    const other = await LocalIssuer.start({ audience: AUDIENCE });
    try {
      expect(await denied('GET', '/items', bearer(await other.mint()))).toMatchObject({ status: 401 });
    } finally {
      await other.stop();
    }
  });

  it('answers 401 to a token naming another issuer', async () => {
    const answer = await denied('GET', '/items', bearer(await issuer.mint({ issuer: 'https://login.evil.example/' })));
    expect(answer).toMatchObject({ status: 401, reason: expect.stringMatching(/another issuer/) });
  });

  it('answers 401 to a token for another audience (another service)', async () => {
    const answer = await denied('GET', '/items', bearer(await issuer.mint({ audience: 'https://orders.example.com' })));
    expect(answer).toMatchObject({ status: 401, reason: expect.stringMatching(/not for this audience/) });
  });

  it('answers 403 JSON to a write without the write scope', async () => {
    const answer = await denied('POST', '/items', bearer(await issuer.mint({ scopes: ['items:read'] })));
    expect(answer).toMatchObject({ status: 403, body: { message: 'Forbidden' }, reason: expect.stringMatching(/insufficient_scope/) });
  });

  it('reads the Authorization header in any letter case', async () => {
    const verdict = await authorizer.authorize(request('GET', '/items/abc', { AUTHORIZATION: `bearer ${await issuer.mint({ scopes: ['items:read'] })}` }));
    expect(verdict).toMatchObject({ allowed: true, routeKey: 'GET /items/{id}' });
  });
});

describe('route selection, as API Gateway', () => {
  it('prefers literal segments, then parameters, then the greedy path, then $default', () => {
    expect(selectRoute(ROUTES, 'GET', '/health')?.routeKey).toBe('GET /health');
    expect(selectRoute(ROUTES, 'GET', '/items/abc')?.routeKey).toBe('GET /items/{id}');
    expect(selectRoute(ROUTES, 'GET', '/items')?.routeKey).toBe('GET /{proxy+}');
    expect(selectRoute(ROUTES, 'DELETE', '/items/abc')?.routeKey).toBe('$default');
    expect(selectRoute(ROUTES, 'GET', '/')?.routeKey).toBe('$default');
  });
});
