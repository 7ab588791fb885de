import { Construct } from 'constructs';
import { Apigatewayv2ApiMapping } from '@cdktf/provider-aws/lib/apigatewayv2-api-mapping';
import { Apigatewayv2DomainName } from '@cdktf/provider-aws/lib/apigatewayv2-domain-name';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
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

  constructor(scope: Construct, id: string, props: RegionalDomainProps) {
    super(scope, id);
    this.certificate = new DnsValidatedCertificate(this, 'certificate', {
      provider: props.provider,
      domainName: props.domainName,
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
