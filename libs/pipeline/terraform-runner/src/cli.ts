// The command behind each stack project's plan / deploy / destroy / drift target.
//   node --import tsx libs/pipeline/terraform-runner/src/cli.ts <plan|deploy|destroy|drift>
//        --stack <name> --workdir <cdktf.out/stacks/name> --plan-dir <dist/terraform/name>
//        [--after <plan dir of a stack this one reads>]... [--environment <env>]   (destroy)
// Terraform is $TERRAFORM_BIN, else `terraform` from PATH.
import { parseArgs } from 'node:util';
import { RunnerError, deploy, destroy, drift, plan } from './runner';
import { TerraformError } from './terraform';

const USAGE =
  'usage: cli.ts <plan|deploy|destroy|drift> --stack <name> --workdir <dir> --plan-dir <dir> [--after <dir>]... [--environment <env>]';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stack: { type: 'string' },
      workdir: { type: 'string' },
      'plan-dir': { type: 'string' },
      after: { type: 'string', multiple: true },
      environment: { type: 'string' },
    },
  });
  const [command] = positionals;
  const { stack, workdir } = values;
  const planDir = values['plan-dir'];
  if (!command || !stack || !workdir || !planDir) {
    console.error(USAGE);
    return 2;
  }
  const base = { stack, workdir, planDir };
  switch (command) {
    case 'plan':
      await plan(base);
      return 0;
    case 'deploy':
      await deploy({ ...base, after: values.after ?? [] });
      return 0;
    case 'destroy':
      if (!values.environment) {
        console.error(`destroy needs --environment\n${USAGE}`);
        return 2;
      }
      await destroy({ ...base, environment: values.environment });
      return 0;
    case 'drift':
      await drift(base);
      return 0;
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const known = err instanceof RunnerError || err instanceof TerraformError;
    console.error(known ? `error: ${(err as Error).message}` : err);
    process.exitCode = err instanceof TerraformError && err.exitCode ? err.exitCode : 1;
  },
);
