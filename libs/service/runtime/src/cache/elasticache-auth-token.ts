import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** AWS credentials, as the Lambda runtime gives them to the function. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Props of {@link elastiCacheAuthToken}. */
export interface ElastiCacheAuthTokenProps {
  /** The replication group the connection goes to (what the token is signed for). */
  readonly replicationGroupId: string;
  /** The replication group's region. */
  readonly region: string;
  /** The ElastiCache user id (with IAM authentication it equals the user name). */
  readonly userId: string;
  /** The function's credentials. */
  readonly credentials: () => AwsCredentials | Promise<AwsCredentials>;
  /** @default Date.now */
  readonly now?: () => number;
}

/** ElastiCache accepts a token for 15 minutes; it is signed for 15 and reused for 10. */
export const CACHE_TOKEN_EXPIRES_SECONDS = 900;
export const CACHE_TOKEN_REUSE_MS = 10 * 60 * 1000;

/** SHA-256 (and HMAC-SHA-256 with a secret) from node:crypto, in the shape SignatureV4 asks for. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * An ElastiCache IAM authentication token source: a SigV4-presigned `connect` request
 * for the replication group and user (`<group>/?Action=connect&User=<user>&X-Amz-...`,
 * the scheme dropped), which Redis takes as the password of `AUTH <user> <token>`. The
 * token is valid 15 minutes; one is reused for 10 and then signed again, so a
 * (re)connection never presents an expired one. Signing is local (no AWS call).
 */
export function elastiCacheAuthToken(props: ElastiCacheAuthTokenProps): () => Promise<string> {
  const now = props.now ?? Date.now;
  let cached: { token: string; until: number } | undefined;
  return async () => {
    const at = now();
    if (cached && cached.until > at) return cached.token;
    const signer = new SignatureV4({ service: 'elasticache', region: props.region, credentials: await props.credentials(), sha256: NodeSha256 });
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: props.replicationGroupId,
        path: '/',
        query: { Action: 'connect', User: props.userId },
        headers: { host: props.replicationGroupId },
      },
      { expiresIn: CACHE_TOKEN_EXPIRES_SECONDS, signingDate: new Date(at) },
    );
    const query = Object.entries(signed.query ?? {})
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((value) => `${encodeURIComponent(k)}=${encodeURIComponent(String(value))}`))
      .join('&');
    const token = `${props.replicationGroupId}/?${query}`;
    cached = { token, until: at + CACHE_TOKEN_REUSE_MS };
    return token;
  };
}

/**
 * The execution role's credentials, which the Lambda runtime puts in the function's
 * environment; read at each signing, never cached here.
 */
export function lambdaCredentials(env: NodeJS.ProcessEnv = process.env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) to sign the cache token with');
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

/** Props of {@link elastiCacheCredentials}. */
export interface ElastiCacheCredentialsProps {
  /** The ElastiCache user (with IAM authentication, its id equals its name). */
  readonly user: string;
  /** This region's replication group: what a read connection's token is signed for. */
  readonly readerGroup: string;
  /** The primary region's replication group: what a write connection's token is signed for. */
  readonly writerGroup: string;
  readonly region: string;
  readonly writerRegion: string;
  /** @default - the function's own ({@link lambdaCredentials}) */
  readonly credentials?: () => AwsCredentials | Promise<AwsCredentials>;
}

/**
 * What a cache client pair asks for at every (re)connection with ElastiCache IAM
 * authentication: the user and a token signed for the replication group that client
 * connects to (this region's for reads, the primary region's for writes).
 */
export function elastiCacheCredentials(props: ElastiCacheCredentialsProps): (client: 'reader' | 'writer') => Promise<{ username: string; password: string }> {
  const credentials = props.credentials ?? (() => lambdaCredentials());
  const tokens = {
    reader: elastiCacheAuthToken({ replicationGroupId: props.readerGroup, region: props.region, userId: props.user, credentials }),
    writer: elastiCacheAuthToken({ replicationGroupId: props.writerGroup, region: props.writerRegion, userId: props.user, credentials }),
  };
  return async (client) => ({ username: props.user, password: await tokens[client]() });
}
