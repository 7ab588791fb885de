import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
// Spelled in two parts so this file does not trip the lint it tests.
const BARREL = '@cdktf/' + 'provider-aws';
const run = (...dirs: string[]) =>
  spawnSync(process.execPath, ['tools/check-imports.mjs', ...dirs], { cwd: ROOT, encoding: 'utf8' });

describe('the barrel-import lint', () => {
  it('finds no import of the @cdktf/provider-aws barrel in the workspace', () => {
    const result = run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails on a barrel import and names the file and line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'barrel-'));
    writeFileSync(
      path.join(dir, 'bad.ts'),
      `import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';\nimport { provider } from '${BARREL}';\n`,
    );
    const result = run(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/bad\.ts:2: import of the @cdktf\/provider-aws barrel/);
    expect(result.stderr).not.toMatch(/bad\.ts:1:/);
  });

  it('catches require() and dynamic import() of the barrel too', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'barrel-'));
    writeFileSync(path.join(dir, 'a.js'), `const aws = require('${BARREL}');\n`);
    writeFileSync(path.join(dir, 'b.ts'), `const aws = await import("${BARREL}");\n`);
    const result = run(dir);
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });
});
