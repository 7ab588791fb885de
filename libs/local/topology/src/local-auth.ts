import { GLOBAL_OUTPUTS, type ServiceAuthorization } from '@platform/config';
import { LocalIssuer } from './local-issuer';
import type { LocalJwtAuthorizerProps } from './local-jwt-authorizer';
import type { TopologyConfig } from './topology-config';

/** The audience of local tokens for a service whose issuer is a Cognito pool (its app client id in AWS). */
export const LOCAL_COGNITO_CLIENT_ID = 'local-app-client';

/** What a local topology runs for a service's auth: the issuer and what every region's authorizer checks. */
export interface LocalAuth {
  /** The local OIDC issuer, when the service requires auth. */
  readonly issuer: LocalIssuer | undefined;
  /** What every region's authorizer checks, with the local issuer (issuer empty when auth is off). */
  readonly authorization: ServiceAuthorization;
  /** How every region API validates tokens; undefined when auth is off. */
  readonly authorizer: LocalJwtAuthorizerProps | undefined;
  /** Every scope the service's routes name: what the `dev token` carries. */
  readonly allScopes: string[];
}

/**
 * Starts the local stand-in of a service's issuer, as both local topologies (DynamoDB and
 * relational) do: the service contract's authorization, with the Cognito pool's app client
 * answered by {@link LOCAL_COGNITO_CLIENT_ID} and the issuer replaced by a local one.
 */
export async function startLocalAuth(config: TopologyConfig, log: (line: string) => void): Promise<LocalAuth> {
  const contractAuth = config.authorization((output) => (output === GLOBAL_OUTPUTS.userPoolClientId ? LOCAL_COGNITO_CLIENT_ID : 'not-emulated-locally'));
  const allScopes = [...new Set(contractAuth.routes.flatMap((r) => r.scopes))].sort();
  if (!contractAuth.required) return { issuer: undefined, authorization: contractAuth, authorizer: undefined, allScopes };
  const issuer = await LocalIssuer.start({ audience: contractAuth.audiences[0]!, scopes: allScopes });
  log(
    `issuer: ${issuer.url} (local OIDC issuer standing in for ${contractAuth.cognito ? 'the Cognito user pool' : contractAuth.issuer}; ` +
      `audience ${contractAuth.audiences.join(', ')}; each region validates tokens itself)`,
  );
  return {
    issuer,
    authorization: { ...contractAuth, issuer: issuer.url },
    authorizer: { issuer: issuer.url, audiences: contractAuth.audiences, routes: contractAuth.routes },
    allScopes,
  };
}
