// Splits the affected stacks (the JSON of affected-stacks-cli.ts) into a GitHub
// Actions job matrix of shards; the shard size comes from pipeline.shardSize.
//   node tools/run-ts.mjs libs/pipeline/nx-plugin/src/shards-cli.ts --affected affected.json [--shard-size <n>]
import { readFileSync } from 'node:fs';
import { integerOption, runCli, UsageError } from '@platform/cli';
import { DEFAULT_CONFIG_PATH, loadPlatform, UserError } from '@platform/config';
import { shardMatrix, shardStacks } from './shards';

void runCli(
  {
    name: 'shards',
    command: 'node tools/run-ts.mjs libs/pipeline/nx-plugin/src/shards-cli.ts',
    summary: 'Prints the GitHub Actions matrix that spreads the affected stacks of each environment over jobs of at most pipeline.shardSize stacks.',
    options: {
      affected: { type: 'string', valueName: '<file>', description: 'the --json output of affected-stacks-cli.ts (required)' },
      'shard-size': { type: 'string', valueName: '<n>', description: `stacks per shard (default: pipeline.shardSize of ${DEFAULT_CONFIG_PATH})` },
    },
  },
  ({ values }) => {
    if (!values.affected) throw new UsageError('--affected <file> is required');
    const platform = loadPlatform(DEFAULT_CONFIG_PATH);
    let affected: { byEnvironment?: Record<string, string[]> };
    try {
      affected = JSON.parse(readFileSync(values.affected, 'utf8'));
    } catch (err) {
      throw new UserError(`cannot read ${values.affected} as JSON: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!affected.byEnvironment) throw new UserError(`${values.affected} has no byEnvironment; give the --json output of affected-stacks-cli.ts`);
    const size = integerOption('shard-size', values['shard-size'], { min: 1, max: 1000 }) ?? platform.config.pipeline.shardSize;
    process.stdout.write(`${JSON.stringify(shardMatrix(shardStacks(platform, affected.byEnvironment, size)))}\n`);
  },
);
