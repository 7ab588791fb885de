// The sharded plan of the pull-request workflow on the 50-service platform (550
// stacks), with the stand-in terraform: the affected stacks split into shards
// (pipeline.shardSize), each shard planned by `nx run-many -t plan -p <shard>` as one CI
// job would, then every shard's plan JSON merged into one plan review.
//   npm run bench:shards -- [--services 50] [--shard-size 100] [--parallel 4] [--shards <n>] [--target plan|deploy]
// With --target deploy each shard runs `nx run-many -t deploy` (plan, then apply of that
// plan file, per stack), as a deploy-wave.yml apply job does.
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UsageError, integerOption, runCli } from '@platform/cli';
import { parsePlatform } from '@platform/config';
import { findPlanFiles, reviewPlans } from '@platform/plan-review';
import { createTempWorkspace, generatedConfig } from '@platform/nx-plugin/testing';
import { allStacks, shardStacks } from '@platform/nx-plugin/tooling';
import { installStandIn } from '@platform/terraform-runner/testing';

async function main(services: number, shardSize: number, parallel: number, maxShards: number | undefined, target: 'plan' | 'deploy') {
  const config = generatedConfig(services);
  const platform = parsePlatform(config, 'config/platform.json');
  const shards = shardStacks(platform, allStacks(platform).byEnvironment, shardSize);
  const ws = createTempWorkspace({ config });
  const tf = installStandIn();
  try {
    console.log(`platform: ${services} services, ${platform.stacks.length} stacks -> ${shards.length} shards of at most ${shardSize} (${shards.map((s) => s.stacks.length).join(', ')})`);
    console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; nx --parallel=${parallel}; stand-in terraform`);
    // Synthesize once, as the checks job does; each shard job then only plans.
    const synth = ws.nx(['run', 'platform-stacks:synth'], tf.env());
    if (synth.code !== 0) throw new Error(synth.stderr || synth.stdout);
    const planned: number[] = [];
    let stacksPlanned = 0;
    for (const shard of shards.slice(0, maxShards ?? shards.length)) {
      const started = performance.now();
      const res = ws.nx(['run-many', '-t', target, '-p', shard.stacks.join(','), `--parallel=${parallel}`], tf.env());
      const ms = performance.now() - started;
      if (res.code !== 0) throw new Error(`shard ${shard.environment} ${shard.index}/${shard.count} failed:\n${(res.stderr || res.stdout).slice(-2000)}`);
      planned.push(ms);
      stacksPlanned += shard.stacks.length;
      console.log(`shard ${shard.environment} ${shard.index}/${shard.count}: ${shard.stacks.length} stacks in ${(ms / 1000).toFixed(1)} s (${(ms / shard.stacks.length).toFixed(0)} ms per stack)`);
    }
    const started = performance.now();
    const review = reviewPlans(findPlanFiles(join(ws.root, 'dist', 'terraform')));
    const reviewMs = performance.now() - started;
    const total = planned.reduce((a, b) => a + b, 0);
    console.log(`${target === 'plan' ? 'planned' : 'deployed (plan + apply)'} ${stacksPlanned} stacks in ${(total / 1000).toFixed(1)} s of shard time: ${(total / stacksPlanned).toFixed(0)} ms per stack (nx + runner + stand-in, at --parallel=${parallel})`);
    console.log(`merged review: ${review.summaries.length} stack plans in one comment of ${review.markdown.length} characters, in ${(reviewMs / 1000).toFixed(2)} s`);
  } finally {
    ws.remove();
  }
}

void runCli(
  {
    name: 'bench:shards',
    command: 'npm run bench:shards --',
    summary: 'Plans the 550-stack platform shard by shard with the stand-in terraform and merges the plans into one review; prints the time per shard and per stack.',
    options: {
      services: { type: 'string', default: '50', valueName: '<n>', description: 'services of the generated platform (default: 50)' },
      'shard-size': { type: 'string', default: '100', valueName: '<n>', description: 'stacks per shard (default: 100)' },
      parallel: { type: 'string', default: '4', valueName: '<n>', description: 'nx --parallel inside a shard (default: 4)' },
      shards: { type: 'string', valueName: '<n>', description: 'plan only the first n shards (default: all)' },
      target: { type: 'string', default: 'plan', valueName: '<plan|deploy>', description: 'plan (the PR and review jobs) or deploy (plan + apply, the apply jobs); default: plan' },
    },
  },
  ({ values }) => {
    if (values.target !== 'plan' && values.target !== 'deploy') throw new UsageError(`--target must be plan or deploy, got "${values.target}"`);
    return main(
      integerOption('services', values.services, { min: 1, max: 99 })!,
      integerOption('shard-size', values['shard-size'], { min: 1, max: 1000 })!,
      integerOption('parallel', values.parallel, { min: 1, max: 32 })!,
      integerOption('shards', values.shards, { min: 1 }),
      values.target,
    );
  },
);
