import { parsePlatform, UserError } from '@platform/config';
import { platformFixture, withService } from '@platform/config/testing';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findOrphans, orphanDestroyPath, orphanNotice, renderOrphans, stackOfStateKey, type StateLister } from './orphans';

const fixture = platformFixture();
const base = parsePlatform(withService(fixture, 'catalog', {}), 'base.json');
const head = parsePlatform(fixture, 'head.json');
const stateOf = (platform: typeof base, extra: string[] = []): StateLister => ({
  listKeys: async (_bucket, prefix) => [...platform.stacks.map((s) => s.stateKey), ...extra].filter((k) => k.startsWith(prefix)),
});

describe('findOrphans', () => {
  it('finds the stacks of a removed service from the config diff, regional before global', async () => {
    const orphans = await findOrphans({ platform: head, base, environment: 'dev' });

    const names = orphans.map((o) => o.stack);
    expect(names.length).toBeGreaterThan(1);
    expect(names.every((n) => n.startsWith('catalog-dev-'))).toBe(true);
    expect(orphans[orphans.length - 1]).toMatchObject({ stack: 'catalog-dev-global', layer: 'global' });
    expect(orphans.slice(0, -1).every((o) => o.layer === 'regional')).toBe(true);
  });

  it('finds stacks that still have state though no config ever named them at the base', async () => {
    const orphans = await findOrphans({ platform: head, environment: 'dev', lister: stateOf(base) });

    expect(orphans.map((o) => o.foundBy)).toEqual(orphans.map(() => ['state']));
    expect(orphans.map((o) => o.stack)).toContain('catalog-dev-global');
  });

  it('marks a stack found both ways with both', async () => {
    const [first] = await findOrphans({ platform: head, base, environment: 'dev', lister: stateOf(base) });
    expect(first.foundBy).toEqual(['config diff', 'state']);
  });

  it('keeps to the environment asked for', async () => {
    const orphans = await findOrphans({ platform: head, base, environment: 'dev', lister: stateOf(base) });
    expect(orphans.some((o) => o.stack.includes('-prod-'))).toBe(false);
  });

  it('reports none when the config and the state agree', async () => {
    expect(await findOrphans({ platform: head, base: head, environment: 'dev', lister: stateOf(head) })).toEqual([]);
  });

  it('turns a failing listing into an error that says so, never "no orphans"', async () => {
    const failing: StateLister = { listKeys: async () => Promise.reject(new Error('Unable to locate credentials')) };
    const run = findOrphans({ platform: head, environment: 'dev', lister: failing });

    await expect(run).rejects.toThrow(UserError);
    await expect(findOrphans({ platform: head, environment: 'dev', lister: failing })).rejects.toThrow(/failed, so the orphans are unknown \(not "none"\): Unable to locate credentials/);
  });

  it('refuses an unknown environment', async () => {
    await expect(findOrphans({ platform: head, environment: 'qa' })).rejects.toThrow('unknown environment "qa"');
  });
});

describe('stackOfStateKey', () => {
  it('reads the stack of a state key, flat or per environment', () => {
    expect(stackOfStateKey('platform/items-dev-global.tfstate')).toBe('items-dev-global');
    expect(stackOfStateKey('platform/dev/items-dev-eu-west-1.tfstate')).toBe('items-dev-eu-west-1');
    expect(stackOfStateKey('platform/notes.txt')).toBeUndefined();
  });
});

describe('renderOrphans', () => {
  const orphans = [
    { stack: 'catalog-dev-eu-west-1', environment: 'dev', layer: 'regional' as const, foundBy: ['config diff' as const] },
    { stack: 'catalog-dev-global', environment: 'dev', layer: 'global' as const, foundBy: ['config diff' as const] },
  ];

  it('shows them as to be destroyed, blocked until the destroy-orphans label is set', () => {
    const { markdown, allowed } = renderOrphans('dev', orphans);
    expect(allowed).toBe(false);
    expect(markdown).toContain('2 stacks to be destroyed');
    expect(markdown).toMatch(/1\. `catalog-dev-eu-west-1`[\s\S]*2\. `catalog-dev-global`/);
    expect(markdown).toContain('`destroy-orphans:dev`');
    expect(markdown).toContain('deletion protection');
  });

  it('is allowed with the label of that environment only', () => {
    expect(renderOrphans('dev', orphans, ['destroy-orphans:dev']).allowed).toBe(true);
    expect(renderOrphans('dev', orphans, ['destroy-orphans:prod']).allowed).toBe(false);
  });
});

describe('what every tool says about an orphan', () => {
  const ROOT = join(__dirname, '..', '..', '..', '..');

  it('names the stacks, that the deploy destroys them regional before global once the removal merges with the label, and how to list them', () => {
    const line = orphanNotice('dev', ['catalog-dev-eu-west-1', 'catalog-dev-global']);

    expect(line).toContain('2 stacks of dev no longer in the config (orphans: catalog-dev-eu-west-1, catalog-dev-global)');
    expect(line).toContain('the deploy workflow destroys them, regional stacks before global, after the pull request that removes them is merged with the label destroy-orphans:dev');
    expect(line).toContain('npm run orphans -- --env dev lists them');
    expect(line).not.toContain('\n');
  });

  it('is what the pull-request comment says when the label is missing', () => {
    const { markdown } = renderOrphans('dev', [{ stack: 'catalog-dev-global', environment: 'dev', layer: 'global', foundBy: ['config diff'] }]);
    expect(markdown).toContain(orphanDestroyPath('dev'));
  });

  it.each([
    'libs/pipeline/nx-plugin/src/affected-stacks-cli.ts',
    'libs/pipeline/nx-plugin/src/precise-affected-cli.ts',
    'libs/pipeline/nx-plugin/src/orphans-cli.ts',
    'libs/pipeline/nx-plugin/src/orphans-destroy-cli.ts',
    'libs/pipeline/nx-plugin/src/generators/remove-service/generator.ts',
  ])('is the sentence %s prints (it builds no orphan message of its own)', (file) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toMatch(/\borphan(Notice|DestroyPath)\(/);
  });

  it('is contradicted nowhere: no source or page says an orphan is never destroyed', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.md', '*.yml', '*.mjs'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    const contradicting = files.filter((f) => f !== 'libs/pipeline/nx-plugin/src/orphans.test.ts' && /nothing destroys (it|them)/i.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(contradicting).toEqual([]);
  });
});
