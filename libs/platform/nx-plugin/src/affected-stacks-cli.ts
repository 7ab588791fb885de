// Prints the stacks a change affects (see affected-stacks.ts).
//   node --import tsx libs/platform/nx-plugin/src/affected-stacks-cli.ts --base <ref> [--head <ref>]
//        [--environment <env>] [--json]
// Without --json: the stack names, comma-separated (for `nx run-many -p`), empty when none.
import { parseArgs } from 'node:util';
import { ConfigError } from '@platform/config';
import { affectedStacks } from './affected-stacks';

function main(): number {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      head: { type: 'string' },
      environment: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.base) {
    console.error('usage: affected-stacks-cli --base <ref> [--head <ref>] [--environment <env>] [--json]');
    return 2;
  }
  const result = affectedStacks({ workspaceRoot: process.cwd(), base: values.base, head: values.head });
  if (values.environment && !(values.environment in result.byEnvironment)) {
    console.error(`unknown environment "${values.environment}"; the platform has: ${Object.keys(result.byEnvironment).join(', ')}`);
    return 2;
  }
  for (const name of result.removed) {
    console.error(`warning: stack ${name} is no longer in the config; nothing destroys it (see docs/pipelines.md)`);
  }
  const stacks = values.environment ? result.byEnvironment[values.environment] : result.stacks;
  process.stdout.write(values.json ? `${JSON.stringify({ ...result, stacks }, null, 2)}\n` : `${stacks.join(',')}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = 1;
}
