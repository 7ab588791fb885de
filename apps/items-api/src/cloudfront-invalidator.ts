import type { CloudFrontClient, CloudFrontClientConfig, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';

/** Something that can drop paths from the edge cache. */
export interface PathInvalidator {
  invalidate(paths: readonly string[], callerReference: string): Promise<void>;
}

/** Props of {@link CloudFrontInvalidator}. */
export interface CloudFrontInvalidatorProps {
  readonly distributionId: string;
  /** Give up on CloudFront after this long; the write has already succeeded. @default 2000 */
  readonly timeoutMs?: number;
  /**
   * Extra client configuration (tests point `endpoint` at a local server).
   * @default - region us-east-1 (CloudFront's API lives there), 2 attempts
   */
  readonly clientConfig?: CloudFrontClientConfig;
}

interface Loaded {
  readonly client: CloudFrontClient;
  readonly Command: typeof CreateInvalidationCommand;
}

type CloudFrontModule = typeof import('@aws-sdk/client-cloudfront');

// Not a string literal on purpose: esbuild bundles every `require('literal')`, and in a
// one-file bundle even code that never runs is parsed at every cold start (measured:
// about 7 ms for this 200 KB client). Left to run time, the module comes from the AWS
// SDK v3 that the Lambda Node.js runtimes ship (and from node_modules locally).
const CLOUDFRONT_MODULE = ['@aws-sdk', 'client-cloudfront'].join('/');

/**
 * Invalidates paths of a CloudFront distribution. The CloudFront client is loaded on
 * the first invalidation, not at cold start, and is not part of the bundle: only
 * functions in `invalidate` mode ever load it, and only once they write.
 */
export class CloudFrontInvalidator implements PathInvalidator {
  private loaded: Loaded | undefined;

  constructor(private readonly props: CloudFrontInvalidatorProps) {
    if (!props.distributionId) throw new Error('CloudFrontInvalidator: distributionId is empty; pass DISTRIBUTION_ID');
  }

  async invalidate(paths: readonly string[], callerReference: string): Promise<void> {
    const { client, Command } = this.load();
    await client.send(
      new Command({
        DistributionId: this.props.distributionId,
        InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: [...paths] } },
      }),
      { abortSignal: AbortSignal.timeout(this.props.timeoutMs ?? 2000) },
    );
  }

  private load(): Loaded {
    if (!this.loaded) {
      // A failure throws here and is retried by the next write.
      const sdk = require(CLOUDFRONT_MODULE) as CloudFrontModule;
      this.loaded = {
        client: new sdk.CloudFrontClient({ region: 'us-east-1', maxAttempts: 2, ...this.props.clientConfig }),
        Command: sdk.CreateInvalidationCommand,
      };
    }
    return this.loaded;
  }
}
