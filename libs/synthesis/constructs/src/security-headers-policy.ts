import { Construct } from 'constructs';
import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ConstructPropsError } from './validation';

/** Props of {@link SecurityHeadersPolicy}. */
export interface SecurityHeadersPolicyProps {
  /** The us-east-1 provider (CloudFront). */
  readonly provider: AwsProvider;
  /** Unique per account. */
  readonly name: string;
  /** `Strict-Transport-Security` max-age. @default 63072000 (two years) */
  readonly hstsMaxAgeSeconds?: number;
}

/**
 * A CloudFront response headers policy that adds the security headers to every
 * response: HSTS (with subdomains), `X-Content-Type-Options: nosniff`,
 * `X-Frame-Options: DENY` and `Referrer-Policy: no-referrer`, overriding the origin's.
 */
export class SecurityHeadersPolicy extends Construct {
  readonly policy: CloudfrontResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: SecurityHeadersPolicyProps) {
    super(scope, id);
    const maxAge = props.hstsMaxAgeSeconds ?? 63_072_000;
    if (!Number.isInteger(maxAge) || maxAge < 0) throw new ConstructPropsError(this, `hstsMaxAgeSeconds must be a whole number of seconds, got ${maxAge}`);
    this.policy = new CloudfrontResponseHeadersPolicy(this, 'policy', {
      provider: props.provider,
      name: props.name,
      comment: 'HSTS, nosniff, frame options, referrer policy',
      securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: maxAge, includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: 'DENY', override: true },
        referrerPolicy: { referrerPolicy: 'no-referrer', override: true },
      },
    });
  }

  get policyId(): string {
    return this.policy.id;
  }
}
