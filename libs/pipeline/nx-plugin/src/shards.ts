import type { Platform } from '@platform/config';

/** One CI job's share of an environment's affected stacks. */
export interface Shard {
  readonly environment: string;
  /** 1-based position among the environment's shards. */
  readonly index: number;
  /** How many shards the environment has. */
  readonly count: number;
  /** Stack names, in the platform's order (a global stack before its regional stacks). */
  readonly stacks: readonly string[];
}

/**
 * Splits the affected stacks of each environment into shards of at most `shardSize`
 * stacks, keeping the given order. A service's stacks of one environment are never
 * split (a group larger than `shardSize` is a shard of its own), so inside a shard Nx
 * still plans and deploys a global stack before its regional stacks (`^plan`,
 * `^deploy`), and no two shards touch the same global stack.
 */
export function shardStacks(platform: Platform, byEnvironment: Readonly<Record<string, readonly string[]>>, shardSize: number): Shard[] {
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new RangeError(`shardSize must be a positive integer, got ${shardSize}`);
  const serviceOf = new Map(platform.stacks.map((s) => [s.name, s.service]));
  const shards: Shard[] = [];
  for (const [environment, stacks] of Object.entries(byEnvironment)) {
    const groups: string[][] = [];
    for (const stack of stacks) {
      const service = serviceOf.get(stack);
      if (service === undefined) throw new Error(`stack ${stack} is not in the platform config`);
      const last = groups[groups.length - 1];
      if (last && serviceOf.get(last[0]) === service) last.push(stack);
      else groups.push([stack]);
    }
    const packed: string[][] = [];
    for (const group of groups) {
      const current = packed[packed.length - 1];
      if (current && current.length + group.length <= shardSize) current.push(...group);
      else packed.push([...group]);
    }
    packed.forEach((list, i) => shards.push({ environment, index: i + 1, count: packed.length, stacks: list }));
  }
  return shards;
}

/** A GitHub Actions matrix of shards: `{ include: [{ environment, shard, index, stacks }] }`, stacks comma-separated. */
export function shardMatrix(shards: readonly Shard[]): { include: { environment: string; shard: string; index: number; stacks: string }[] } {
  return { include: shards.map((s) => ({ environment: s.environment, shard: `${s.index}/${s.count}`, index: s.index, stacks: s.stacks.join(',') })) };
}
