import { parsePlatform } from '@platform/config';
import { generatedConfig } from './testing/generated-platform';
import { allStacks } from './affected-stacks';
import { shardMatrix, shardStacks } from './shards';

// The 50-service benchmark platform: 550 stacks.
const platform = parsePlatform(generatedConfig(50), 'config/platform.json');
const everything = allStacks(platform);

describe('shardStacks on the 550-stack platform', () => {
  const shards = shardStacks(platform, everything.byEnvironment, 100);

  it('has 550 stacks to shard', () => {
    expect(platform.stacks).toHaveLength(550);
  });

  it('covers every affected stack exactly once, in the original order per environment', () => {
    for (const [env, stacks] of Object.entries(everything.byEnvironment)) {
      expect(shards.filter((s) => s.environment === env).flatMap((s) => s.stacks)).toEqual(stacks);
    }
  });

  it('keeps every shard within the shard size', () => {
    expect(Math.max(...shards.map((s) => s.stacks.length))).toBeLessThanOrEqual(100);
    expect(shards.length).toBeGreaterThanOrEqual(Math.ceil(550 / 100));
  });

  it('keeps each regional stack in the shard of its global stack, after it', () => {
    for (const stack of platform.stacks.filter((s) => s.globalStack)) {
      const shard = shards.find((s) => s.stacks.includes(stack.name))!;
      expect([stack.name, shard.stacks.indexOf(stack.globalStack!) >= 0 && shard.stacks.indexOf(stack.globalStack!) < shard.stacks.indexOf(stack.name)]).toEqual([stack.name, true]);
    }
  });

  it('numbers the shards of each environment 1..n', () => {
    const prod = shards.filter((s) => s.environment === 'prod');
    expect(prod.map((s) => s.index)).toEqual(prod.map((_, i) => i + 1));
    expect(prod.every((s) => s.count === prod.length)).toBe(true);
  });

  it('keeps a service group whole even when it is larger than the shard size', () => {
    const small = shardStacks(platform, { prod: everything.byEnvironment.prod.slice(0, 8) }, 3);
    expect(small.map((s) => s.stacks.length)).toEqual([4, 4]);
  });

  it('renders a GitHub matrix with the stacks comma-separated', () => {
    const matrix = shardMatrix(shards);
    expect(matrix.include[0]).toMatchObject({ environment: 'dev', shard: `1/${shards.filter((s) => s.environment === 'dev').length}`, index: 1 });
    expect(matrix.include[0].stacks.split(',')).toEqual(shards[0].stacks);
  });
});
