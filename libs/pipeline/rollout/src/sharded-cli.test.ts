import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'libs/pipeline/rollout/src/sharded-cli.ts');

// A work folder with the example config: the CLI reads config/platform.json and writes dist/ under its cwd.
let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'rollout-shard-'));
  mkdirSync(path.join(cwd, 'config'));
  copyFileSync(path.join(ROOT, 'config/platform.json'), path.join(cwd, 'config/platform.json'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'tools/run-ts.mjs'), CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
const PROD = ['items-prod-global', 'items-prod-eu-west-1', 'items-prod-us-east-1', 'items-prod-ap-southeast-1', 'catalog-prod-global', 'catalog-prod-ap-southeast-1'].join(',');

describe('npm run rollout:shard', () => {
  it('plan: prints the waves in order, each with its shard matrix', () => {
    const res = run('plan', '--env', 'prod', '--stacks', PROD, '--shard-size', '1');

    expect(res.status).toBe(0);
    const matrix = JSON.parse(res.stdout) as { include: { wave: number; name: string; shards: string }[] };
    expect(matrix.include.map((w) => `${w.wave} ${w.name}`)).toEqual(['1 global', '2 canary ap-southeast-1', '3 regions eu-west-1', '4 regions us-east-1']);
    expect(JSON.parse(matrix.include[1].shards).include.map((s: { shard: string; stacks: string }) => `${s.shard} ${s.stacks}`)).toEqual([
      '1/2 items-prod-ap-southeast-1',
      '2/2 catalog-prod-ap-southeast-1',
    ]);
  });

  it('refuses a wave the plan does not have in one line, changing nothing', () => {
    const res = run('gate', '--env', 'prod', '--stacks', PROD, '--wave', '9', '--commit', 'abcdef1');

    expect(res.status).toBe(1);
    expect(res.stderr.trim()).toBe('wave 9 does not exist: the rollout has 4 wave(s)');
  });

  it('rollback: a shard the verdict does not name applied nothing and is left alone', () => {
    const verdict = path.join(cwd, 'verdict.json');
    writeFileSync(verdict, JSON.stringify({ outcome: 'failed', reasons: ['x'], rollBack: ['1/2'] }));

    const res = run('rollback', '--env', 'prod', '--stacks', PROD, '--shard-size', '1', '--wave', '2', '--shard', '2/2', '--verdict', verdict);

    expect([res.status, res.stdout.trim()]).toEqual([0, 'shard 2/2 applied nothing: nothing to roll back']);
  });

  it('merge-records: one record from the last one and every wave of the run', () => {
    const dir = path.join(cwd, 'dist/rollout/prod');
    mkdirSync(path.join(dir, 'waves'), { recursive: true });
    writeFileSync(path.join(dir, 'deployed.json'), JSON.stringify({ 'items-prod-global': { commit: 'aaaaaaa', at: '2026-11-01T00:00:00.000Z' }, 'items-prod-eu-west-1': { commit: 'aaaaaaa', at: '2026-11-01T00:00:00.000Z' } }));
    writeFileSync(path.join(dir, 'waves/wave-1.json'), JSON.stringify({ 'items-prod-global': { commit: 'bbbbbbb', at: '2026-11-27T10:00:00.000Z' } }));

    const res = run('merge-records', '--env', 'prod');

    expect(res.status).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'deployed.json'), 'utf8'))).toEqual({
      'items-prod-eu-west-1': { commit: 'aaaaaaa', at: '2026-11-01T00:00:00.000Z' },
      'items-prod-global': { commit: 'bbbbbbb', at: '2026-11-27T10:00:00.000Z' },
    });
  });

  it('names the steps for an unknown one', () => {
    const res = run('deploy', '--env', 'prod');

    expect(res.status).toBe(2);
    expect(res.stderr).toContain('give one of: plan, migrate, apply, gate, rollback, recover, merge-records');
  });

  it('migrate: does nothing before a wave that deploys no service with Aurora', () => {
    const res = run('migrate', '--env', 'prod', '--stacks', PROD, '--wave', '2');

    expect([res.status, res.stdout.trim()]).toEqual([0, 'wave 2 canary ap-southeast-1: no migrations due']);
  });
});
