import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogDestination } from '@cdktf/provider-aws/lib/cloudwatch-log-destination';
import { CloudwatchLogDestinationPolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-destination-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { OamLink } from '@cdktf/provider-aws/lib/oam-link';
import { OamSink } from '@cdktf/provider-aws/lib/oam-sink';
import { OamSinkPolicy } from '@cdktf/provider-aws/lib/oam-sink-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { accountRootArn, formatArn } from '@platform/config';
import type { AccountObservability } from './observability-plan';
import { policyDocument } from './policy';

/** What an environment account shares with the central monitoring account. */
export const SHARED_RESOURCE_TYPES = ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup', 'AWS::XRay::Trace'] as const;

/** Props of {@link ObservabilityBootstrap}. */
export interface ObservabilityBootstrapProps {
  readonly accountId: string;
  readonly plan: AccountObservability;
  /** Tags of every resource (through the providers' default tags). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * ARN of the central account's sink per region (its bootstrap outputs them); a
   * region without one gets no link yet. @default {}
   */
  readonly sinkArns?: Readonly<Record<string, string>>;
}

/**
 * The observability part of one account's bootstrap, in every region it needs:
 * encrypted alarm topics and their subscribers (an environment account), the OAM
 * sink and its policy (the central monitoring account), the OAM links to that sink
 * (an environment account, once the sink exists). Each region gets its own aliased
 * provider, since the bootstrap's default provider is in one region only.
 */
export class ObservabilityBootstrap extends Construct {
  readonly topics = new Map<string, SnsTopic>();
  readonly sinks = new Map<string, OamSink>();
  readonly links = new Map<string, OamLink>();
  readonly logDestinations = new Map<string, CloudwatchLogDestination>();

  constructor(scope: Construct, id: string, props: ObservabilityBootstrapProps) {
    super(scope, id);
    const { plan, accountId } = props;
    const providers = new Map(
      plan.regions.map((region) => [
        region,
        new AwsProvider(this, `aws-${region}`, {
          alias: `observability-${region}`,
          region,
          allowedAccountIds: [accountId],
          defaultTags: [{ tags: { ...props.tags } }],
        }),
      ]),
    );

    const keys = new Map<string, KmsKey>();
    for (const t of plan.alarmTopics) {
      const provider = providers.get(t.region)!;
      let key = keys.get(t.region);
      if (!key) {
        // CloudWatch can publish to an encrypted topic only with a customer managed key it may use.
        key = new KmsKey(this, `alarm-key-${t.region}`, {
          provider,
          description: `Alarm topics of ${accountId} in ${t.region}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: policyDocument([
            { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: accountRootArn(accountId) }, Action: 'kms:*', Resource: '*' },
            {
              Sid: 'CloudWatchPublishes',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
            },
          ]),
        });
        new KmsAlias(this, `alarm-key-alias-${t.region}`, { provider, name: 'alias/platform-alarms', targetKeyId: key.keyId });
        keys.set(t.region, key);
      }
      const idPart = `${t.environment}-${t.region}`;
      const topic = new SnsTopic(this, `alarm-topic-${idPart}`, { provider, name: t.topicName, kmsMasterKeyId: key.arn });
      new SnsTopicPolicy(this, `alarm-topic-policy-${idPart}`, {
        provider,
        arn: topic.arn,
        policy: policyDocument([
          {
            Sid: 'CloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topic.arn,
            Condition: {
              StringEquals: { 'aws:SourceAccount': accountId },
              ArnLike: { 'aws:SourceArn': formatArn({ service: 'cloudwatch', region: t.region, account: accountId, resource: 'alarm:*' }) },
            },
          },
        ]),
      });
      t.subscribers.forEach((s, i) => {
        new SnsTopicSubscription(this, `alarm-subscriber-${idPart}-${i}`, { provider, topicArn: topic.arn, protocol: s.protocol, endpoint: s.endpoint });
      });
      this.topics.set(idPart, topic);
    }

    if (plan.sink) {
      for (const region of plan.regions) {
        const provider = providers.get(region)!;
        const sink = new OamSink(this, `sink-${region}`, { provider, name: plan.sink.name });
        new OamSinkPolicy(this, `sink-policy-${region}`, {
          provider,
          sinkIdentifier: sink.arn,
          policy: policyDocument([
            {
              Sid: 'EnvironmentAccountsLink',
              Effect: 'Allow',
              Principal: { AWS: plan.sink.sourceAccountIds.map((a) => accountRootArn(a)) },
              Action: ['oam:CreateLink', 'oam:UpdateLink'],
              Resource: '*',
              Condition: { 'ForAllValues:StringEquals': { 'oam:ResourceTypes': [...SHARED_RESOURCE_TYPES] } },
            },
          ]),
        });
        new TerraformOutput(this, `monitoring_sink_arn_${region.replace(/-/g, '_')}`, { value: sink.arn });
        this.sinks.set(region, sink);
      }
    }

    if (plan.logDestination) this.addLogDestinations(plan.logDestination, accountId, providers);

    if (plan.link) {
      const pending: string[] = [];
      for (const region of plan.regions) {
        const sinkArn = props.sinkArns?.[region];
        if (!sinkArn) {
          pending.push(region);
          continue;
        }
        this.links.set(
          region,
          new OamLink(this, `link-${region}`, {
            provider: providers.get(region)!,
            sinkIdentifier: sinkArn,
            labelTemplate: '$AccountName',
            resourceTypes: [...SHARED_RESOURCE_TYPES],
          }),
        );
      }
      if (pending.length > 0) {
        // The sink's ARN carries an id AWS assigns: apply the central account's bootstrap first.
        new TerraformOutput(this, 'monitoring_links_pending', {
          value: pending,
          description: `Regions with no OAM link yet: put the sink ARNs the bootstrap of ${plan.link.monitoringAccountId} outputs into monitoringSinkArns of bootstrap.json`,
        });
      }
    }
  }
  /**
   * The central account's CloudWatch Logs destination in each region, which the
   * environment accounts' subscription filters copy their services' log events to: a
   * Kinesis data stream (on demand, encrypted, 7 days) behind it, for whatever the
   * central team reads it with (Firehose to S3, OpenSearch, a SIEM).
   */
  private addLogDestinations(
    destination: NonNullable<AccountObservability['logDestination']>,
    accountId: string,
    providers: ReadonlyMap<string, AwsProvider>,
  ): void {
    for (const region of destination.regions) {
      const provider = providers.get(region)!;
      const stream = new KinesisStream(this, `log-stream-${region}`, {
        provider,
        name: destination.name,
        streamModeDetails: { streamMode: 'ON_DEMAND' },
        retentionPeriod: 168,
        encryptionType: 'KMS',
        kmsKeyId: 'alias/aws/kinesis',
      });
      const role = new IamRole(this, `log-destination-role-${region}`, {
        provider,
        name: `${destination.name}-destination-${region}`,
        // CloudWatch Logs of this region assumes it, for log groups of the source accounts only.
        assumeRolePolicy: policyDocument([
          {
            Sid: 'CloudWatchLogsOfTheSourceAccounts',
            Effect: 'Allow',
            Principal: { Service: 'logs.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringLike: { 'aws:SourceArn': [...destination.sourceAccountIds, accountId].map((a) => formatArn({ service: 'logs', region, account: a, resource: '*' })) } },
          },
        ]),
      });
      new IamRolePolicy(this, `log-destination-role-policy-${region}`, {
        provider,
        role: role.name,
        name: 'put-records',
        policy: policyDocument([{ Sid: 'PutLogRecords', Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: stream.arn }]),
      });
      const logDestination = new CloudwatchLogDestination(this, `log-destination-${region}`, {
        provider,
        name: destination.name,
        roleArn: role.arn,
        targetArn: stream.arn,
      });
      new CloudwatchLogDestinationPolicy(this, `log-destination-policy-${region}`, {
        provider,
        destinationName: logDestination.name,
        accessPolicy: policyDocument([
          {
            Sid: 'EnvironmentAccountsSubscribe',
            Effect: 'Allow',
            Principal: { AWS: destination.sourceAccountIds.map((a) => accountRootArn(a)) },
            Action: 'logs:PutSubscriptionFilter',
            Resource: logDestination.arn,
          },
        ]),
      });
      this.logDestinations.set(region, logDestination);
    }
  }
}
