import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import lambdaEsbuildOptions from '@platform/config/lambda-esbuild-options';

jest.setTimeout(60_000);

const root = resolve(__dirname, '../../..');

describe('the orders-api Lambda bundle', () => {
  let code = '';
  beforeAll(async () => {
    const result = await build({
      entryPoints: [join(root, 'apps/orders-api/src/main.ts')],
      outfile: 'index.js',
      write: false,
      ...(lambdaEsbuildOptions as BuildOptions),
      tsconfig: join(root, 'tsconfig.base.json'),
      logLevel: 'silent',
    });
    code = result.outputFiles?.find((f) => f.path.endsWith('index.js'))?.text ?? '';
  });

  function run(script: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
    const dir = mkdtempSync(join(tmpdir(), 'orders-api-bundle-'));
    try {
      writeFileSync(join(dir, 'index.js'), code);
      const res = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(dir, 'index.js'))}); ${script}`], {
        env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
      return { status: res.status, stdout: res.stdout, stderr: res.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('answers /health with a JSON 503 when its database cannot be reached, without crashing (pg-native and xxhash stay optional)', () => {
    const res = run(
      `m.handler({ version: '2.0', rawPath: '/health', headers: {}, requestContext: { http: { method: 'GET', path: '/health' } } }, { awsRequestId: 'r' })` +
        `.then((r) => { console.log(JSON.stringify({ status: r.statusCode, code: JSON.parse(r.body).status })); process.exit(0); })`,
      { AWS_REGION: 'eu-west-1', DB_WRITER_ENDPOINT: '127.0.0.1:1', DB_READER_ENDPOINT: '127.0.0.1:1', DB_NAME: 'app', DB_IAM_USER: 'orders', DB_PASSWORD: 'x', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    );
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout.trim().split('\n').pop()!)).toEqual({ status: 503, code: 'unhealthy' });
  });

  it('refuses a request that did not come through the edge with 403 before any database call, as items and catalog do, and lets the accepted origin secret and Route53\'s /health through', () => {
    const ask = (path: string, headers: Record<string, string>) =>
      `m.handler({ version: '2.0', rawPath: ${JSON.stringify(path)}, headers: ${JSON.stringify(headers)}, requestContext: { http: { method: 'GET', path: ${JSON.stringify(path)} } } }, { awsRequestId: 'r' })`;
    const script = (calls: string[]) =>
      `Promise.all([${calls.join(', ')}]).then((rs) => { console.log(JSON.stringify(rs.map((r) => r.statusCode))); process.exit(0); })`;
    const env = {
      AWS_REGION: 'eu-west-1',
      DB_WRITER_ENDPOINT: '127.0.0.1:1',
      DB_READER_ENDPOINT: '127.0.0.1:1',
      DB_NAME: 'app',
      DB_IAM_USER: 'orders',
      DB_PASSWORD: 'x',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ORIGIN_SECRETS: 'old-value,new-value',
    };
    const res = run(
      script([
        ask('/customers/c-1/orders', {}),
        ask('/customers/c-1/orders', { 'x-origin-verify': 'guess' }),
        ask('/customers/c-1/orders', { 'x-origin-verify': 'new-value' }),
        ask('/health', {}),
      ]),
      env,
    );
    expect(res.stderr).toBe('');
    // Without the secret, or with a wrong one: 403. With an accepted one the request reaches
    // the handler, whose database is unreachable here (503); /health is open to Route53.
    expect(JSON.parse(res.stdout.trim().split('\n').pop()!)).toEqual([403, 403, 503, 503]);
  });

  it('fails its cold start with every configuration problem named', () => {
    const res = run('', { DB_WRITE_ROUTING: 'sideways', CACHE_WRITER_ENDPOINT: 'w', CACHE_TTL_SECONDS: 'soon' });
    expect(res.status).not.toBe(0);
    for (const problem of ['AWS_REGION is not set', 'DB_READER_ENDPOINT is not set', 'DB_WRITE_ROUTING must be write-forwarding or writer-endpoint', 'CACHE_TTL_SECONDS must be an integer']) {
      expect(res.stderr).toContain(problem);
    }
  });
});
