import { parsePlatform } from '@platform/config';
import { diffStackConfigs } from './config-diff';
import { platformFixture as example } from './testing/platform-fixture';

describe('diffStackConfigs', () => {
  it('reports only the stacks of a service whose options changed', () => {
    const after = example();
    after.services.orders.lambda = { memorySizeMb: 1024 };

    const diff = diffStackConfigs(parsePlatform(example()), parsePlatform(after));

    expect(diff.changed.sort()).toEqual(
      [
        'orders-dev-global',
        'orders-dev-eu-west-1',
        'orders-dev-us-east-1',
        'orders-prod-global',
        'orders-prod-eu-west-1',
        'orders-prod-us-east-1',
        'orders-prod-ap-southeast-1',
      ].sort(),
    );
    expect(diff.added).toEqual([]);
  });

  it('reports a new region of an environment as added, and that environment’s stacks as changed', () => {
    const after = example();
    after.environments.dev.regions = [...after.environments.dev.regions, 'ap-southeast-1'];

    const diff = diffStackConfigs(parsePlatform(example()), parsePlatform(after));

    expect(diff.added.sort()).toEqual(['items-dev-ap-southeast-1', 'orders-dev-ap-southeast-1']);
    expect(diff.changed).toContain('items-dev-global');
    expect(diff.changed.every((name) => name.includes('-dev-'))).toBe(true);
  });

  it('sees no stack change when only the rollout or the owners change', () => {
    const after = example();
    after.environments.prod.rollout = { bakeMinutes: 30 };
    after.services.items.owners = ['@acme/items-team'];

    const diff = diffStackConfigs(parsePlatform(example()), parsePlatform(after));

    expect(diff).toEqual({ changed: [], added: [], removed: [] });
  });

  it('reports the stacks of a removed service as removed', () => {
    const after = example();
    delete after.services.orders;

    const diff = diffStackConfigs(parsePlatform(example()), parsePlatform(after));

    expect(diff.removed).toHaveLength(7);
    expect(diff.changed).toEqual([]);
  });

  it('sees no change when a default is spelled out', () => {
    const after = example();
    after.services.items.edgeCache = { enabled: true };

    expect(diffStackConfigs(parsePlatform(example()), parsePlatform(after))).toEqual({ changed: [], added: [], removed: [] });
  });

  it('counts every stack as added when there is no old config to compare with', () => {
    const after = parsePlatform(example());

    expect(diffStackConfigs(undefined, after).added).toHaveLength(after.stacks.length);
  });
});
