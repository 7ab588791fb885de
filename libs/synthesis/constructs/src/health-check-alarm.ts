import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ConstructPropsError, isKnown } from './validation';

/** Route53 and CloudFront publish their CloudWatch metrics only in us-east-1. */
export const EDGE_METRICS_REGION = 'us-east-1';

/** Throws unless `provider` is a us-east-1 provider: an alarm on an edge metric anywhere else never fires. */
export function requireEdgeRegion(scope: IConstruct, provider: AwsProvider, what: string): void {
  const region = provider.region;
  if (region !== undefined && isKnown(region) && region !== EDGE_METRICS_REGION) {
    throw new ConstructPropsError(
      scope,
      `${what} publishes its metrics only in ${EDGE_METRICS_REGION}; an alarm through the provider of ${region} would never fire. Pass the us-east-1 provider`,
    );
  }
}

/** Props of {@link HealthCheckAlarm}. */
export interface HealthCheckAlarmProps {
  /**
   * A us-east-1 provider of the account that owns the health check (Route53's metrics
   * exist only there).
   */
  readonly provider: AwsProvider;
  readonly healthCheckId: string;
  /** The region the health check watches (for the description). */
  readonly region: string;
  readonly alarmName: string;
  /**
   * Where the alarm notifies (an SNS topic in the alarm's account and region): at least
   * one, since this alarm is in no composite and an alarm without an action is heard by
   * nobody.
   */
  readonly alarmActions: readonly string[];
}

/**
 * Fires while a region's Route53 health check reports it unhealthy
 * (`HealthCheckStatus` < 1 for two of three minutes). Missing data is `breaching`:
 * Route53 reports every minute while the check exists, so silence means it is gone.
 */
export class HealthCheckAlarm extends Construct {
  readonly alarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: HealthCheckAlarmProps) {
    super(scope, id);
    requireEdgeRegion(this, props.provider, 'Route53');
    if (props.alarmActions.length === 0) {
      throw new ConstructPropsError(this, 'alarmActions is empty: the health-check alarm is in no composite alarm, so without an action nobody learns that it fires; pass the alarm topic of the account owning the health check');
    }
    this.alarm = new CloudwatchMetricAlarm(this, 'status', {
      provider: props.provider,
      alarmName: props.alarmName,
      alarmDescription: `Route53 health check of ${props.region} reports the region unhealthy`,
      namespace: 'AWS/Route53',
      metricName: 'HealthCheckStatus',
      dimensions: { HealthCheckId: props.healthCheckId },
      statistic: 'Minimum',
      period: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: 'LessThanThreshold',
      threshold: 1,
      treatMissingData: 'breaching',
      alarmActions: [...props.alarmActions],
      okActions: [...props.alarmActions],
    });
  }
}
