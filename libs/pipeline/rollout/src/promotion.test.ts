import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePlatform } from '@platform/config';
import { platformFixture, withEnvironment } from '@platform/config/testing';
import { parse } from 'yaml';
import { promotionMatrix } from './promotion';

function byEnvironment(platform: ReturnType<typeof parsePlatform>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of platform.stacks) (out[s.environment] ??= []).push(s.name);
  return out;
}

describe('the deploy matrix', () => {
  it('gives every configured environment a deploy job, a new one included, in the config’s order', () => {
    const platform = parsePlatform(withEnvironment(platformFixture(), 'perf', { accountId: '555555555555', domain: 'perf.example.com', regions: ['eu-west-1'] }));
    const matrix = promotionMatrix(platform, byEnvironment(platform));
    expect(matrix.map((m) => m.environment)).toEqual(Object.keys(platform.config.environments));
    expect(matrix.map((m) => m.environment)).toEqual(['dev', 'staging', 'prod', 'perf']);
    expect(matrix[3]).toEqual({ environment: 'perf', stacks: 'items-perf-global,items-perf-eu-west-1', accountId: '555555555555', deployRoleName: 'platform-deploy', region: 'eu-west-1', migrationRunner: 'ubuntu-latest' });
  });

  it('leaves out an environment with nothing to deploy', () => {
    const platform = parsePlatform(platformFixture());
    expect(promotionMatrix(platform, { dev: [], staging: ['items-staging-global'], prod: [] }).map((m) => m.environment)).toEqual(['staging']);
  });
});

describe('deploy.yml', () => {
  const root = path.join(__dirname, '../../../..');
  const text = readFileSync(path.join(root, '.github/workflows/deploy.yml'), 'utf8');
  const deploy = parse(text).jobs.deploy;

  it('deploys the matrix the config gives, one environment at a time, stopping at the first failure', () => {
    expect(deploy.strategy).toEqual({
      'max-parallel': 1,
      'fail-fast': true,
      matrix: { include: '${{ fromJSON(needs.affected.outputs.promotion) }}' },
    });
    expect(deploy.uses).toBe('./.github/workflows/deploy-environment.yml');
    expect(deploy.with.environment).toBe('${{ matrix.environment }}');
  });

  it('names no environment of the example config (the order comes from the config only)', () => {
    const example = JSON.parse(readFileSync(path.join(root, 'config/platform.json'), 'utf8'));
    for (const env of Object.keys(example.environments)) expect(text).not.toMatch(new RegExp(`(?<![/\\w-])${env}(?![/\\w-])`));
  });
});
