import { Construct } from 'constructs';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { ConstructPropsError, isKnown } from './validation';

/** Props of {@link HostedZone}. */
export interface HostedZoneProps {
  /** The zone's domain, e.g. `example.com`. */
  readonly domain: string;
  /** Provider of the account owning the zone (Route53 is global). */
  readonly provider: AwsProvider;
  /**
   * `create` a public hosted zone, or look up an `existing` one by name (a zone
   * owned by a network team, possibly in another account).
   * @default "create"
   */
  readonly mode?: 'create' | 'existing';
}

/** The public hosted zone of an environment's domain, created or looked up. */
export class HostedZone extends Construct {
  readonly zoneId: string;
  readonly domain: string;

  constructor(scope: Construct, id: string, props: HostedZoneProps) {
    super(scope, id);
    if (isKnown(props.domain) && !/^([a-z0-9-]+\.)+[a-z]{2,}$/.test(props.domain)) {
      throw new ConstructPropsError(this, `domain "${props.domain}" is not a DNS name such as example.com`);
    }
    this.domain = props.domain;
    if ((props.mode ?? 'create') === 'create') {
      const zone = new Route53Zone(this, 'zone', {
        provider: props.provider,
        name: props.domain,
        comment: 'managed by the platform (cdktf)',
      });
      this.zoneId = zone.zoneId;
    } else {
      const zone = new DataAwsRoute53Zone(this, 'zone', {
        provider: props.provider,
        name: props.domain,
        privateZone: false,
      });
      this.zoneId = zone.zoneId;
    }
  }
}
