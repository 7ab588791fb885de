import { Construct } from 'constructs';
import { CloudfrontCachePolicy } from '@cdktf/provider-aws/lib/cloudfront-cache-policy';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import type { IGrantable } from './grants';
import { ConstructPropsError } from './validation';

/**
 * ID of CloudFront's managed origin request policy AllViewerExceptHostHeader: an AWS
 * constant, the same in every account, so no lookup (which would call AWS at plan time).
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
 */
export const MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** Methods CloudFront forwards; only GET and HEAD responses are ever cached. */
export const FORWARDED_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];
export const CACHED_METHODS = ['GET', 'HEAD'];
/**
 * Error codes CloudFront would otherwise cache for 10 s by default. For an API that
 * is wrong: a 502/503 from a region that just failed would outlive DNS failover, and a
 * 404 would hide an item created a moment later.
 */
export const UNCACHED_ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];
const ONE_YEAR_SECONDS = 31_536_000;

/** What a distribution's users need: permission to invalidate its cached paths. */
export interface IEdgeCache {
  /** Lets `grantee` create invalidations of this distribution (and no other). */
  grantCreateInvalidation(grantee: IGrantable): void;
}

function grantInvalidation(distributionArn: string, grantee: IGrantable): void {
  grantee.addToRolePolicy({
    Sid: 'InvalidateOwnDistribution',
    Effect: 'Allow',
    Action: ['cloudfront:CreateInvalidation'],
    Resource: [distributionArn],
  });
}

/** Props of {@link EdgeCache}. */
export interface EdgeCacheProps {
  /** The us-east-1 provider: CloudFront and its certificate live there. */
  readonly provider: AwsProvider;
  /** Viewer-facing name, e.g. `api.example.com`. */
  readonly domainName: string;
  /** The latency/weighted-routed regional name, e.g. `regional.example.com`. */
  readonly originDomainName: string;
  /** Issued us-east-1 certificate covering `domainName`. */
  readonly certificateArn: string;
  /**
   * `ttl`: GET/HEAD responses live `ttlSeconds` at most; `invalidate`: they live long
   * (up to a year) and the API invalidates paths on every write.
   */
  readonly mode: 'ttl' | 'invalidate';
  /** Default TTL (and in `ttl` mode the maximum). */
  readonly ttlSeconds: number;
  /** @default "PriceClass_100" */
  readonly priceClass?: string;
  /** Put the Authorization header in the cache key (APIs with per-user responses). @default false */
  readonly varyOnAuthorization?: boolean;
  /** Name of the cache policy; policy names are unique per account. */
  readonly cachePolicyName: string;
  /** Hosted zone and provider for the `domainName` alias records. */
  readonly zoneId: string;
  readonly dnsProvider: AwsProvider;
  /** Bucket for CloudFront's access logs (created here). */
  readonly logBucketName: string;
  /** Provider of the log bucket's region. */
  readonly logBucketProvider: AwsProvider;
  /** @default 90 */
  readonly logRetentionDays?: number;
}

/**
 * CloudFront in front of the regional APIs: origin `regional.<domain>` over HTTPS
 * (TLS 1.2) with the origin's own Host header (the API custom domain only answers to
 * its name), HTTP redirected to HTTPS, every method forwarded but only GET/HEAD
 * cached, keyed on path and query string (plus Authorization when asked), access
 * logs to S3, and `A`/`AAAA` alias records for the viewer name.
 */
export class EdgeCache extends Construct implements IEdgeCache {
  /** A distribution another stack created, known by its ARN (a token is fine). */
  static fromDistributionArn(distributionArn: string): IEdgeCache {
    return { grantCreateInvalidation: (grantee) => grantInvalidation(distributionArn, grantee) };
  }

  readonly distribution: CloudfrontDistribution;
  readonly cachePolicy: CloudfrontCachePolicy;
  readonly logBucket: S3Bucket;

