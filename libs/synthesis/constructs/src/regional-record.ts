import { Construct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { ConstructPropsError } from './validation';

/** How the record competes with the other regions' records of the same name. */
export type RegionalRouting =
  /**
   * `latencyRegion`: the AWS region whose nearby resolvers get this record. @default - `region`
   * (the secondary name's record answers for another region's resolvers: docs/traffic.md).
   */
  | { readonly policy: 'latency'; readonly latencyRegion?: string }
  | { readonly policy: 'weighted'; readonly weight: number }
  | { readonly policy: 'failover'; readonly role: 'PRIMARY' | 'SECONDARY' };

/** Props of {@link RegionalRecord}. */
export interface RegionalRecordProps {
  readonly dnsProvider: AwsProvider;
  readonly zoneId: string;
  /** The shared name, e.g. `regional.example.com`. */
  readonly name: string;
  readonly region: string;
  readonly routing: RegionalRouting;
  /** The regional custom domain's endpoint and its hosted zone. */
  readonly targetDomainName: string;
  readonly targetHostedZoneId: string;
  /** Health check that takes this record out of answers while it fails. */
  readonly healthCheckId: string;
}

/**
 * This region's alias record for the shared regional name: set identifier = region,
 * tied to the region's health check and evaluating the target's health too. Each
 * region owns its own record, so adding or removing a region touches only its stack.
 */
export class RegionalRecord extends Construct {
  readonly record: Route53Record;

  constructor(scope: Construct, id: string, props: RegionalRecordProps) {
    super(scope, id);
    const routing = props.routing;
    if (routing.policy === 'weighted' && (!Number.isInteger(routing.weight) || routing.weight < 0 || routing.weight > 255)) {
      throw new ConstructPropsError(this, `weight must be a whole number 0-255, got ${routing.weight}`);
    }
    this.record = new Route53Record(this, 'record', {
      provider: props.dnsProvider,
      zoneId: props.zoneId,
      name: props.name,
      type: 'A',
      setIdentifier: props.region,
      healthCheckId: props.healthCheckId,
      alias: { name: props.targetDomainName, zoneId: props.targetHostedZoneId, evaluateTargetHealth: true },
      ...(routing.policy === 'latency' ? { latencyRoutingPolicy: { region: routing.latencyRegion ?? props.region } } : {}),
      ...(routing.policy === 'weighted' ? { weightedRoutingPolicy: { weight: routing.weight } } : {}),
      ...(routing.policy === 'failover' ? { failoverRoutingPolicy: { type: routing.role } } : {}),
    });
  }
}
