import { Construct } from 'constructs';
import { CloudwatchCompositeAlarm } from '@cdktf/provider-aws/lib/cloudwatch-composite-alarm';
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ConstructPropsError, isKnown } from './validation';

/** Lambda's default concurrency limit per account and region, what an unreserved function competes for. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

/** Thresholds of {@link RegionAlarms}; units are in the names. */
export interface RegionAlarmThresholds {
  /** @default 60 */
  readonly periodSeconds?: number;
  /** @default 5 */
  readonly evaluationPeriods?: number;
  /** @default 3 */
  readonly datapointsToAlarm?: number;
  /** @default 5 */
  readonly api5xxPercent?: number;
  /** @default 2000 */
  readonly apiP99LatencyMs?: number;
  /** @default 5 */
  readonly lambdaErrors?: number;
  /** @default 1 */
  readonly lambdaThrottles?: number;
  /** @default 80 */
  readonly concurrencyPercent?: number;
  /** @default 1 */
  readonly dynamodbThrottledRequests?: number;
  /** @default 60000 */
  readonly replicationLatencyMs?: number;
  /** @default 5000 */
  readonly auroraReplicationLagMs?: number;
  /** @default 5 */
  readonly cacheReplicationLagSeconds?: number;
}

/** Props of {@link RegionAlarms}. */
export interface RegionAlarmsProps {
  /** Provider of the region the service runs in; alarms live beside their metrics. */
  readonly provider: AwsProvider;
  readonly region: string;
  /** Name of the composite "region unhealthy" alarm. */
  readonly compositeAlarmName: string;
  /** Name of one of the alarms the composite is built from (`metric` is e.g. `api-5xx`). */
  readonly alarmName: (metric: string) => string;
  /** The HTTP API and its stage. */
  readonly apiId: string;
  /** @default "$default" */
  readonly stageName?: string;
  readonly functionName: string;
  /** What the concurrency alarm compares with. @default - the account's default limit, 1000 */
  readonly reservedConcurrency?: number;
  /** The global table (this region's replica has the same name). @default - no table: no DynamoDB alarms */
  readonly tableName?: string;
  /** This region's Aurora cluster, when it is a secondary (only secondaries report replication lag). @default - none */
  readonly auroraSecondaryClusterIdentifier?: string;
  /**
   * The member clusters of this region's ElastiCache replication group, when it is a
   * global datastore secondary (`CacheGlobalDatastore.memberClusterIds`). @default - none
   */
  readonly cacheSecondaryMemberClusterIds?: readonly string[];
  /** @default - the defaults of {@link RegionAlarmThresholds} */
  readonly thresholds?: RegionAlarmThresholds;
  /** Where the composite alarm notifies (the environment's alarm topic). @default - nowhere */
  readonly alarmActions?: readonly string[];
}

type Alarm = Omit<CloudwatchMetricAlarmConfig, 'provider' | 'alarmName' | 'evaluationPeriods' | 'alarmActions'>;

/** One row of the alarm table: the metric key (construct id, alarm name suffix), what it says, the alarm. */
interface AlarmDefinition {
  readonly key: string;
  readonly description: string;
  readonly alarm: Alarm;
}

/** The thresholds with their defaults, after validation. */
interface AlarmSettings {
  readonly thresholds: RegionAlarmThresholds;
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/**
 * The alarms of one service in one region and the composite alarm "region unhealthy"
 * built from them: API 5xx rate and p99 latency, Lambda errors, throttles and
 * concurrency, DynamoDB throttles and the highest replication latency to any other
 * replica, and the replication lag of Aurora and ElastiCache secondaries. Nothing here
 * names another region, so adding or removing one leaves this region's alarms as they are. Only the composite
 * notifies, so one incident pages once; a rollout gate reads the composite too.
 *
 * `treat_missing_data` is chosen per alarm: counts and rates of requests are
 * `notBreaching` (no traffic is no error), replication latency is `ignore` (DynamoDB
 * emits it only while it replicates writes), Aurora replication lag of a secondary
 * cluster is `breaching` (a healthy secondary always reports it; silence means it is
 * gone), the cache's is `notBreaching` (see the alarm).
 */
export class RegionAlarms extends Construct {
  /** The metric alarms by their metric key (`api-5xx`, `replication-latency`, ...). */
  readonly alarms = new Map<string, CloudwatchMetricAlarm>();
  readonly compositeAlarm: CloudwatchCompositeAlarm;

