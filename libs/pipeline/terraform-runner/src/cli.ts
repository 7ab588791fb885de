// The command behind each stack project's plan / deploy / destroy / drift target.
//   node tools/run-ts.mjs libs/pipeline/terraform-runner/src/cli.ts <plan|deploy|destroy|drift>
//        --stack <name> --workdir <cdktf.out/stacks/name> --plan-dir <dist/terraform/name>
//        [--after <plan dir of a stack this one reads>]... [--environment <env>]   (destroy)
// Terraform is $TERRAFORM_BIN, else `terraform` from PATH.
import { UsageError, runCli } from '@platform/cli';
import { deploy, destroy, drift, plan } from './runner';

const COMMANDS = ['plan', 'deploy', 'destroy', 'drift'];

void runCli(
  {
    name: 'terraform-runner',
    command: 'node tools/run-ts.mjs libs/pipeline/terraform-runner/src/cli.ts',
    summary:
      "Runs Terraform for one synthesized stack: plan (saved plan and its JSON), deploy (applies the saved plan once the stacks it reads are applied), destroy, drift. Terraform is $TERRAFORM_BIN, else terraform from PATH.",
    positionals: '<plan|deploy|destroy|drift>',
    options: {
      stack: { type: 'string', valueName: '<name>', description: 'stack name (required)' },
      workdir: { type: 'string', valueName: '<dir>', description: 'its synthesized folder, e.g. cdktf.out/stacks/<name> (required)' },
      'plan-dir': { type: 'string', valueName: '<dir>', description: 'where its plan and apply record go, e.g. dist/terraform/<name> (required)' },
      after: { type: 'string', multiple: true, valueName: '<dir>', description: 'deploy: plan folder of a stack this one reads; it must be applied first' },
      environment: { type: 'string', valueName: '<env>', description: 'destroy: the environment the stack belongs to (required for destroy)' },
    },
  },
  async ({ values, positionals }) => {
    const [command, ...extra] = positionals;
    if (!command || !COMMANDS.includes(command)) throw new UsageError(command ? `unknown command "${command}": use one of ${COMMANDS.join(', ')}` : `name a command: ${COMMANDS.join(', ')}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    const { stack, workdir } = values;
    const planDir = values['plan-dir'];
    const missing = [!stack && '--stack', !workdir && '--workdir', !planDir && '--plan-dir'].filter(Boolean);
    if (missing.length > 0 || !stack || !workdir || !planDir) throw new UsageError(`${command} needs ${missing.join(', ')}`);
    const base = { stack, workdir, planDir };
    switch (command) {
      case 'plan':
        await plan(base);
        break;
      case 'deploy':
        await deploy({ ...base, after: values.after ?? [] });
        break;
      case 'destroy':
        if (!values.environment) throw new UsageError('destroy needs --environment');
        await destroy({ ...base, environment: values.environment });
        break;
      case 'drift':
        await drift(base);
        break;
    }
  },
);
