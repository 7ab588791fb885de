// Every command of the workspace that calls AWS, run as a user runs it, with no AWS
// credentials anywhere: no AWS_* variables, an empty HOME (no ~/.aws), no instance
// metadata. Each must print one line and exit non-zero, never a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');
let home: string;
let nodeOnly: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'no-aws-home-'));
  // Only `node` on PATH: should a command get past its credentials, it cannot start
  // npx, terraform or git worktrees in the workspace.
  nodeOnly = mkdtempSync(join(tmpdir(), 'node-only-'));
  symlinkSync(process.execPath, join(nodeOnly, 'node'));
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(nodeOnly, { recursive: true, force: true });
});

function runWithoutCredentials(entry: string, args: string[], path = nodeOnly) {
  const env = { PATH: path, HOME: home, AWS_EC2_METADATA_DISABLED: 'true' };
  return spawnSync(process.execPath, [join(ROOT, 'tools/run-ts.mjs'), join(ROOT, entry), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
}

const COMMANDS: [string, string, string[]][] = [
  ['npm run region -- status', 'libs/pipeline/rollout/src/region-cli.ts', ['status', '--env', 'prod']],
  ['npm run region -- evacuate', 'libs/pipeline/rollout/src/region-cli.ts', ['evacuate', '--env', 'dev', '--region', 'us-east-1', '--reason', 'test']],
  ['npm run rollout (running)', 'tools/rollout/rollout-cli.ts', ['--env', 'dev', '--commit', 'abcdef1']],
  ['npm run rollout:shard -- gate', 'libs/pipeline/rollout/src/sharded-cli.ts', ['gate', '--env', 'dev', '--stacks', 'items-dev-global', '--wave', '1', '--commit', 'abcdef1']],
  ['npm run preflight', 'libs/pipeline/preflight/src/cli.ts', ['--env', 'dev']],
  ['npx nx run orders-api:migrate -- --iam', 'apps/orders-api/migrate/migrate.ts', ['--host', 'writer.example.com', '--iam', '--region', 'eu-west-1']],
];

describe('every CLI that calls AWS, without AWS credentials', () => {
  it.each(COMMANDS)('%s prints one line naming the missing credentials and exits 1', (_name, entry, args) => {
    const result = runWithoutCredentials(entry, args);

    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/: no AWS credentials\b.*set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/)]);
    expect(result.status).toBe(1);
  });

  // The state listing goes through the AWS CLI (`aws s3api list-objects-v2`), whose own
  // message is kept; without the AWS CLI installed, the line says that instead.
  it('npm run orphans -- --state prints one line and exits 1', () => {
    const result = runWithoutCredentials('libs/pipeline/nx-plugin/src/orphans-cli.ts', ['--env', 'dev', '--state'], process.env.PATH);

    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^listing the state under s3:\/\/.* failed, .*(Unable to locate credentials|the aws CLI is not installed)/)]);
    expect(result.status).toBe(1);
  });
});

