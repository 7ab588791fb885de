// Prints the stacks a change affects (see affected-stacks.ts), or every stack.
//   node --import tsx libs/pipeline/nx-plugin/src/affected-stacks-cli.ts
//        (--base <ref> [--head <ref>] | --all) [--environment <env>] [--json]
// Without --json: the stack names, comma-separated (for `nx run-many -p`), empty when none.
// --json: { stacks, byEnvironment, removed, reasons, files, environments: { <env>: { accountId, deployRoleName, regions } } }
import { parseArgs } from 'node:util';
import { ConfigError, loadPlatform } from '@platform/config';
import { affectedStacks, allStacks } from './affected-stacks';

const USAGE = 'usage: affected-stacks-cli (--base <ref> [--head <ref>] | --all) [--environment <env>] [--json]';

function main(): number {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      head: { type: 'string' },
      all: { type: 'boolean', default: false },
      environment: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.base === !values.all) {
    console.error(USAGE);
    return 2;
  }
  const result = values.all
    ? allStacks(loadPlatform())
    : affectedStacks({ workspaceRoot: process.cwd(), base: values.base!, head: values.head });
  if (values.environment && !(values.environment in result.byEnvironment)) {
    console.error(`unknown environment "${values.environment}"; the platform has: ${Object.keys(result.byEnvironment).join(', ')}`);
    return 2;
  }
  for (const name of result.removed) {
    console.error(`warning: stack ${name} is no longer in the config; nothing destroys it (see docs/pipelines.md)`);
  }
  const stacks = values.environment ? result.byEnvironment[values.environment] : result.stacks;
  process.stdout.write(values.json ? `${JSON.stringify({ ...result, stacks })}\n` : `${stacks.join(',')}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = 1;
}
