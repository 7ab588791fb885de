import { Construct } from 'constructs';
import { CloudfrontCachePolicy } from '@cdktf/provider-aws/lib/cloudfront-cache-policy';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontFunction } from '@cdktf/provider-aws/lib/cloudfront-function';
import { NAME_LIMITS, ORIGIN_FAILOVER, PRIMARY_ORIGIN_ID, type ReadFailover, SECONDARY_ORIGIN_ID, nameProblem, readFailoverFunctionCode, readsOriginId } from '@platform/config';
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

/** The read failover of an {@link EdgeCache}. */
export interface EdgeReadFailover {
  /** Paths, and for weighted/failover routing the regions' shares of reads (`readFailoverOf`). */
  readonly failover: ReadFailover;
  /** Name of the CloudFront Function (unique per account; `NAME_LIMITS.cloudfrontFunction`). */
  readonly functionName: string;
  /** Without shares: the ring's secondary name, e.g. `secondary.regional.example.com`. */
  readonly secondaryOriginDomainName?: string;
  /** With shares: a region's read name, e.g. `eu-west-1.reads.example.com`. */
  readonly readsDomainName?: (region: string) => string;
}

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
   * Reads that fail over to another region within the request (docs/traffic.md, "Origin
   * failover"). CloudFront refuses POST/PUT/PATCH/DELETE on a behaviour that targets an
   * origin group (https://github.com/aws/aws-cdk/issues/32450) and picks a behaviour by
   * path only, so the default behaviour keeps the single origin with every method, and a
   * viewer-request CloudFront Function ({@link readFailoverFunctionCode}) builds the
   * origin group per read request of the listed paths. Every origin gets the same custom
   * headers.
   * @default - no failover, reads go to `originDomainName` only
   */
  readonly readFailover?: EdgeReadFailover;
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

  readonly distribution: CloudfrontDistribution;
  readonly cachePolicy: CloudfrontCachePolicy;
  readonly logBucket: S3Bucket;
  /** The viewer-request function that gives reads their origin group; only with `readFailover`. */
  readonly readFailoverFunction?: CloudfrontFunction;

  constructor(scope: Construct, id: string, props: EdgeCacheProps) {
    super(scope, id);
    validateProps(this, props);
    this.cachePolicy = this.createCachePolicy(props);
    this.logBucket = this.createLogBucket(props);
    const origins = edgeOrigins(props);
    this.readFailoverFunction = props.readFailover ? this.createReadFailoverFunction(props, props.readFailover) : undefined;
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
  private createReadFailoverFunction(props: EdgeCacheProps, readFailover: EdgeReadFailover): CloudfrontFunction {
    const code = readFailoverFunctionCode(readFailover.failover);
    if (Buffer.byteLength(code) > MAX_FUNCTION_CODE_BYTES) {
      throw new ConstructPropsError(this, `the read failover function for ${readFailover.failover.paths.length} path patterns is ${Buffer.byteLength(code)} bytes; CloudFront takes ${MAX_FUNCTION_CODE_BYTES} at most: list fewer, broader patterns`);
    }
    return new CloudfrontFunction(this, 'read-failover', {
      provider: props.provider,
      name: readFailover.functionName,
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

/** The TTL and the failover settings checked. */
function validateProps(scope: Construct, props: EdgeCacheProps): void {
  if (props.ttlSeconds < 0 || props.ttlSeconds > ONE_YEAR_SECONDS) {
    throw new ConstructPropsError(scope, `ttlSeconds must be 0-${ONE_YEAR_SECONDS}, got ${props.ttlSeconds}`);
  }
  const rf = props.readFailover;
  if (!rf) return;
  if (rf.failover.paths.length === 0) {
    throw new ConstructPropsError(scope, 'readFailover.failover.paths is empty: list the paths whose reads fail over, or drop readFailover');
  }
  const nameBreaks = nameProblem(NAME_LIMITS.cloudfrontFunction, rf.functionName);
  if (nameBreaks) {
    throw new ConstructPropsError(scope, `readFailover.functionName "${rf.functionName}" ${nameBreaks.reason} (a CloudFront Function name: ${NAME_LIMITS.cloudfrontFunction.doc})`);
  }
  if (rf.failover.shares) {
    if (!rf.readsDomainName) throw new ConstructPropsError(scope, 'readFailover with shares (weighted or failover routing) needs readsDomainName: each region\'s read name');
  } else if (rf.secondaryOriginDomainName === undefined) {
    throw new ConstructPropsError(scope, 'readFailover without shares (latency routing) needs secondaryOriginDomainName: the ring\'s secondary name');
  } else if (rf.secondaryOriginDomainName === props.originDomainName) {
    throw new ConstructPropsError(scope, `secondaryOriginDomainName must differ from originDomainName (${props.originDomainName}): the secondary has to reach another region`);
  }
}

/** The regional origin, and with a read failover the origins its groups name. */
function edgeOrigins(props: EdgeCacheProps) {
  const rf = props.readFailover;
  // With failover, give up on an origin fast (1 attempt of 2 s instead of 3 of 10 s):
  // the group's other origin answers instead. Without, keep CloudFront's patient default.
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
    ...(rf ? { connectionAttempts: ORIGIN_FAILOVER.connectionAttempts, connectionTimeout: ORIGIN_FAILOVER.connectionTimeoutSeconds } : {}),
  });
  const origins = [origin(PRIMARY_ORIGIN_ID, props.originDomainName)];
  if (rf?.failover.shares) {
    for (const { region } of rf.failover.shares) origins.push(origin(readsOriginId(region), rf.readsDomainName!(region)));
  } else if (rf?.secondaryOriginDomainName !== undefined) {
    origins.push(origin(SECONDARY_ORIGIN_ID, rf.secondaryOriginDomainName));
  }
  return origins;
}
