import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import lambdaEsbuildOptions from '@platform/config/lambda-esbuild-options';

jest.setTimeout(60_000);

const root = resolve(__dirname, '../../..');

// The settings of tools/build-lambda.ts; the metafile says what the bundle holds.
async function bundleMetafile(): Promise<{ metafile: Metafile; code: string }> {
  const result = await build({
    entryPoints: [join(root, 'apps/items-api/src/main.ts')],
    outfile: 'index.js',
    write: false,
    ...(lambdaEsbuildOptions as BuildOptions),
    metafile: true,
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'silent',
  });
  const js = result.outputFiles?.find((f) => f.path.endsWith('index.js'));
  return { metafile: result.metafile, code: js?.text ?? '' };
}

describe('the items-api Lambda bundle', () => {
  let metafile: Metafile;
  let code: string;
  beforeAll(async () => {
    ({ metafile, code } = await bundleMetafile());
  });

  function load(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
    const dir = mkdtempSync(join(tmpdir(), 'items-api-bundle-'));
    try {
      writeFileSync(join(dir, 'index.js'), code);
      const res = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(dir, 'index.js'))}); console.log(typeof m.handler)`], {
        env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
      return { status: res.status, stdout: res.stdout, stderr: res.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('loads in a fresh Node process and exports handler', () => {
    const res = load({ AWS_REGION: 'eu-west-1', TABLE_NAME: 'items', EDGE_CACHE_MODE: 'ttl' });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('function');
  });

  it('fails its cold start with every configuration problem named', () => {
    const res = load({ EDGE_CACHE_MODE: 'invalidate', EDGE_CACHE_TTL_SECONDS: 'soon' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('TABLE_NAME is not set');
    expect(res.stderr).toContain('AWS_REGION is not set');
    expect(res.stderr).toContain('EDGE_CACHE_TTL_SECONDS must be an integer');
    expect(res.stderr).toContain('DISTRIBUTION_ID is not set but EDGE_CACHE_MODE is "invalidate"');
  });

  it('does not contain the CloudFront client; it is required at run time, on the first invalidation', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((f) => f.includes('client-cloudfront'))).toEqual([]);
    expect(inputs.some((f) => f.includes('@aws-sdk/client-dynamodb'))).toBe(true);
  });

  it('does not contain classic zod, only zod/mini', () => {
    expect(Object.keys(metafile.inputs).filter((f) => /zod\/v4\/classic/.test(f))).toEqual([]);
  });
});
