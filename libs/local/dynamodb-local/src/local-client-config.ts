import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** Options of {@link localClientConfig}. */
export interface LocalClientConfigOptions {
  /** The server's endpoint, from {@link DynamoDbLocal.endpoint}. */
  readonly endpoint: string;
  /** Region the client names. With `sharedDb` (the default) any region sees the same tables. */
  readonly region: string;
  /**
   * Attempts per call, the first included. Tests want failures fast and visible.
   * @default 1
   */
  readonly maxAttempts?: number;
}

/**
 * Configuration for a `DynamoDBClient` that talks to DynamoDB Local: explicit
 * endpoint, region and fake credentials, so nothing is read from the machine's AWS
 * profile and nothing can reach a real account by accident.
 */
export function localClientConfig(options: LocalClientConfigOptions): DynamoDBClientConfig {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/?$/.test(options.endpoint)) {
    throw new Error(`localClientConfig: endpoint must be a loopback http URL such as http://127.0.0.1:8000, got "${options.endpoint}"`);
  }
  return {
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: options.maxAttempts ?? 1,
  };
}
