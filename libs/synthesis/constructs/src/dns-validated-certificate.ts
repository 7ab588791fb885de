import { Fn, type ITerraformDependable, TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { ConstructPropsError } from './validation';

/** Props of {@link DnsValidatedCertificate}. */
export interface DnsValidatedCertificateProps {
  readonly domainName: string;
  /** @default - none */
  readonly subjectAlternativeNames?: readonly string[];
  /** Provider of the region the certificate is used in (us-east-1 for CloudFront). */
  readonly provider: AwsProvider;
  /**
   * Write the validation records into `zoneId` through `dnsProvider`. ACM's
   * validation CNAME of a name is the same for every certificate of that name in the
   * account, in every region, so it is written once, by the stack that outlives the
   * others (the global stack); certificates in other stacks set this to false and
   * only wait for issuance. That way removing a region never deletes a record
   * another region's certificate needs to renew.
   * @default true
   */
  readonly writeValidationRecords?: boolean;
  /** Hosted zone of the names; needed when writing validation records. */
  readonly zoneId?: string;
  /** Provider for Route53; needed when writing validation records. */
  readonly dnsProvider?: AwsProvider;
  /**
   * What must exist before ACM can see the validation records, such as the NS record
   * that delegates a new zone (`HostedZone.delegationRecord`): the wait for issuance
   * starts after it.
   * @default - nothing
   */
  readonly validationDependsOn?: readonly ITerraformDependable[];
}

/** An ACM certificate validated by DNS, and the wait for its issuance. */
export class DnsValidatedCertificate extends Construct {
  readonly certificate: AcmCertificate;
  /** ARN that is only known once the certificate is issued: use it, not the raw ARN. */
  readonly validatedArn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    this.certificate = new AcmCertificate(this, 'certificate', {
      provider: props.provider,
      domainName: props.domainName,
      subjectAlternativeNames: props.subjectAlternativeNames ? [...props.subjectAlternativeNames] : undefined,
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      lifecycle: { createBeforeDestroy: true },
    });

    let fqdns: string[] | undefined;
    if (props.writeValidationRecords ?? true) {
      if (!props.zoneId || !props.dnsProvider) {
        throw new ConstructPropsError(this, 'writing validation records needs zoneId and dnsProvider');
      }
      // for_each keys must be known at plan time, and `domain_validation_options` is
      // not until the certificate exists (a first plan fails with "Invalid for_each
      // argument"). The names are known here, so key by them and look up each name's
      // record (name, type, value) at apply time.
      const names = TerraformIterator.fromList([...new Set([props.domainName, ...(props.subjectAlternativeNames ?? [])])]);
      const byDomain = TerraformIterator.fromList(this.certificate.domainValidationOptions).forExpressionForMap(
        'val.domain_name',
        'val',
      );
      const option = (attribute: string) => Token.asString(Fn.lookupNested(byDomain, [names.value, attribute]));
      const records = new Route53Record(this, 'validation-record', {
        provider: props.dnsProvider,
        forEach: names,
        zoneId: props.zoneId,
        name: option('resource_record_name'),
        type: option('resource_record_type'),
        records: [option('resource_record_value')],
        ttl: 60,
        // Another certificate of the same name (same account) shares the record.
        allowOverwrite: true,
      });
      fqdns = TerraformIterator.fromResources(records).pluckProperty('fqdn') as unknown as string[];
    }
    const validation = new AcmCertificateValidation(this, 'validation', {
      provider: props.provider,
      certificateArn: this.certificate.arn,
      validationRecordFqdns: fqdns,
      ...(props.validationDependsOn?.length ? { dependsOn: [...props.validationDependsOn] } : {}),
    });
    this.validatedArn = validation.certificateArn;
  }
}