  constructor(scope: Construct, id: string, props: EdgeCacheProps) {
    super(scope, id);
    if (props.ttlSeconds < 0 || props.ttlSeconds > ONE_YEAR_SECONDS) {
      throw new ConstructPropsError(this, `ttlSeconds must be 0-${ONE_YEAR_SECONDS}, got ${props.ttlSeconds}`);
    }
    const provider = props.provider;

    this.cachePolicy = new CloudfrontCachePolicy(this, 'cache-policy', {
      provider,
      name: props.cachePolicyName,
      comment: `${props.mode} mode: GET/HEAD of ${props.domainName}`,
      minTtl: 0,
      defaultTtl: props.ttlSeconds,
      maxTtl: props.mode === 'ttl' ? props.ttlSeconds : ONE_YEAR_SECONDS,
      parametersInCacheKeyAndForwardedToOrigin: {
        cookiesConfig: { cookieBehavior: 'none' },
        headersConfig: props.varyOnAuthorization
          ? { headerBehavior: 'whitelist', headers: { items: ['Authorization'] } }
          : { headerBehavior: 'none' },
        queryStringsConfig: { queryStringBehavior: 'all' },
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      },
    });
    // Forwards viewer headers and query strings but not Host: CloudFront then sends the
    // origin's name as Host, which is what the API Gateway custom domain expects.
    const originRequest = { id: MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER };

    this.logBucket = new S3Bucket(this, 'log-bucket', { provider: props.logBucketProvider, bucket: props.logBucketName });
    new S3BucketPublicAccessBlock(this, 'log-bucket-public-access-block', {
      provider: props.logBucketProvider,
      bucket: this.logBucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    // CloudFront standard logs are delivered with an ACL grant, so ACLs stay enabled here.
    new S3BucketOwnershipControls(this, 'log-bucket-ownership', {
      provider: props.logBucketProvider,
      bucket: this.logBucket.id,
      rule: { objectOwnership: 'BucketOwnerPreferred' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'log-bucket-encryption', {
      provider: props.logBucketProvider,
      bucket: this.logBucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketLifecycleConfiguration(this, 'log-bucket-lifecycle', {
      provider: props.logBucketProvider,
      bucket: this.logBucket.id,
      rule: [{ id: 'expire-logs', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: props.logRetentionDays ?? 90 }] }],
    });

    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      provider,
      enabled: true,
      isIpv6Enabled: true,
      httpVersion: 'http2and3',
      comment: `${props.domainName} -> ${props.originDomainName}`,
      aliases: [props.domainName],
      priceClass: props.priceClass ?? 'PriceClass_100',
      origin: [
        {
          originId: 'regional',
          domainName: props.originDomainName,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: 'https-only',
            originSslProtocols: ['TLSv1.2'],
          },
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: 'regional',
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: FORWARDED_METHODS,
        cachedMethods: CACHED_METHODS,
        cachePolicyId: this.cachePolicy.id,
        originRequestPolicyId: originRequest.id,
        compress: true,
      },
      customErrorResponse: UNCACHED_ERROR_CODES.map((errorCode) => ({ errorCode, errorCachingMinTtl: 0 })),
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: {
        acmCertificateArn: props.certificateArn,
        sslSupportMethod: 'sni-only',
        minimumProtocolVersion: 'TLSv1.2_2021',
      },
      loggingConfig: { bucket: this.logBucket.bucketDomainName, prefix: 'cloudfront/', includeCookies: false },
    });

    for (const type of ['A', 'AAAA']) {
      new Route53Record(this, `alias-${type.toLowerCase()}`, {
        provider: props.dnsProvider,
        zoneId: props.zoneId,
        name: props.domainName,
        type,
        // evaluate_target_health is not supported on CloudFront aliases.
        alias: { name: this.distribution.domainName, zoneId: this.distribution.hostedZoneId, evaluateTargetHealth: false },
      });
    }
  }

  grantCreateInvalidation(grantee: IGrantable): void {
    grantInvalidation(this.distributionArn, grantee);
  }

  /** ARN of the distribution, for IAM policies (CloudFront ARNs have no region). */
  get distributionArn(): string {
    return this.distribution.arn;
  }
}
