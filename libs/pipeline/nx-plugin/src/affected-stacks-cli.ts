// Prints the stacks a change affects (see affected-stacks.ts), or every stack.
//   node tools/run-ts.mjs libs/pipeline/nx-plugin/src/affected-stacks-cli.ts
//        (--base <ref> [--head <ref>] | --all) [--environment <env>] [--json]
// Without --json: the stack names, comma-separated (for `nx run-many -p`), empty when none.
// --json: { stacks, byEnvironment, removed, removedByEnvironment, reasons, files, environments: { <env>: { accountId, deployRoleName, regions } } }
import { UsageError, runCli } from '@platform/cli';
import { loadPlatform } from '@platform/config';
import { affectedStacks, allStacks } from './affected-stacks';
import { orphanNotice } from './orphans';

void runCli(
  {
    name: 'affected-stacks',
    command: 'node tools/run-ts.mjs libs/pipeline/nx-plugin/src/affected-stacks-cli.ts',
    summary:
      'Prints the stacks a change between two commits affects (or every stack with --all), comma-separated for nx run-many -p; --json adds the reasons, removed stacks and environments.',
    options: {
      base: { type: 'string', valueName: '<ref>', description: 'commit the change starts from' },
      head: { type: 'string', valueName: '<ref>', description: 'commit the change ends at (default: the work tree)' },
      all: { type: 'boolean', default: false, description: 'every stack of the platform, instead of --base' },
      environment: { type: 'string', valueName: '<env>', description: 'only the stacks of this environment' },
      json: { type: 'boolean', default: false, description: 'print JSON: stacks, byEnvironment, removed, reasons, files, environments' },
    },
  },
  ({ values }) => {
    if (!values.base === !values.all) throw new UsageError('give either --base <ref> or --all');
    const result = values.all
      ? allStacks(loadPlatform())
      : affectedStacks({ workspaceRoot: process.cwd(), base: values.base!, head: values.head });
    if (values.environment && !(values.environment in result.byEnvironment)) {
      throw new UsageError(`unknown environment "${values.environment}"; the platform has: ${Object.keys(result.byEnvironment).join(', ')}`);
    }
    for (const [environment, stacks] of Object.entries(result.removedByEnvironment)) console.error(`warning: ${orphanNotice(environment, stacks)}`);
    const stacks = values.environment ? result.byEnvironment[values.environment] : result.stacks;
    process.stdout.write(values.json ? `${JSON.stringify({ ...result, stacks })}\n` : `${stacks.join(',')}\n`);
  },
);
