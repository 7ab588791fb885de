// services.<name>.table.enabled = false (what the generator writes for --data=aurora and
// --data=none): no table and nothing that only a table needs.
import { baseConfig, resourcesOf, synthConfig } from './test-workspace';

describe('a service without a table', () => {
  const config = baseConfig();
  config.services.items.table = { enabled: false };
  const out = synthConfig(config);

  it('builds no DynamoDB table, no data key and no table outputs in its global stack', () => {
    const tf = out.stack('items-prod-global');

    expect(Object.keys(tf.resource).filter((type) => type.startsWith('aws_dynamodb'))).toEqual([]);
    expect(resourcesOf(tf, 'aws_kms_alias').map((a) => a.name)).not.toContain('alias/items-prod-data');
    expect(Object.keys(tf.output ?? {}).filter((o) => o.startsWith('table_'))).toEqual([]);
  });

  it('gives its functions no TABLE_NAME, no table permission and no DynamoDB alarm', () => {
    const tf = out.stack('items-prod-eu-west-1');
    const fn = resourcesOf(tf, 'aws_lambda_function')[0];
    const policies = resourcesOf(tf, 'aws_iam_role_policy').map((p) => p.policy as string);

    expect(fn.environment.variables.TABLE_NAME).toBeUndefined();
    expect(policies.join('\n')).not.toContain('dynamodb:');
    expect(resourcesOf(tf, 'aws_cloudwatch_metric_alarm').map((a) => a.alarm_name).filter((n: string) => /dynamodb|replication/.test(n))).toEqual([]);
  });
});
