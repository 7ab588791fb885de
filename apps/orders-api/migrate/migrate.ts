// npx nx run orders-api:migrate -- --host <writer> [--port 5432] [--database app] [--user orders] [--iam --region <r>]
// The deploy-time step that applies the orders schema's migrations (node-pg-migrate) to
// the writer, before the regional stacks deploy the code that needs them. Never run by
// the Lambda at cold start. The password comes from PGPASSWORD, or with --iam an RDS
// IAM authentication token is made for the user (the pipeline's deploy role needs
// rds-db:connect as that user).
import { Signer } from '@aws-sdk/rds-signer';
import { UsageError, integerOption, runCli } from '@platform/cli';
import { runMigrations } from '@orders/data-access';

void runCli(
  {
    name: 'orders-migrate',
    command: 'npx nx run orders-api:migrate --',
    summary: "Applies the orders schema's migrations to the primary region's writer (deploy time, before the regional deploy).",
    options: {
      host: { type: 'string', valueName: '<host>', description: 'the writer endpoint (global writer endpoint in AWS)' },
      port: { type: 'string', valueName: '<port>', description: 'default: 5432' },
      database: { type: 'string', valueName: '<name>', description: 'default: app (services.<name>.aurora.databaseName)' },
      user: { type: 'string', valueName: '<user>', description: 'default: orders' },
      iam: { type: 'boolean', description: 'authenticate with an RDS IAM token instead of PGPASSWORD' },
      region: { type: 'string', valueName: '<region>', description: 'with --iam: the writer\'s region' },
      down: { type: 'boolean', description: 'undo the last migration instead' },
    },
  },
  async ({ values }) => {
    if (!values.host) throw new UsageError('--host is required: the writer endpoint of the environment (the global stack output aurora_writer_endpoint)');
    const port = integerOption('port', values.port, { min: 1, max: 65535 }) ?? 5432;
    const user = values.user ?? 'orders';
    let password = process.env.PGPASSWORD;
    if (values.iam) {
      if (!values.region) throw new UsageError('--iam needs --region (the writer\'s region)');
      password = await new Signer({ hostname: values.host, port, username: user, region: values.region }).getAuthToken();
    }
    if (!password) throw new UsageError('no password: set PGPASSWORD, or pass --iam --region <region>');
    const output = await runMigrations({ host: values.host, port, database: values.database ?? 'app', user, password, ssl: Boolean(values.iam), direction: values.down ? 'down' : 'up' });
    console.log(output);
  },
);
