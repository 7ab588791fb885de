import { Construct } from 'constructs';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { ConstructPropsError, isKnown } from './validation';

/**
 * Seconds resolvers keep the delegation: an hour, so a zone created again (with new name
 * servers) is reached within the hour, while the parent's name servers are not asked on
 * every lookup.
 */
export const DELEGATION_TTL_SECONDS = 3600;

/** Where a created zone is delegated from: its parent, a public zone found by name. */
export interface HostedZoneDelegation {
  /** The parent zone's name, e.g. `dev.example.com` for `items.dev.example.com`. */
  readonly parentZoneName: string;
  /** Provider of the account owning the parent zone. */
  readonly parentProvider: AwsProvider;
  /** @default DELEGATION_TTL_SECONDS */
  readonly ttlSeconds?: number;
}

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
  /**
   * With `create`: write the new zone's name servers into its parent as an NS record. A
   * new zone answers nothing until its parent delegates to it, so DNS validation of a
   * certificate in it would wait out its timeout:
   * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-routing-traffic-for-subdomains.html
   * @default - not delegated (an existing zone, or one delegated by hand)
   */
  readonly delegation?: HostedZoneDelegation;
}

/** The public hosted zone of an environment's domain, created or looked up, and its delegation. */
export class HostedZone extends Construct {
  readonly zoneId: string;
  readonly domain: string;
  /** The NS record in the parent zone; what anything resolving names in this zone must wait for. */
  readonly delegationRecord?: Route53Record;

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
      if (props.delegation) this.delegationRecord = this.delegate(zone, props.delegation);
    } else {
      if (props.delegation) throw new ConstructPropsError(this, `delegation is for a zone the stack creates; "${props.domain}" is an existing zone`);
      const zone = new DataAwsRoute53Zone(this, 'zone', {
        provider: props.provider,
        name: props.domain,
        privateZone: false,
      });
      this.zoneId = zone.zoneId;
    }
  }

  private delegate(zone: Route53Zone, d: HostedZoneDelegation): Route53Record {
    const parent = d.parentZoneName;
    if (isKnown(parent) && isKnown(this.domain) && !this.domain.endsWith(`.${parent}`)) {
      throw new ConstructPropsError(this, `"${this.domain}" is not a subdomain of its parent zone "${parent}"`);
    }
    const ttl = d.ttlSeconds ?? DELEGATION_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 0) throw new ConstructPropsError(this, `ttlSeconds must be a whole number of seconds, got ${ttl}`);
    const parentZone = new DataAwsRoute53Zone(this, 'parent', { provider: d.parentProvider, name: parent, privateZone: false });
    return new Route53Record(this, 'delegation', {
      provider: d.parentProvider,
      zoneId: parentZone.zoneId,
      name: this.domain,
      type: 'NS',
      ttl,
      records: zone.nameServers,
    });
  }
}
