// Benchmark of token validation in a local region (npm run bench:token-validation):
//  1. the authorizer alone: time of one validation (signature, claims, scopes) with a
//     warm JWKS cache, in process;
//  2. what it adds per request: sequential requests to a region-like HTTP server (the
//     local HTTP adapter with a handler that answers at once), without and with the
//     authorizer in front; the difference of the medians is the added latency.
//
//   npm run bench:token-validation -- [--requests 3000]
import { cpus } from 'node:os';
import { integerOption, runCli } from '@platform/cli';
import { LocalHttpAdapter, type HttpApiHandler } from '@platform/lambda-http-adapter';
import { LocalIssuer } from '../src/local-issuer';
import { LocalJwtAuthorizer, type LocalRoute } from '../src/local-jwt-authorizer';
import { summary } from '@platform/bench-stats';

const AUDIENCE = 'https://items.example.com';
const ROUTES: LocalRoute[] = [
  { routeKey: 'GET /health', authorized: false, scopes: [] },
  { routeKey: 'GET /{proxy+}', authorized: true, scopes: ['items:read'] },
  { routeKey: '$default', authorized: true, scopes: [] },
];


const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function timeRequest(url: string, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/items`, { headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`GET /items answered ${res.status}`);
  return performance.now() - started;
}

/** Requests to both servers taking turns, so both see the same machine (a busy one shows). */
async function interleaved(a: string, b: string, headers: Record<string, string>, n: number): Promise<[number[], number[]]> {
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < n; i++) {
    first.push(await timeRequest(a, headers));
    second.push(await timeRequest(b, headers));
  }
  return [first, second];
}

void runCli(
  {
    name: 'bench:token-validation',
    command: 'npm run bench:token-validation --',
    summary: 'Measures what JWT validation adds per request in a local region (warm JWKS cache).',
    options: { requests: { type: 'string', valueName: '<n>', description: 'requests per measurement (default: 3000)' } },
  },
  async ({ values }) => {
    const n = integerOption('requests', values.requests, { min: 100 }) ?? 3000;
    const issuer = await LocalIssuer.start({ audience: AUDIENCE, scopes: ['items:read'] });
    const authorizer = new LocalJwtAuthorizer({ issuer: issuer.url, audiences: [AUDIENCE], routes: ROUTES });
    const token = await issuer.mint();
    const event = { rawPath: '/items', headers: { authorization: `Bearer ${token}` }, requestContext: { http: { method: 'GET' } } };
    await authorizer.warm();

    for (let i = 0; i < 500; i++) await authorizer.authorize(event); // JIT warm-up
    const alone: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      const verdict = await authorizer.authorize(event);
      alone.push(performance.now() - started);
      if (!verdict.allowed) throw new Error('the token was refused');
    }

    const handler: HttpApiHandler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"items":[]}' });
    const guarded: HttpApiHandler = async (e, c) => {
      const verdict = await authorizer.authorize(e);
      return verdict.allowed ? handler(e, c) : verdict.response;
    };
    const plain = await LocalHttpAdapter.start(handler);
    const withAuth = await LocalHttpAdapter.start(guarded);
    const auth = { authorization: `Bearer ${token}` };
    await interleaved(plain.url, withAuth.url, auth, 300);
    const [plainSamples, authSamples] = await interleaved(plain.url, withAuth.url, auth, n);
    const without = summary(plainSamples);
    const withValidation = summary(authSamples);
    await Promise.all([plain.close(), withAuth.close(), issuer.stop()]);

    const a = summary(alone);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}; ${n} requests per measurement, sequential, the two servers taking turns`);
    console.log(`validation alone (RS256 signature, iss/aud/exp/nbf, scopes), warm JWKS: p50 ${fmt(a.p50)}, p95 ${fmt(a.p95)}, p99 ${fmt(a.p99)}`);
    console.log(`HTTP round trip without the authorizer: p50 ${fmt(without.p50)}, p95 ${fmt(without.p95)}, p99 ${fmt(without.p99)}`);
    console.log(`HTTP round trip with the authorizer:    p50 ${fmt(withValidation.p50)}, p95 ${fmt(withValidation.p95)}, p99 ${fmt(withValidation.p99)}`);
    console.log(`added by validation: p50 ${fmt(withValidation.p50 - without.p50)} (target < 2 ms)`);
  },
);
