import { ConfigError, parsePlatform } from '@platform/config';
import { platformFixture, withService } from '@platform/config/testing';
import { planRollout, promotionOrder, resolveRollout } from './plan';

function platform(mutate: (c: ReturnType<typeof platformFixture>) => void = () => undefined) {
  const config = platformFixture();
  mutate(config);
  return parsePlatform(config, 'test.json');
}

function problems(mutate: (c: ReturnType<typeof platformFixture>) => void): string[] {
  try {
    platform(mutate);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('config was accepted');
}

describe('the rollout plan', () => {
  it('deploys the global stacks, then the canary (the last region), then the other regions one at a time', () => {
    const plan = planRollout(platform(), 'prod');
    expect(plan.waves.map((w) => w.name)).toEqual(['global', 'canary ap-southeast-1', 'regions eu-west-1', 'regions us-east-1']);
    expect(plan.waves[0].stacks).toEqual(['items-prod-global', 'orders-prod-global']);
    expect(plan.waves[1].stacks).toEqual(['items-prod-ap-southeast-1', 'orders-prod-ap-southeast-1']);
  });

  it('bakes the canary 10 minutes in a later environment and 0 in the first of the promotion order', () => {
    expect(planRollout(platform(), 'prod').waves[1].bakeSeconds).toBe(600);
    expect(planRollout(platform(), 'dev').waves[1].bakeSeconds).toBe(0);
  });

  it('takes canary region, bake and regions at once from the environment’s rollout config', () => {
    const plan = planRollout(
      platform((c) => {
        c.environments.prod.rollout = { canaryRegion: 'us-east-1', bakeMinutes: 2.5, regionsAtOnce: 2 };
      }),
      'prod',
    );
    expect(plan.waves.map((w) => [w.name, w.bakeSeconds])).toEqual([
      ['global', 0],
      ['canary us-east-1', 150],
      ['regions eu-west-1, ap-southeast-1', 60],
    ]);
  });

  it('gates each regional wave on every service’s composite alarm and routing health check in its regions', () => {
    const canary = planRollout(platform(), 'dev').waves[1];
    expect(canary.gates).toEqual([
      { kind: 'alarm', service: 'items', region: 'us-east-1', name: 'items-dev-us-east-1-region-unhealthy' },
      { kind: 'health-check', service: 'items', region: 'us-east-1', name: 'items-dev-us-east-1-https' },
      { kind: 'alarm', service: 'orders', region: 'us-east-1', name: 'orders-dev-us-east-1-region-unhealthy' },
      { kind: 'health-check', service: 'orders', region: 'us-east-1', name: 'orders-dev-us-east-1-https' },
    ]);
  });

  it('says so when the only region is the primary and therefore the canary', () => {
    const plan = planRollout(
      platform((c) => {
        c.environments.dev.regions = ['eu-west-1'];
      }),
      'dev',
    );
    expect([plan.canaryRegion, plan.canaryIsPrimary]).toEqual(['eu-west-1', true]);
  });

  it('plans only the given stacks and leaves out waves without any', () => {
    const plan = planRollout(platform(), 'prod', ['items-prod-eu-west-1']);
    expect(plan.waves.map((w) => [w.name, w.stacks])).toEqual([['regions eu-west-1', ['items-prod-eu-west-1']]]);
  });

  it('rejects a stack of another environment in one line', () => {
    expect(() => planRollout(platform(), 'prod', ['items-dev-global'])).toThrow('stack "items-dev-global" is not a stack of environment "prod"');
  });

  it('rejects an unknown environment, naming the known ones', () => {
    expect(() => resolveRollout(platform(), 'qa')).toThrow('unknown environment "qa"; the platform has: dev, staging, prod');
  });

  it('promotes in the order the config lists its environments', () => {
    const config = platformFixture();
    const reordered = { ...config, environments: { prod: config.environments.prod, dev: config.environments.dev } };
    expect(promotionOrder(parsePlatform(withService(reordered, 'items', {}), 'x'))).toEqual(['prod', 'dev']);
  });
});

describe('rollout config errors', () => {
  it('rejects a canary region that is not one of the environment’s regions', () => {
    expect(
      problems((c) => {
        c.environments.dev.rollout = { canaryRegion: 'ap-southeast-1' };
      }),
    ).toEqual(['environments.dev.rollout.canaryRegion: canary region "ap-southeast-1" is not one of the environment\'s regions (eu-west-1, us-east-1)']);
  });

  it.each([
    [-1, 'bake must not be negative'],
    [301, 'bake must be at most 300 minutes'],
  ])('rejects a bake of %p minutes', (bakeMinutes, message) => {
    const found = problems((c) => {
      c.environments.prod.rollout = { bakeMinutes };
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
    expect(found[0]).toMatch(/^environments\.prod\.rollout\.bakeMinutes: /);
  });

  it('rejects regionsAtOnce below 1', () => {
    expect(
      problems((c) => {
        c.environments.prod.rollout = { regionsAtOnce: 0 };
      }),
    ).toEqual(['environments.prod.rollout.regionsAtOnce: regionsAtOnce must be at least 1 (got 0)']);
  });
});
