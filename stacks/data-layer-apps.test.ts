// Synth refuses a database or cache for an app that cannot use it: an app without the
// `migrate` target that creates its schema (the generator makes one with --data=aurora).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { synthPlatform } from './main';
import { fakeWorkspace } from './test-workspace';

const network = { vpc: { id: 'vpc-0123456789abcdef0' }, privateSubnets: { ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } };

function synthWith(targets: Record<string, unknown>, layers: object): () => unknown {
  const workspace = fakeWorkspace(['notes-api']);
  mkdirSync(path.join(workspace, 'apps', 'notes-api'), { recursive: true });
  writeFileSync(path.join(workspace, 'apps', 'notes-api', 'project.json'), JSON.stringify({ name: 'notes-api', targets }));
  const config = platformFixture({
    environments: { prod: { accountId: '333333333333', domain: 'example.com', regions: ['eu-west-1', 'us-east-1'], network: { 'eu-west-1': network, 'us-east-1': network } } },
    services: { notes: { app: 'notes-api', ...layers } },
  });
  const configPath = path.join(workspace, 'platform.json');
  writeFileSync(configPath, JSON.stringify(config));
  return () => synthPlatform({ configPath, outdir: path.join(workspace, 'cdktf.out'), workspaceRoot: workspace });
}

const aurora = { engine: 'aurora-postgresql', engineVersion: '16.4' };

describe('a service with Aurora or a cache', () => {
  it('is refused when its app has no migrate target, naming the config path and what to add', () => {
    const synth = synthWith({ build: { command: 'true' } }, { aurora, cache: { engine: 'valkey' } });

    expect(synth).toThrow(ConfigError);
    const message = (() => {
      try {
        synth();
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/: services\.notes\.aurora: app notes-api has no "migrate" target in apps\/notes-api\/project\.json, .* add the target .* or remove services\.notes\.aurora$/);
    expect(lines[1]).toMatch(/: services\.notes\.cache: app notes-api has no "migrate" target/);
  });

  it('synthesizes when its app has a migrate target', () => {
    expect(synthWith({ migrate: { command: 'node migrate.js' } }, { aurora })()).toMatchObject({ stacks: 3 });
  });
});
