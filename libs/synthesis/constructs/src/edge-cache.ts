import { Construct } from 'constructs';
import { CloudfrontCachePolicy } from '@cdktf/provider-aws/lib/cloudfront-cache-policy';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontFunction } from '@cdktf/provider-aws/lib/cloudfront-function';
import { ORIGIN_FAILOVER, PRIMARY_ORIGIN_ID, SECONDARY_ORIGIN_ID, readFailoverFunctionCode } from '@platform/config';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { type IGrantable, type PolicyStatement, grant } from './grants';
import { suppressPolicyRule } from './policy-suppression';
import type { S3AccessLogBucket } from './s3-access-log-bucket';
import { SecureBucket } from './secure-bucket';
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
/**
 * Largest CloudFront Function code: 10 KB
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-functions).
 */
export const MAX_FUNCTION_CODE_BYTES = 10_240;

/** What a distribution's users need: permission to invalidate its cached paths. */
export interface IEdgeCache {
  /** Lets `grantee` create invalidations of this distribution (and no other). */
  grantCreateInvalidation(grantee: IGrantable): PolicyStatement;
}

function grantInvalidation(distributionArn: string, grantee: IGrantable): PolicyStatement {
  return grant(grantee, {
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
  /**
   * The secondary origin of reads: another region's name (the same API, same Host
   * rules), tried when the primary (`originDomainName`) fails a GET/HEAD/OPTIONS with
   * one of {@link ORIGIN_FAILOVER}'s status codes or cannot be reached in time.
   * Needs `failoverPathPatterns` and `failoverFunctionName`. Both origins get the same
   * custom headers.
   * @default - no origin group, reads go to `originDomainName` only
   */
  readonly secondaryOriginDomainName?: string;
  /**
   * Path patterns whose reads (GET, HEAD, OPTIONS) fail over; writes under them stay on
   * the primary. CloudFront refuses POST/PUT/PATCH/DELETE on a behaviour that targets an
   * origin group (https://github.com/aws/aws-cdk/issues/32450) and picks a behaviour by
   * path only, so the default behaviour keeps the single origin with every method, and a
   * viewer-request CloudFront Function ({@link readFailoverFunctionCode}) builds the
   * origin group per read request (docs/traffic.md, "Origin failover").
   * @default - none
   */
  readonly failoverPathPatterns?: readonly string[];
  /** Name of that CloudFront Function (unique per account; 1-64 of `a-zA-Z0-9-_`). */
  readonly failoverFunctionName?: string;
  /** Headers CloudFront adds to every request to the origin (the origin secret). @default - none */
  readonly originCustomHeaders?: readonly { readonly name: string; readonly value: string }[];
  /** WAFv2 web ACL (scope CLOUDFRONT) ARN. @default - none */
  readonly webAclArn?: string;
  /** Response headers policy of the default behavior. @default - none */
  readonly responseHeadersPolicyId?: string;
  /**
   * The log bucket's region's access-log bucket, receiving the S3 server access logs of
   * the CloudFront log bucket.
   * @default - no access logging of the log bucket
   */
  readonly logBucketAccessLogs?: S3AccessLogBucket;
}

/**
 * CloudFront in front of the regional APIs: origin `regional.<domain>` over HTTPS
 * (TLS 1.2) with the origin's own Host header (the API custom domain only answers to
 * its name), HTTP redirected to HTTPS, every method forwarded but only GET/HEAD
 * cached, keyed on path and query string (plus Authorization when asked), access
 * logs to a versioned, TLS-only, access-logged S3 bucket, and `A`/`AAAA` alias
 * records for the viewer name.
 */
export class EdgeCache extends Construct implements IEdgeCache {
  /** A distribution another stack created, known by its ARN (a token is fine). */
  static fromDistributionArn(distributionArn: string): IEdgeCache {
    return { grantCreateInvalidation: (grantee) => grantInvalidation(distributionArn, grantee) };
  }

  /** Origin ID of the origin group (primary `regional`, secondary `secondary`). */
  static readonly FAILOVER_GROUP_ID = 'regional-failover';

  readonly distribution: CloudfrontDistribution;
  readonly cachePolicy: CloudfrontCachePolicy;
  readonly logBucket: S3Bucket;
  /** The viewer-request function that gives reads their origin group; only with a secondary origin. */
  readonly readFailoverFunction?: CloudfrontFunction;

  constructor(scope: Construct, id: string, props: EdgeCacheProps) {
    super(scope, id);
    const failoverPaths = validatedFailoverPaths(this, props);
    this.cachePolicy = this.createCachePolicy(props);
    this.logBucket = this.createLogBucket(props);
    const { origins, group } = edgeOrigins(props);
    this.readFailoverFunction = this.createReadFailoverFunction(props, failoverPaths);
    const behaviour = {
      viewerProtocolPolicy: 'redirect-to-https',
      cachedMethods: CACHED_METHODS,
      cachePolicyId: this.cachePolicy.id,
      // Forwards viewer headers and query strings but not Host: CloudFront then sends the
      // origin's name as Host, which is what the API Gateway custom domain expects.
      originRequestPolicyId: MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicyId: props.responseHeadersPolicyId,
      compress: true,
    };

    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      provider: props.provider,
      enabled: true,
      isIpv6Enabled: true,
      httpVersion: 'http2and3',
      comment: `${props.domainName} -> ${props.originDomainName}`,
      aliases: [props.domainName],
      priceClass: props.priceClass ?? 'PriceClass_100',
      origin: origins,
      originGroup: group ? [group] : undefined,
      // Every method on the single origin; the function gives the reads of the failover
      // paths an origin group per request (writes cannot fail over).
      defaultCacheBehavior: {
        ...behaviour,
        targetOriginId: PRIMARY_ORIGIN_ID,
        allowedMethods: FORWARDED_METHODS,
        functionAssociation: this.readFailoverFunction ? [{ eventType: 'viewer-request', functionArn: this.readFailoverFunction.arn }] : undefined,
      },
      customErrorResponse: UNCACHED_ERROR_CODES.map((errorCode) => ({ errorCode, errorCachingMinTtl: 0 })),
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: {
        acmCertificateArn: props.certificateArn,
        sslSupportMethod: 'sni-only',
        minimumProtocolVersion: 'TLSv1.2_2021',
      },
      loggingConfig: { bucket: this.logBucket.bucketDomainName, prefix: 'cloudfront/', includeCookies: false },
      webAclId: props.webAclArn,
    });
    this.createAliases(props);
  }

  /** The viewer-request function of the read failover (published: the distribution runs the LIVE stage). */
  private createReadFailoverFunction(props: EdgeCacheProps, failoverPaths: readonly string[]): CloudfrontFunction | undefined {
    if (failoverPaths.length === 0) return undefined;
    const code = readFailoverFunctionCode(failoverPaths);
    if (Buffer.byteLength(code) > MAX_FUNCTION_CODE_BYTES) {
      throw new ConstructPropsError(this, `the read failover function for ${failoverPaths.length} path patterns is ${Buffer.byteLength(code)} bytes; CloudFront takes ${MAX_FUNCTION_CODE_BYTES} at most: list fewer, broader patterns`);
    }
    return new CloudfrontFunction(this, 'read-failover', {
      provider: props.provider,
      name: props.failoverFunctionName!,
      runtime: 'cloudfront-js-2.0',
      comment: `reads of ${props.domainName} fail over to another region`.slice(0, 128),
      publish: true,
      code,
    });
  }

  /** What is cached: GET/HEAD by path, query string and (with auth) the Authorization header. */
  private createCachePolicy(props: EdgeCacheProps): CloudfrontCachePolicy {
    return new CloudfrontCachePolicy(this, 'cache-policy', {
      provider: props.provider,
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
  }

  /** The bucket of the standard logs, with their expiry. */
  private createLogBucket(props: EdgeCacheProps): S3Bucket {
    const logProvider = props.logBucketProvider;
    // CloudFront standard logs are delivered with an ACL grant, so ACLs stay enabled here.
    // Its resources keep the ids (so the addresses) they had before SecureBucket.
    const secureLogBucket = new SecureBucket(this, 'log-bucket-secure-bucket', {
      provider: logProvider,
      bucketName: props.logBucketName,
      objectOwnership: 'BucketOwnerPreferred',
      bucketKeyEnabled: false,
      accessLogs: props.logBucketAccessLogs,
      idsInScope: (resource) => (resource === 'bucket' ? 'log-bucket' : `log-bucket-${resource}`),
    });
    const logBucket = secureLogBucket.bucket;
    suppressPolicyRule(logBucket, 'CKV2_AWS_65', 'CloudFront standard logging writes through an ACL grant (awslogsdelivery), so ACLs must stay enabled');
    new S3BucketLifecycleConfiguration(this, 'log-bucket-lifecycle', {
      provider: logProvider,
      bucket: logBucket.id,
      rule: [
        {
          id: 'expire-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: props.logRetentionDays ?? 90 }],
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
        },
      ],
    });
    return logBucket;
  }

  /** The A and AAAA alias records of the distribution's name. */
  private createAliases(props: EdgeCacheProps): void {
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

  grantCreateInvalidation(grantee: IGrantable): PolicyStatement {
    return grantInvalidation(this.distributionArn, grantee);
  }

  /** ARN of the distribution, for IAM policies (CloudFront ARNs have no region). */
  get distributionArn(): string {
    return this.distribution.arn;
  }
}

/** The TTL and the failover settings checked; the read paths that target the origin group. */
function validatedFailoverPaths(scope: Construct, props: EdgeCacheProps): readonly string[] {
  if (props.ttlSeconds < 0 || props.ttlSeconds > ONE_YEAR_SECONDS) {
    throw new ConstructPropsError(scope, `ttlSeconds must be 0-${ONE_YEAR_SECONDS}, got ${props.ttlSeconds}`);
  }
  const failoverPaths = props.failoverPathPatterns ?? [];
  if (props.secondaryOriginDomainName !== undefined && failoverPaths.length === 0) {
    throw new ConstructPropsError(scope, 'secondaryOriginDomainName needs failoverPathPatterns: list the read-only paths whose behaviour targets the origin group');
  }
  if (props.secondaryOriginDomainName === undefined && failoverPaths.length > 0) {
    throw new ConstructPropsError(scope, `failoverPathPatterns (${failoverPaths.join(', ')}) need secondaryOriginDomainName: name the secondary origin, or drop the patterns`);
  }
  if (failoverPaths.length > 0 && !/^[a-zA-Z0-9_-]{1,64}$/.test(props.failoverFunctionName ?? '')) {
    throw new ConstructPropsError(scope, `failoverFunctionName must be 1-64 letters, digits, "-" or "_" (a CloudFront Function name), got "${props.failoverFunctionName ?? ''}"`);
  }
  if (props.secondaryOriginDomainName === props.originDomainName) {
    throw new ConstructPropsError(scope, `secondaryOriginDomainName must differ from originDomainName (${props.originDomainName}): the secondary has to reach another region`);
  }
  return failoverPaths;
}

/** The regional origin, and with a secondary the second origin and the group failing over to it. */
function edgeOrigins(props: EdgeCacheProps) {
  const failover = props.secondaryOriginDomainName !== undefined;
  // With a group, give up on a primary fast (1 attempt of 2 s instead of 3 of 10 s):
  // the secondary answers instead. Without one, keep CloudFront's patient default.
  const origin = (originId: string, domainName: string) => ({
    originId,
    domainName,
    customOriginConfig: {
      httpPort: 80,
      httpsPort: 443,
      originProtocolPolicy: 'https-only',
      originSslProtocols: ['TLSv1.2'],
    },
    customHeader: props.originCustomHeaders?.map((h) => ({ name: h.name, value: h.value })),
    ...(failover ? { connectionAttempts: ORIGIN_FAILOVER.connectionAttempts, connectionTimeout: ORIGIN_FAILOVER.connectionTimeoutSeconds } : {}),
  });
  const origins = [origin(PRIMARY_ORIGIN_ID, props.originDomainName)];
  if (props.secondaryOriginDomainName !== undefined) origins.push(origin(SECONDARY_ORIGIN_ID, props.secondaryOriginDomainName));
  // The same group the function builds per read request, declared on the distribution
  // too: no behaviour targets it (its methods would have to be read-only).
  const group = failover
    ? {
        originId: EdgeCache.FAILOVER_GROUP_ID,
        failoverCriteria: { statusCodes: [...ORIGIN_FAILOVER.statusCodes] },
        member: [{ originId: PRIMARY_ORIGIN_ID }, { originId: SECONDARY_ORIGIN_ID }],
      }
    : undefined;
  return { origins, group };
}
