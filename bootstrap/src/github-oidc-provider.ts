import { Construct } from 'constructs';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { formatArn } from '@platform/config';
import { ConstructPropsError } from '@platform/constructs';

/** GitHub Actions' OIDC issuer. */
export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
/** The audience configure-aws-credentials asks GitHub for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** Props of {@link GithubOidcProvider}. */
export interface GithubOidcProviderProps {
  readonly provider: AwsProvider;
  readonly accountId: string;
  /**
   * ARN of a GitHub OIDC provider the account already has (there can be only one per
   * account and URL); none is created then.
   * @default - the provider is created
   */
  readonly existingProviderArn?: string;
}

/**
 * The account's IAM OIDC identity provider for GitHub Actions, or a reference to
 * the existing one. No thumbprint is pinned: IAM validates GitHub's certificate
 * against its own trusted CAs for this issuer.
 */
export class GithubOidcProvider extends Construct {
  /** ARN for the `Federated` principal of a trust policy. */
  readonly arn: string;
  /** Set when the provider is created here. */
  readonly resource?: IamOpenidConnectProvider;

  constructor(scope: Construct, id: string, props: GithubOidcProviderProps) {
    super(scope, id);
    if (props.existingProviderArn !== undefined) {
      const expected = formatArn({ service: 'iam', account: props.accountId, resource: 'oidc-provider/token.actions.githubusercontent.com' });
      if (props.existingProviderArn !== expected) {
        throw new ConstructPropsError(this, `existingProviderArn must be ${expected}, got "${props.existingProviderArn}"`);
      }
      this.arn = props.existingProviderArn;
      return;
    }
    this.resource = new IamOpenidConnectProvider(this, 'provider', {
      provider: props.provider,
      url: GITHUB_OIDC_URL,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
      lifecycle: { preventDestroy: true },
    });
    this.arn = this.resource.arn;
  }
}
