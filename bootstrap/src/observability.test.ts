import { Testing } from 'cdktf';
import { parsePlatform } from '@platform/config';
import { BootstrapStack } from './bootstrap-stack';
import { planBootstrap } from './bootstrap-plan';
import { bootstrapSettingsSchema } from './settings';
import { bootstrapPlatformFixture } from './testing/platform-fixture';

type Json = Record<string, any>;
const MONITORING = '555555555555';

function platformWith(observability: Json) {
  const config: Json = bootstrapPlatformFixture();
  config.observability = observability;
  return parsePlatform(config, 'platform.json');
}

function synthAccount(stackName: string, observability: Json, settings: Json = {}): Json {
  const parsedSettings = bootstrapSettingsSchema.parse({ githubRepository: 'acme/platform', ...settings });
  const account = planBootstrap(platformWith(observability), parsedSettings).find((a) => a.stackName === stackName);
  if (!account) throw new Error(`no bootstrap stack ${stackName}`);
  const app = Testing.app();
  const stack = new BootstrapStack(app, {
    account,
    settings: parsedSettings,
    backend: { type: 'local', path: 'x.tfstate' },
    state: { bucketName: 'state', keyPrefix: 'platform' },
  });
  return JSON.parse(Testing.synth(stack)) as Json;
}
const all = (tf: Json, type: string): Json[] => Object.values(tf.resource?.[type] ?? {});
const regionOf = (tf: Json, provider: string) => tf.provider.aws.find((p: Json) => `aws.${p.alias}` === provider)?.region;

describe('alarm topics in the bootstrap of an environment account', () => {
  const tf = synthAccount('bootstrap-dev', { subscribers: [{ protocol: 'email', endpoint: 'oncall@example.com' }] });

  it('creates one topic per region of the environment and us-east-1, named by the contract', () => {
    const topics = all(tf, 'aws_sns_topic');

    expect(topics.map((t) => [t.name, regionOf(tf, t.provider)])).toEqual([
      ['platform-alarms-dev', 'eu-west-1'],
      ['platform-alarms-dev', 'us-east-1'],
    ]);
  });

  it('encrypts each topic with a customer managed key CloudWatch may use', () => {
    const key = all(tf, 'aws_kms_key')[0];
    const statements = JSON.parse(key.policy).Statement;

    expect(all(tf, 'aws_sns_topic')[0].kms_master_key_id).toMatch(/aws_kms_key\.observability_alarm-key-eu-west-1_\w+\.arn/);
    expect(statements.find((s: Json) => s.Sid === 'CloudWatchPublishes').Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
  });

  it('lets only this account’s CloudWatch alarms publish', () => {
    const policy = JSON.parse(all(tf, 'aws_sns_topic_policy')[0].policy).Statement[0];

    expect(policy.Condition.ArnLike['aws:SourceArn']).toBe('arn:aws:cloudwatch:eu-west-1:111111111111:alarm:*');
  });

  it('subscribes the configured subscribers in every region', () => {
    expect(all(tf, 'aws_sns_topic_subscription').map((s) => [s.protocol, s.endpoint, regionOf(tf, s.provider)])).toEqual([
      ['email', 'oncall@example.com', 'eu-west-1'],
      ['email', 'oncall@example.com', 'us-east-1'],
    ]);
  });
});

describe('the central monitoring account', () => {
  it('gets an OAM sink in every region the platform uses, which every environment account may link to', () => {
    const tf = synthAccount('bootstrap-monitoring', { accountId: MONITORING });
    const sinks = all(tf, 'aws_oam_sink');
    const policy = JSON.parse(all(tf, 'aws_oam_sink_policy')[0].policy).Statement[0];

    expect(sinks.map((s) => regionOf(tf, s.provider)).sort()).toEqual(['ap-southeast-1', 'eu-west-1', 'us-east-1']);
    expect(policy.Principal.AWS).toEqual(['111111111111', '222222222222', '333333333333'].map((a) => `arn:aws:iam::${a}:root`));
    expect(tf.provider.aws.every((p: Json) => p.allowed_account_ids[0] === MONITORING)).toBe(true);
  });

  it('gets a log destination in every environment region when logs are forwarded, each on an encrypted stream', () => {
    const tf = synthAccount('bootstrap-monitoring', { accountId: MONITORING, forwardLogs: {} });
    const destinations = all(tf, 'aws_cloudwatch_log_destination');
    const streams = all(tf, 'aws_kinesis_stream');

    expect(destinations.map((d) => [d.name, regionOf(tf, d.provider)]).sort()).toEqual([
      ['platform-logs', 'ap-southeast-1'],
      ['platform-logs', 'eu-west-1'],
      ['platform-logs', 'us-east-1'],
    ]);
    expect(streams.map((s) => [s.encryption_type, s.stream_mode_details.stream_mode])).toEqual(Array(3).fill(['KMS', 'ON_DEMAND']));
  });

  it('lets only the environment accounts subscribe to a log destination, and only their log groups use its role', () => {
    const tf = synthAccount('bootstrap-monitoring', { accountId: MONITORING, forwardLogs: {} });
    const access = JSON.parse(all(tf, 'aws_cloudwatch_log_destination_policy')[0].access_policy).Statement[0];
    const trust = JSON.parse(all(tf, 'aws_iam_role').find((r) => r.name === 'platform-logs-destination-eu-west-1')!.assume_role_policy).Statement[0];

    expect(access).toMatchObject({ Action: 'logs:PutSubscriptionFilter', Principal: { AWS: ['111111111111', '222222222222', '333333333333'].map((a) => `arn:aws:iam::${a}:root`) } });
    expect(trust.Condition.StringLike['aws:SourceArn']).toEqual([
      'arn:aws:logs:eu-west-1:111111111111:*',
      'arn:aws:logs:eu-west-1:222222222222:*',
      'arn:aws:logs:eu-west-1:333333333333:*',
      `arn:aws:logs:eu-west-1:${MONITORING}:*`,
    ]);
  });

  it('gets no log destination when logs are not forwarded', () => {
    expect(all(synthAccount('bootstrap-monitoring', { accountId: MONITORING }), 'aws_cloudwatch_log_destination')).toEqual([]);
  });

  it('has no bootstrap stack when the config names none', () => {
    const accounts = planBootstrap(platformWith({}), bootstrapSettingsSchema.parse({ githubRepository: 'acme/platform' }));

    expect(accounts.map((a) => a.stackName)).not.toContain('bootstrap-monitoring');
  });
});

describe('links from an environment account', () => {
  it('link metrics, logs and traces to the sink of each region whose ARN the settings give', () => {
    const sinkArn = `arn:aws:oam:eu-west-1:${MONITORING}:sink/abc-123`;
    const tf = synthAccount('bootstrap-dev', { accountId: MONITORING }, { monitoringSinkArns: { 'eu-west-1': sinkArn } });
    const links = all(tf, 'aws_oam_link');

    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ sink_identifier: sinkArn, resource_types: ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup', 'AWS::XRay::Trace'] });
    expect(regionOf(tf, links[0].provider)).toBe('eu-west-1');
    expect(Object.entries<any>(tf.output).find(([k]) => k.includes('monitoring_links_pending'))?.[1].value).toEqual(['us-east-1']);
  });
});
