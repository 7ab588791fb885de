import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { requireEdgeRegion } from './health-check-alarm';
import { ConstructPropsError } from './validation';

/** Props of {@link EdgeAlarms}. */
export interface EdgeAlarmsProps {
  /** The us-east-1 provider: CloudFront publishes its metrics only there. */
  readonly provider: AwsProvider;
  readonly distributionId: string;
  readonly alarmName: string;
  /** @default 5 */
  readonly errorRatePercent?: number;
  /** @default 60 */
  readonly periodSeconds?: number;
  /** @default 5 */
  readonly evaluationPeriods?: number;
  /** @default 3 */
  readonly datapointsToAlarm?: number;
  /** Where the alarm notifies (the environment's us-east-1 alarm topic). @default - nowhere */
  readonly alarmActions?: readonly string[];
}

/**
 * The edge's alarm: CloudFront's 5xx error rate, in us-east-1 (where CloudFront
 * publishes its metrics, whichever regions the service runs in). Missing data is
 * `notBreaching`: no requests at the edge is no error.
 */
export class EdgeAlarms extends Construct {
  readonly errorRateAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: EdgeAlarmsProps) {
    super(scope, id);
    requireEdgeRegion(this, props.provider, 'CloudFront');
    const threshold = props.errorRatePercent ?? 5;
    if (threshold < 0 || threshold > 100) throw new ConstructPropsError(this, `errorRatePercent must be 0-100, got ${threshold}`);
    this.errorRateAlarm = new CloudwatchMetricAlarm(this, 'edge-5xx', {
      provider: props.provider,
      alarmName: props.alarmName,
      alarmDescription: `CloudFront 5xx error rate above ${threshold} %`,
      namespace: 'AWS/CloudFront',
      metricName: '5xxErrorRate',
      dimensions: { DistributionId: props.distributionId, Region: 'Global' },
      statistic: 'Average',
      period: props.periodSeconds ?? 60,
      evaluationPeriods: props.evaluationPeriods ?? 5,
      datapointsToAlarm: props.datapointsToAlarm ?? 3,
      comparisonOperator: 'GreaterThanThreshold',
      threshold,
      treatMissingData: 'notBreaching',
      alarmActions: [...(props.alarmActions ?? [])],
      okActions: [...(props.alarmActions ?? [])],
    });
  }
}
