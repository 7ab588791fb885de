import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { requireDistinctRegions } from './validation';

/** One region's row of a {@link ServiceDashboard}. */
export interface DashboardRegion {
  readonly region: string;
  /** The region's composite "region unhealthy" alarm and its health-check alarm (us-east-1), by ARN. */
  readonly alarmArns: readonly string[];
}

/** Props of {@link ServiceDashboard}. */
export interface ServiceDashboardProps {
  /** Any provider of the environment's account; the widgets name their own regions. */
  readonly provider: AwsProvider;
  readonly dashboardName: string;
  /** The service's Lambda function (every region's has this name). */
  readonly functionName: string;
  /** The global table (every replica has this name). @default - no table: no DynamoDB widgets */
  readonly tableName?: string;
  /** Regions, primary first: one row each. */
  readonly regions: readonly DashboardRegion[];
  /** The CloudFront distribution, for the edge row. @default - no edge row */
  readonly distributionId?: string;
  /** Edge alarms (us-east-1), by ARN. @default - none */
  readonly edgeAlarmArns?: readonly string[];
}

type Widget = Record<string, unknown>;
const WIDTH = 24;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard per service and environment, cross-region: a row per region
 * (requests, errors, p50/p99 latency, throttles, replication latency to each other
 * replica, and the state of its alarms), then the edge (CloudFront requests, cache hit
 * rate, 5xx rate). Per-region numbers come from the Lambda function and the table,
 * whose names every region shares; AWS-assigned ids (the HTTP API's) are not known
 * to the global stack.
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    requireDistinctRegions(this, 'regions', props.regions.map((r) => r.region));
    const fn = ['FunctionName', props.functionName];
    const table = props.tableName === undefined ? undefined : ['TableName', props.tableName];
    const widgets: Widget[] = [];
    let y = 0;
    const row = (cells: Widget[]) => {
      const width = Math.floor(WIDTH / cells.length);
      cells.forEach((cell, i) => widgets.push({ ...cell, x: i * width, y, width, height: HEIGHT }));
      y += HEIGHT;
    };
    const metrics = (title: string, region: string, lines: unknown[][], stat = 'Sum'): Widget => ({
      type: 'metric',
      properties: { title, region, stat, period: 60, view: 'timeSeries', metrics: lines },
    });

    for (const { region, alarmArns } of props.regions) {
      const others = props.regions.map((r) => r.region).filter((r) => r !== region);
      row([
        metrics(`${region}: requests`, region, [['AWS/Lambda', 'Invocations', ...fn]]),
        metrics(`${region}: errors`, region, [['AWS/Lambda', 'Errors', ...fn]]),
        metrics(`${region}: latency`, region, [
          ['AWS/Lambda', 'Duration', ...fn, { stat: 'p50', label: 'p50' }],
          ['AWS/Lambda', 'Duration', ...fn, { stat: 'p99', label: 'p99' }],
        ]),
        metrics(`${region}: throttles`, region, [
          ['AWS/Lambda', 'Throttles', ...fn],
          ...(table ? [['AWS/DynamoDB', 'ReadThrottleEvents', ...table], ['AWS/DynamoDB', 'WriteThrottleEvents', ...table]] : []),
        ]),
        ...(table
          ? [
              metrics(
                `${region}: replication latency`,
                region,
                others.map((to) => ['AWS/DynamoDB', 'ReplicationLatency', ...table, 'ReceivingRegion', to, { label: `to ${to}` }]),
                'Average',
              ),
            ]
          : []),
        { type: 'alarm', properties: { title: `${region}: alarms (region unhealthy, health check)`, alarms: [...alarmArns] } },
      ]);
    }
    if (props.distributionId) {
      const distribution = ['DistributionId', props.distributionId, 'Region', 'Global'];
      row([
        metrics('edge: requests', 'us-east-1', [['AWS/CloudFront', 'Requests', ...distribution]]),
        // CacheHitRate is one of CloudFront's additional metrics (a monitoring subscription).
        metrics('edge: cache hit rate %', 'us-east-1', [['AWS/CloudFront', 'CacheHitRate', ...distribution]], 'Average'),
        metrics('edge: 5xx rate %', 'us-east-1', [['AWS/CloudFront', '5xxErrorRate', ...distribution]], 'Average'),
        ...(props.edgeAlarmArns?.length ? [{ type: 'alarm', properties: { title: 'edge alarms', alarms: [...props.edgeAlarmArns] } }] : []),
      ]);
    }

    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      provider: props.provider,
      dashboardName: props.dashboardName,
      // The distribution id is a token: rendered at synth, so Terraform substitutes it.
      dashboardBody: Lazy.stringValue({ produce: () => JSON.stringify({ widgets }) }),
    });
  }
}