  constructor(scope: Construct, id: string, props: RegionAlarmsProps) {
    super(scope, id);
    const settings = validatedSettings(this, props);
    for (const definition of alarmDefinitions(props, settings)) this.addAlarm(props, settings, definition);
    this.compositeAlarm = new CloudwatchCompositeAlarm(this, 'region-unhealthy', {
      provider: props.provider,
      alarmName: props.compositeAlarmName,
      alarmDescription: `Region ${props.region} is unhealthy for ${props.functionName}: one of its alarms fires. Rollout gates and on-call read this alarm.`,
      alarmRule: [...this.alarms.values()].map((a) => `ALARM("${a.alarmName}")`).join(' OR '),
      actionsEnabled: true,
      alarmActions: [...(props.alarmActions ?? [])],
      okActions: [...(props.alarmActions ?? [])],
    });
  }

  private addAlarm(props: RegionAlarmsProps, settings: AlarmSettings, { key, description, alarm }: AlarmDefinition): void {
    this.alarms.set(
      key,
      new CloudwatchMetricAlarm(this, key, {
        provider: props.provider,
        alarmName: props.alarmName(key),
        alarmDescription: `${description} (${props.region})`,
        evaluationPeriods: settings.evaluationPeriods,
        datapointsToAlarm: settings.datapointsToAlarm,
        ...alarm,
      }),
    );
  }

