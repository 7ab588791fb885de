import { Signer } from '@aws-sdk/rds-signer';

/** A token is valid 15 minutes; a new connection reuses one for 10. */
const TOKEN_REUSE_MS = 10 * 60 * 1000;

/**
 * A password function for pg: an RDS IAM authentication token for `user`, signed with
 * the function's own credentials for the host pg is connecting to. pg calls it for each
 * new connection; tokens are cached per host. The region is taken from the endpoint
 * (`<name>.<id>.<region>.rds.amazonaws.com`), else `region`.
 */
export function rdsAuthToken(props: { user: string; region: string }): (connection?: { host?: string; port?: number }) => Promise<string> {
  const cached = new Map<string, { token: string; until: number }>();
  // pg passes the connection's parameters (host, port) to a password function.
  return async (connection) => {
    const host = connection?.host ?? '';
    const port = connection?.port ?? 5432;
    const hit = cached.get(`${host}:${port}`);
    if (hit && hit.until > Date.now()) return hit.token;
    const region = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.rds\.amazonaws\.com$/.exec(host)?.[1] ?? props.region;
    const token = await new Signer({ hostname: host, port, username: props.user, region }).getAuthToken();
    cached.set(`${host}:${port}`, { token, until: Date.now() + TOKEN_REUSE_MS });
    return token;
  };
}
