import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'tf-verify-cli-'));

function fakeTerraform(version: string): string {
  const bin = path.join(dir, `terraform-${version}`);
  writeFileSync(bin, `#!/bin/sh\necho '{"terraform_version":"${version}"}'\n`);
  chmodSync(bin, 0o755);
  return bin;
}

function verify(env: Record<string, string>) {
  return spawnSync(process.execPath, ['tools/run-ts.mjs', 'tools/verify/verify-terraform-cli.ts', '--work-dir', path.join(dir, 'work')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

/** Exit 1 with exactly one line on stderr and nothing on stdout. */
function expectOneLine(result: ReturnType<typeof verify>, line: string | RegExp) {
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(line);
}

describe('npm run verify:terraform with bad input', () => {
  it('names a mirror path that does not exist', () => {
    expectOneLine(
      verify({ PLATFORM_TF_PROVIDER_MIRROR: path.join(dir, 'no-such-mirror'), TERRAFORM_BIN: fakeTerraform('1.11.4') }),
      /^provider mirror \S+no-such-mirror does not exist; set PLATFORM_TF_PROVIDER_MIRROR/,
    );
  });

  it('names a mirror that lacks the AWS provider', () => {
    const mirror = path.join(dir, 'empty-mirror');
    mkdirSync(path.join(mirror, 'registry.terraform.io', 'hashicorp', 'random', '3.6.0', 'linux_amd64'), { recursive: true });
    expectOneLine(
      verify({ PLATFORM_TF_PROVIDER_MIRROR: mirror, TERRAFORM_BIN: fakeTerraform('1.11.4') }),
      /^provider mirror \S+empty-mirror has no hashicorp\/aws for /,
    );
  });

  it('rejects a terraform too old for the stacks (write-only arguments, use_lockfile)', () => {
    expectOneLine(
      verify({ PLATFORM_TF_PROVIDER_MIRROR: path.join(dir, 'empty-mirror'), TERRAFORM_BIN: fakeTerraform('1.10.5') }),
      /^terraform 1\.10\.5 \(\S+\) is older than 1\.11\.0, which the stacks need \(write-only arguments, the S3 backend's use_lockfile\)/,
    );
  });
});