  /** The composite alarm's name, what a rollout gate or a page reads. */
  get compositeAlarmName(): string {
    return this.compositeAlarm.alarmName;
  }
}

/** The thresholds and periods with their defaults; refuses what CloudWatch would. */
function validatedSettings(scope: Construct, props: RegionAlarmsProps): AlarmSettings {
  const t = props.thresholds ?? {};
  const period = t.periodSeconds ?? 60;
  const evaluationPeriods = t.evaluationPeriods ?? 5;
  const datapointsToAlarm = t.datapointsToAlarm ?? 3;
  if (period < 60 || period % 60 !== 0) throw new ConstructPropsError(scope, `periodSeconds must be a multiple of 60, got ${period}`);
  if (datapointsToAlarm > evaluationPeriods) {
    throw new ConstructPropsError(scope, `datapointsToAlarm (${datapointsToAlarm}) must not exceed evaluationPeriods (${evaluationPeriods})`);
  }
  for (const [key, value] of Object.entries(t)) {
    if (typeof value === 'number' && value < 0) throw new ConstructPropsError(scope, `threshold ${key} must not be negative, got ${value}`);
  }
  for (const key of ['api5xxPercent', 'concurrencyPercent'] as const) {
    const value = t[key];
    if (value !== undefined && value > 100) throw new ConstructPropsError(scope, `${key} is a percentage; got ${value}`);
  }
  if (props.reservedConcurrency !== undefined && isKnown(props.reservedConcurrency) && props.reservedConcurrency < 1) {
    throw new ConstructPropsError(scope, `reservedConcurrency must be at least 1, got ${props.reservedConcurrency}`);
  }
  return { thresholds: t, period, evaluationPeriods, datapointsToAlarm };
}

/** The metric alarms of one region, in the order they are created, as a table. */
function alarmDefinitions(props: RegionAlarmsProps, { thresholds: t, period }: AlarmSettings): AlarmDefinition[] {
  const api = { ApiId: props.apiId, Stage: props.stageName ?? '$default' };
  const fn = { FunctionName: props.functionName };
  const metric = (namespace: string, metricName: string, dimensions: Record<string, string>, stat = 'Sum') => ({
    metric: { namespace, metricName, dimensions, period, stat },
  });
  const limit = props.reservedConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
  const concurrencyPercent = t.concurrencyPercent ?? 80;
  const table = props.tableName === undefined ? undefined : { TableName: props.tableName };
  const members = props.cacheSecondaryMemberClusterIds ?? [];
  const definitions: (AlarmDefinition | false)[] = [
    {
      key: 'api-5xx',
      description: `API 5xx responses above ${t.api5xxPercent ?? 5} % of requests`,
      alarm: {
        comparisonOperator: 'GreaterThanThreshold',
        threshold: t.api5xxPercent ?? 5,
        treatMissingData: 'notBreaching',
        metricQuery: [
          { id: 'errors', returnData: false, ...metric('AWS/ApiGateway', '5xx', api) },
          { id: 'requests', returnData: false, ...metric('AWS/ApiGateway', 'Count', api) },
          { id: 'rate', returnData: true, label: '5xx %', expression: 'IF(requests > 0, 100 * errors / requests, 0)' },
        ],
      },
    },
    {
      key: 'api-p99-latency',
      description: `API p99 latency above ${t.apiP99LatencyMs ?? 2000} ms`,
      alarm: {
        namespace: 'AWS/ApiGateway',
        metricName: 'Latency',
        dimensions: api,
        extendedStatistic: 'p99',
        period,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: t.apiP99LatencyMs ?? 2000,
        treatMissingData: 'notBreaching',
      },
    },
    {
      key: 'function-errors',
      description: `Lambda errors above ${t.lambdaErrors ?? 5} per ${period} s`,
      alarm: {
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: fn,
        statistic: 'Sum',
        period,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: t.lambdaErrors ?? 5,
        treatMissingData: 'notBreaching',
      },
    },
    {
      key: 'function-throttles',
      description: `Lambda throttles at or above ${t.lambdaThrottles ?? 1} per ${period} s`,
      alarm: {
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        dimensions: fn,
        statistic: 'Sum',
        period,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: t.lambdaThrottles ?? 1,
        treatMissingData: 'notBreaching',
      },
    },
    {
      key: 'function-concurrency',
      description: `Lambda concurrent executions above ${concurrencyPercent} % of ${limit}`,
      alarm: {
        namespace: 'AWS/Lambda',
        metricName: 'ConcurrentExecutions',
        dimensions: fn,
        statistic: 'Maximum',
        period,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: Math.floor((limit * concurrencyPercent) / 100),
        treatMissingData: 'notBreaching',
      },
    },
    !!table && {
      key: 'dynamodb-throttles',
      description: `DynamoDB throttled requests at or above ${t.dynamodbThrottledRequests ?? 1} per ${period} s`,
      alarm: {
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: t.dynamodbThrottledRequests ?? 1,
        treatMissingData: 'notBreaching',
        metricQuery: [
          { id: 'reads', returnData: false, ...metric('AWS/DynamoDB', 'ReadThrottleEvents', table) },
          { id: 'writes', returnData: false, ...metric('AWS/DynamoDB', 'WriteThrottleEvents', table) },
          { id: 'throttled', returnData: true, label: 'throttled requests', expression: 'FILL(reads, 0) + FILL(writes, 0)' },
        ],
      },
    },
    // DynamoDB emits ReplicationLatency per (this region, ReceivingRegion) pair
    // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html).
    // One Metrics Insights query takes the highest over every receiving region, whichever
    // exist, so the alarm lists no region and adding a replica changes nothing here
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html;
    // quota: 200 such alarms per account and region by default,
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html).
    !!table && {
      key: 'replication-latency',
      description: `DynamoDB replication latency from ${props.region} to any other replica above ${t.replicationLatencyMs ?? 60_000} ms`,
      alarm: {
        comparisonOperator: 'GreaterThanThreshold',
        threshold: t.replicationLatencyMs ?? 60_000,
        treatMissingData: 'ignore',
        metricQuery: [
          {
            id: 'latency',
            returnData: true,
            period,
            label: 'highest replication latency (ms)',
            expression: `SELECT MAX(ReplicationLatency) FROM SCHEMA("AWS/DynamoDB", ReceivingRegion, TableName) WHERE TableName = '${props.tableName}'`,
          },
        ],
      },
    },
    !!props.auroraSecondaryClusterIdentifier && {
      key: 'aurora-replication-lag',
      description: `Aurora global database replication lag above ${t.auroraReplicationLagMs ?? 5000} ms`,
      alarm: {
        namespace: 'AWS/RDS',
        metricName: 'AuroraGlobalDBReplicationLag',
        dimensions: { DBClusterIdentifier: props.auroraSecondaryClusterIdentifier },
        statistic: 'Average',
        period,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: t.auroraReplicationLagMs ?? 5000,
        treatMissingData: 'breaching',
      },
    },
    // GlobalDatastoreReplicationLag is a node metric: dimension CacheClusterId, never
    // ReplicationGroupId (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html;
    // aws-cdk-lib's ElastiCacheMetrics, generated from CloudWatch's metric catalogue, lists
    // {CacheClusterId} and {CacheClusterId, CacheNodeId} only). The secondary's primary
    // node reports it, and which member that is changes with a failover inside the
    // region, so the alarm takes the largest value of every member
    // (MAX of an array of series: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
    // Missing data is notBreaching: only a secondary reports the metric, so a region
    // that became the primary after a switchover falls silent, and an alarm breaching
    // on silence would hold the composite, and every rollout gate, in ALARM; the cache
    // is never needed for correctness (a cache outage sends reads to the database).
    members.length > 0 && {
      key: 'cache-replication-lag',
      description: `ElastiCache global datastore replication lag above ${t.cacheReplicationLagSeconds ?? 5} s`,
      alarm: {
        comparisonOperator: 'GreaterThanThreshold',
        threshold: t.cacheReplicationLagSeconds ?? 5,
        treatMissingData: 'notBreaching',
        metricQuery: [
          ...members.map((member, i) => ({
            id: `node${i + 1}`,
            returnData: false,
            ...metric('AWS/ElastiCache', 'GlobalDatastoreReplicationLag', { CacheClusterId: member }, 'Maximum'),
          })),
          { id: 'lag', returnData: true, label: 'replication lag (s)', expression: `MAX([${members.map((_, i) => `node${i + 1}`).join(', ')}])` },
        ],
      },
    },
  ];
  return definitions.filter((d): d is AlarmDefinition => d !== false);
}
