import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { ConstructPropsError } from './validation';

/**
 * Attributes of a routing health check that an evacuation sets through the API and
 * Terraform ignores: `invert_healthcheck` and `disabled` (a disabled check counts as
 * healthy, so inverted and disabled it is unhealthy whatever the region's state).
 */
export const EVACUATION_ATTRIBUTES = ['invert_healthcheck', 'disabled'] as const;

/** Props of {@link RegionalHealthCheck}. */
export interface RegionalHealthCheckProps {
  /** Provider for Route53 (the DNS account's when the zone lives elsewhere). */
  readonly dnsProvider: AwsProvider;
  readonly region: string;
  /**
   * This region's own endpoint host (e.g. `<api-id>.execute-api.<region>.amazonaws.com`),
   * never the shared name, which would answer from whichever region DNS picks.
   */
  readonly fqdn: string;
  /** Deep health path. @default "/health" */
  readonly resourcePath?: string;
  /** 10 or 30. @default 10 */
  readonly intervalSeconds?: number;
  /** 1-10. @default 3 */
  readonly failureThreshold?: number;
  /** Name prefix of the check's tags and alarm. */
  readonly name: string;
  /**
   * Also fail the region while its Lambda function's error alarm fires: a CloudWatch
   * metric check combined with the HTTPS one in a calculated check (both must pass).
   * The alarm is created in this region, through `alarmProvider`; Route53 can only
   * watch alarms of its own account.
   * @default - HTTPS check only
   */
  readonly lambdaErrorAlarm?: { readonly functionName: string; readonly alarmProvider: AwsProvider };
}

/**
 * The Route53 health check that takes a region out of DNS: HTTPS on the region's own
 * endpoint hitting the deep health path (the API Gateway alias's own target health
 * says nothing about Lambda or DynamoDB), with latency measured.
 */
export class RegionalHealthCheck extends Construct {
  /** The check the DNS record uses (the calculated one when an alarm is combined). */
  readonly healthCheckId: string;
  readonly httpsCheck: Route53HealthCheck;
  readonly intervalSeconds: number;
  readonly failureThreshold: number;

  constructor(scope: Construct, id: string, props: RegionalHealthCheckProps) {
    super(scope, id);
    this.intervalSeconds = props.intervalSeconds ?? 10;
    this.failureThreshold = props.failureThreshold ?? 3;
    if (this.intervalSeconds !== 10 && this.intervalSeconds !== 30) {
      throw new ConstructPropsError(this, `intervalSeconds must be 10 or 30, got ${this.intervalSeconds}`);
    }
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1 || this.failureThreshold > 10) {
      throw new ConstructPropsError(this, `failureThreshold must be 1-10, got ${this.failureThreshold}`);
    }
    const tags = (suffix: string) => ({ Name: `${props.name}-${suffix}` });
    // `npm run region -- evacuate` forces the check the DNS record uses unhealthy through
    // the Route53 API (inverted and disabled); Terraform must not undo that on the next
    // deploy, so it leaves those two attributes alone (see docs/rollout.md).
    const lifecycle = { ignoreChanges: [...EVACUATION_ATTRIBUTES] };

    this.httpsCheck = new Route53HealthCheck(this, 'https', {
      provider: props.dnsProvider,
      type: 'HTTPS',
      fqdn: props.fqdn,
      port: 443,
      resourcePath: props.resourcePath ?? '/health',
      requestInterval: this.intervalSeconds,
      failureThreshold: this.failureThreshold,
      measureLatency: true,
      enableSni: true,
      tags: tags('https'),
      lifecycle,
    });
    this.healthCheckId = this.httpsCheck.id;

    if (props.lambdaErrorAlarm) {
      const alarm = new CloudwatchMetricAlarm(this, 'lambda-errors', {
        provider: props.lambdaErrorAlarm.alarmProvider,
        alarmName: `${props.name}-lambda-errors`,
        alarmDescription: `Lambda errors of ${props.lambdaErrorAlarm.functionName} in ${props.region}; takes the region out of DNS`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: props.lambdaErrorAlarm.functionName },
        statistic: 'Sum',
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        threshold: 5,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      });
      const metric = new Route53HealthCheck(this, 'lambda-errors-check', {
        provider: props.dnsProvider,
        type: 'CLOUDWATCH_METRIC',
        cloudwatchAlarmName: alarm.alarmName,
        cloudwatchAlarmRegion: props.region,
        insufficientDataHealthStatus: 'LastKnownStatus',
        tags: tags('lambda-errors'),
      });
      const combined = new Route53HealthCheck(this, 'calculated', {
        provider: props.dnsProvider,
        type: 'CALCULATED',
        childHealthchecks: [this.httpsCheck.id, metric.id],
        childHealthThreshold: 2,
        tags: tags('calculated'),
        lifecycle,
      });
      this.healthCheckId = combined.id;
    }
  }
}
