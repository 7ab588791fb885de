import { HealthCheckAlarm } from './health-check-alarm';
import { EdgeAlarms } from './edge-alarms';
import { RegionAlarms, type RegionAlarmsProps } from './region-alarms';
import { only, synth, testStack } from './test-helpers';

const regionAlarms = (stack: ReturnType<typeof testStack>, props: Partial<RegionAlarmsProps> = {}) =>
  new RegionAlarms(stack, 'alarms', {
    provider: stack.provider('eu-west-1'),
    region: 'eu-west-1',
    compositeAlarmName: 'svc-test-eu-west-1-region-unhealthy',
    alarmName: (m) => `svc-test-eu-west-1-${m}`,
    apiId: 'api123',
    functionName: 'svc-test',
    tableName: 'svc-test',
    ...props,
  });

describe('RegionAlarms', () => {
  it('rejects a period that is not a multiple of 60 seconds, naming the construct', () => {
    expect(() => regionAlarms(testStack(), { thresholds: { periodSeconds: 90 } })).toThrow('test-stack/alarms: periodSeconds must be a multiple of 60, got 90');
  });

  it('rejects a negative threshold', () => {
    expect(() => regionAlarms(testStack(), { thresholds: { lambdaErrors: -2 } })).toThrow('threshold lambdaErrors must not be negative, got -2');
  });

  it('computes the API 5xx rate from errors and requests of the stage', () => {
    const stack = testStack();
    regionAlarms(stack);
    const alarm = Object.values(synth(stack).resource.aws_cloudwatch_metric_alarm as Record<string, any>).find((a) => a.alarm_name.endsWith('api-5xx'));

    expect(alarm.metric_query.map((q: any) => q.metric?.metric_name ?? q.expression)).toEqual(['5xx', 'Count', 'IF(requests > 0, 100 * errors / requests, 0)']);
    expect(alarm.metric_query[0].metric.dimensions).toEqual({ ApiId: 'api123', Stage: '$default' });
  });

  it('watches the replication latency to every other replica with one Metrics Insights query that names no region', () => {
    const stack = testStack();
    regionAlarms(stack);
    const alarms = Object.values(synth(stack).resource.aws_cloudwatch_metric_alarm as Record<string, any>);
    const latency = alarms.filter((a) => a.alarm_name.includes('replication-latency'));

    expect(latency.map((a) => a.alarm_name)).toEqual(['svc-test-eu-west-1-replication-latency']);
    expect(latency[0].metric_query).toEqual([
      expect.objectContaining({
        expression: `SELECT MAX(ReplicationLatency) FROM SCHEMA("AWS/DynamoDB", ReceivingRegion, TableName) WHERE TableName = 'svc-test'`,
        period: 60,
        return_data: true,
      }),
    ]);
    expect(latency[0].treat_missing_data).toBe('ignore');
  });

  it('has no DynamoDB alarm for a service without a table', () => {
    const stack = testStack();
    regionAlarms(stack, { tableName: undefined });
    const names = Object.values(synth(stack).resource.aws_cloudwatch_metric_alarm as Record<string, any>).map((a) => a.alarm_name);

    expect(names.filter((n) => /dynamodb|replication/.test(n))).toEqual([]);
    expect(names.length).toBeGreaterThan(0);
  });
});

describe('edge metric alarms', () => {
  it('refuses a Route53 health-check alarm through a provider outside us-east-1', () => {
    const stack = testStack();

    expect(
      () => new HealthCheckAlarm(stack, 'hc', { provider: stack.provider('eu-west-1'), healthCheckId: 'abc', region: 'eu-west-1', alarmName: 'x', alarmActions: ['arn:aws:sns:us-east-1:123456789012:t'] }),
    ).toThrow('test-stack/hc: Route53 publishes its metrics only in us-east-1; an alarm through the provider of eu-west-1 would never fire');
  });

  it('refuses a Route53 health-check alarm without an action: it is in no composite, so nobody would hear it', () => {
    const stack = testStack();
    expect(() => new HealthCheckAlarm(stack, 'hc', { provider: stack.edgeProvider, healthCheckId: 'abc', region: 'eu-west-1', alarmName: 'x', alarmActions: [] })).toThrow(
      'test-stack/hc: alarmActions is empty: the health-check alarm is in no composite alarm, so without an action nobody learns that it fires',
    );
  });

  it('refuses a CloudFront alarm through a provider outside us-east-1', () => {
    const stack = testStack();

    expect(() => new EdgeAlarms(stack, 'edge', { provider: stack.provider('eu-west-1'), distributionId: 'E1', alarmName: 'x' })).toThrow(
      'CloudFront publishes its metrics only in us-east-1',
    );
  });

  it('declares a us-east-1 provider on first use in a stack without that region', () => {
    const stack = testStack(['eu-west-1']);
    new HealthCheckAlarm(stack, 'hc', { provider: stack.edgeProvider, healthCheckId: 'abc', region: 'eu-west-1', alarmName: 'x', alarmActions: ['arn:aws:sns:us-east-1:123456789012:t'] });
    const tf = synth(stack);

    expect(only(tf, 'aws_cloudwatch_metric_alarm').provider).toBe('aws.us-east-1');
    expect(tf.provider.aws.map((p: any) => p.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(stack.regions).toEqual(['eu-west-1']);
  });
});
