import { Construct } from 'constructs';
import { CognitoResourceServer } from '@cdktf/provider-aws/lib/cognito-resource-server';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ConstructPropsError } from './validation';

/** Props of {@link CognitoIssuer}. */
export interface CognitoIssuerProps {
  /** Provider of the region the pool lives in (the environment's primary). */
  readonly provider: AwsProvider;
  readonly region: string;
  readonly userPoolName: string;
  readonly clientName: string;
  /** Prefix of the pool's hosted domain, where its token endpoint lives. */
  readonly domainPrefix: string;
  /** Identifier of the resource server; its scopes appear in tokens as `<identifier>/<scope>`. */
  readonly resourceServerIdentifier: string;
  /** Scope names (without the identifier). @default - none */
  readonly scopes?: readonly string[];
}

/**
 * A Cognito user pool as an OIDC issuer: the pool (deletion protection on), a resource
 * server defining the service's scopes, an app client allowed to ask for them (client
 * credentials flow) and the pool's hosted domain with its token endpoint. It
 * lives in one region: token issuance stops while that region is down, but every
 * region's JWT authorizer keeps validating tokens already issued (docs/auth.md).
 */
export class CognitoIssuer extends Construct {
  readonly userPool: CognitoUserPool;
  readonly client: CognitoUserPoolClient;
  readonly resourceServer: CognitoResourceServer;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: what tokens carry as `iss`. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: CognitoIssuerProps) {
    super(scope, id);
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(props.domainPrefix) || /aws|amazon|cognito/.test(props.domainPrefix)) {
      throw new ConstructPropsError(this, `domainPrefix must be 1-63 lower-case letters, digits and hyphens without "aws", "amazon" or "cognito", got "${props.domainPrefix}"`);
    }
    for (const s of props.scopes ?? []) {
      if (!/^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$/.test(s)) throw new ConstructPropsError(this, `scope "${s}" has a character Cognito refuses (space, quote, slash or backslash)`);
    }
    const provider = props.provider;
    this.userPool = new CognitoUserPool(this, 'user-pool', {
      provider,
      name: props.userPoolName,
      deletionProtection: 'ACTIVE',
      mfaConfiguration: 'OPTIONAL',
      softwareTokenMfaConfiguration: { enabled: true },
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
    });
    this.resourceServer = new CognitoResourceServer(this, 'resource-server', {
      provider,
      userPoolId: this.userPool.id,
      identifier: props.resourceServerIdentifier,
      name: props.resourceServerIdentifier,
      scope: (props.scopes ?? []).map((name) => ({ scopeName: name, scopeDescription: name })),
    });
    const scopes = (props.scopes ?? []).map((s) => `${props.resourceServerIdentifier}/${s}`);
    this.client = new CognitoUserPoolClient(this, 'client', {
      provider,
      userPoolId: this.userPool.id,
      name: props.clientName,
      generateSecret: true,
      allowedOauthFlowsUserPoolClient: scopes.length > 0,
      allowedOauthFlows: scopes.length > 0 ? ['client_credentials'] : undefined,
      allowedOauthScopes: scopes.length > 0 ? scopes : undefined,
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      dependsOn: [this.resourceServer],
    });
    // The token endpoint (`/oauth2/token`) of the client credentials flow.
    new CognitoUserPoolDomain(this, 'domain', { provider, userPoolId: this.userPool.id, domain: props.domainPrefix });
    this.issuer = `https://cognito-idp.${props.region}.amazonaws.com/${this.userPool.id}`;
  }
}
