import { Construct } from 'constructs';
import { Apigatewayv2ApiMapping } from '@cdktf/provider-aws/lib/apigatewayv2-api-mapping';
import { Apigatewayv2DomainName } from '@cdktf/provider-aws/lib/apigatewayv2-domain-name';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { DnsValidatedCertificate } from './dns-validated-certificate';

/** Props of {@link RegionalDomain}. */
export interface RegionalDomainProps {
  /** Provider of this region. */
  readonly provider: AwsProvider;
  /** The name every region serves, e.g. `regional.example.com`. */
  readonly domainName: string;
  /** HTTP API and stage to map the domain to. */
  readonly apiId: string;
  readonly stageName: string;
  /**
   * A second name only this region serves (e.g. `eu-west-1.regional.example.com`), with
   * its own alias record, for the region's health check: the execute-api endpoint is
   * off and the shared name answers from whichever region DNS picks.
   * @default - none
   */
  readonly regionOnly?: { readonly domainName: string; readonly zoneId: string; readonly dnsProvider: AwsProvider };
  /**
   * The edge's secondary origin name (e.g. `secondary.regional.example.com`), which this
   * region also answers to: CloudFront sends the origin's name as Host and SNI.
   * @default - none
   */
  readonly secondaryDomainName?: string;
  /**
   * Read names this region also answers to (weighted and failover routing): its own
   * `<region>.reads...` and that of the region before it in the ring, which it backs up.
   * @default - none
   */
  readonly readNames?: readonly { readonly region: string; readonly domainName: string }[];
}

/**
 * The regional custom domain of an HTTP API. Every region creates the same name
 * (which is what lets latency routing pick one), with its own regional certificate.
 * The certificate's validation record is shared by all regions and written by the
 * global stack, so this only waits for issuance.
 */
export class RegionalDomain extends Construct {
  readonly domain: Apigatewayv2DomainName;
  readonly certificate: DnsValidatedCertificate;
  /** The region-only domain, when asked for. */
  readonly regionOnlyDomain?: Apigatewayv2DomainName;
  /** The edge's secondary origin name, when asked for. */
  readonly secondaryDomain?: Apigatewayv2DomainName;
  /** The read names' domains, by the region each name is of. */
  readonly readDomains: Readonly<Record<string, Apigatewayv2DomainName>> = {};

  constructor(scope: Construct, id: string, props: RegionalDomainProps) {
    super(scope, id);
    const sans = [
      ...(props.regionOnly ? [props.regionOnly.domainName] : []),
      ...(props.secondaryDomainName ? [props.secondaryDomainName] : []),
      ...(props.readNames ?? []).map((n) => n.domainName),
    ];
    this.certificate = new DnsValidatedCertificate(this, 'certificate', {
      provider: props.provider,
      domainName: props.domainName,
      subjectAlternativeNames: sans.length > 0 ? sans : undefined,
      writeValidationRecords: false,
    });
    this.domain = new Apigatewayv2DomainName(this, 'domain', {
      provider: props.provider,
      domainName: props.domainName,
      domainNameConfiguration: {
        certificateArn: this.certificate.validatedArn,
        endpointType: 'REGIONAL',
        securityPolicy: 'TLS_1_2',
      },
    });
    new Apigatewayv2ApiMapping(this, 'mapping', {
      provider: props.provider,
      apiId: props.apiId,
      domainName: this.domain.id,
      stage: props.stageName,
    });
    if (props.regionOnly) {
      const only = new Apigatewayv2DomainName(this, 'region-only-domain', {
        provider: props.provider,
        domainName: props.regionOnly.domainName,
        domainNameConfiguration: { certificateArn: this.certificate.validatedArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
      });
      new Apigatewayv2ApiMapping(this, 'region-only-mapping', { provider: props.provider, apiId: props.apiId, domainName: only.id, stage: props.stageName });
      new Route53Record(this, 'region-only-record', {
        provider: props.regionOnly.dnsProvider,
        zoneId: props.regionOnly.zoneId,
        name: props.regionOnly.domainName,
        type: 'A',
        alias: { name: only.domainNameConfiguration.targetDomainName, zoneId: only.domainNameConfiguration.hostedZoneId, evaluateTargetHealth: false },
      });
      this.regionOnlyDomain = only;
    }
    if (props.secondaryDomainName) {
      this.secondaryDomain = new Apigatewayv2DomainName(this, 'secondary-domain', {
        provider: props.provider,
        domainName: props.secondaryDomainName,
        domainNameConfiguration: { certificateArn: this.certificate.validatedArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
      });
      new Apigatewayv2ApiMapping(this, 'secondary-mapping', { provider: props.provider, apiId: props.apiId, domainName: this.secondaryDomain.id, stage: props.stageName });
    }
    const readDomains: Record<string, Apigatewayv2DomainName> = {};
    for (const { region, domainName } of props.readNames ?? []) {
      readDomains[region] = new Apigatewayv2DomainName(this, `reads-${region}-domain`, {
        provider: props.provider,
        domainName,
        domainNameConfiguration: { certificateArn: this.certificate.validatedArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
      });
      new Apigatewayv2ApiMapping(this, `reads-${region}-mapping`, { provider: props.provider, apiId: props.apiId, domainName: readDomains[region].id, stage: props.stageName });
    }
    this.readDomains = readDomains;
  }

  /** The regional endpoint DNS name an alias record points at. */
  get targetDomainName(): string {
    return this.domain.domainNameConfiguration.targetDomainName;
  }

  /** The hosted zone of that endpoint, for the alias record. */
  get targetHostedZoneId(): string {
    return this.domain.domainNameConfiguration.hostedZoneId;
  }
}
