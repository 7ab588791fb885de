import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ConstructPropsError } from './validation';

/** Props of {@link JwtAuthorizer}. */
export interface JwtAuthorizerProps {
  /** Provider of the API's region. */
  readonly provider: AwsProvider;
  /** The HTTP API the authorizer belongs to. */
  readonly apiId: string;
  readonly name: string;
  /** OIDC issuer (an https URL); API Gateway reads its discovery document and JWKS. */
  readonly issuer: string;
  /** Accepted `aud` (or `client_id`) values; at least one. */
  readonly audiences: readonly string[];
}

/**
 * An API Gateway JWT authorizer: the region itself validates a bearer token's
 * signature (issuer's JWKS, cached by API Gateway), `iss`, `aud`, `exp` and `nbf`,
 * and the route's scopes, before the function runs. Nothing in it calls another
 * region, so every region keeps validating while any other (or the issuer) is down,
 * until the cached keys rotate.
 */
export class JwtAuthorizer extends Construct {
  readonly authorizer: Apigatewayv2Authorizer;

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.issuer) && !/^https:\/\/[^/?#\s]+/.test(props.issuer)) {
      throw new ConstructPropsError(this, `issuer must be an https URL, got "${props.issuer}"`);
    }
    if (props.audiences.length === 0) throw new ConstructPropsError(this, 'audiences must list at least one audience');
    this.authorizer = new Apigatewayv2Authorizer(this, 'authorizer', {
      provider: props.provider,
      apiId: props.apiId,
      name: props.name,
      authorizerType: 'JWT',
      identitySources: ['$request.header.Authorization'],
      jwtConfiguration: { issuer: props.issuer, audience: [...props.audiences] },
    });
  }

  get authorizerId(): string {
    return this.authorizer.id;
  }
}
