import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformFixture } from '@platform/config/testing';

const ROOT = join(__dirname, '../../../..');

/** The CLI, on the fixture platform, with no AWS credentials anywhere: no variables, no profile files, no instance metadata. */
function runWithoutCredentials(args: string[]) {
  const home = mkdtempSync(join(tmpdir(), 'preflight-home-'));
  const config = join(home, 'platform.json');
  writeFileSync(config, JSON.stringify(platformFixture()));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return spawnSync(process.execPath, [join(ROOT, 'tools/run-ts.mjs'), join(ROOT, 'libs/pipeline/preflight/src/cli.ts'), '--config', config, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm run preflight (the CLI)', () => {
  it('prints one line naming what is missing and exits 1 when there are no AWS credentials', () => {
    const result = runWithoutCredentials(['--env', 'dev']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      "preflight: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run it after aws-actions/configure-aws-credentials (the plan role of the environment's account)",
    ]);
  });

  it('asks for --env in one line, exit 2', () => {
    const result = runWithoutCredentials([]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('preflight: --env is required; see npm run preflight -- --help');
  });

  it('names an unknown environment in one line', () => {
    const result = runWithoutCredentials(['--env', 'qa']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('preflight: unknown environment "qa"; the config has dev, staging, prod');
  });
});
