import { S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { STATE_PROVIDER_ALIAS } from '@platform/config';
import { PermissionsBoundary } from './permissions-boundary';
import { ConstructPropsError, isKnown, requireDistinctRegions } from './validation';

/**
 * Terraform versions the stacks accept: 1.11 or later. Write-only arguments (the Aurora
 * writer's `master_password_wo`) need 1.11
 * (https://developer.hashicorp.com/terraform/language/manage-sensitive-data/write-only),
 * and the S3 backend's `use_lockfile` (S3-native locking), experimental in 1.10, is
 * generally available from 1.11 (Terraform 1.11.0 changelog).
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.11.0';

/** Where a stack keeps its state. */
export interface StateBackendProps {
  /** S3 bucket holding the state. */
  readonly bucket: string;
  /** Region of the state bucket. */
  readonly region: string;
  /** Object key of this stack's state; one key per stack. */
  readonly key: string;
  /**
   * Role Terraform assumes to reach the state bucket (in the state account).
   * @default - the caller's credentials are used as they are
   */
  readonly roleArn?: string;
}

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps {
  /** The AWS account every provider of the stack is restricted to. */
  readonly accountId: string;
  /** Role (in `accountId`) every provider assumes. */
  readonly deployRoleArn: string;
  /** Regions the stack touches; one aliased provider is declared per region. */
  readonly regions: readonly string[];
  /** Tags every resource of the stack gets through the providers' default tags. */
  readonly defaultTags: Readonly<Record<string, string>>;
  readonly stateBackend: StateBackendProps;
  /**
   * Account (and role) owning the DNS zone, when it is not `accountId`: Route53
   * resources then go through an extra provider aliased `dns` assuming that role.
   * @default - DNS is managed in `accountId`
   */
  readonly dns?: { readonly accountId: string; readonly roleArn: string };
  /**
   * Account owning the parent zone the stack delegates its hosted zone from. In the
   * stack's account or the DNS account, its provider is theirs; in any other account,
   * an extra provider aliased `dns-parent` assumes `roleArn` there.
   * @default - the stack delegates no zone
   */
  readonly dnsParent?: { readonly accountId: string; readonly roleArn?: string };
  /**
   * Managed policy set as the permissions boundary of every IAM role in the stack.
   * @default - no boundary
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * IAM path of every role and managed policy in the stack (the deploy role may
   * create and pass roles only under it).
   * @default - no path ("/")
   */
  readonly iamPath?: string;
  /**
   * Session name used when assuming the deploy role; shows in CloudTrail.
   * @default - the stack name
   */
  readonly roleSessionName?: string;
}

/**
 * A Terraform stack of the platform: an S3 backend with encryption and S3-native
 * locking, and one aliased AWS provider per region, each assuming the deploy role
 * and restricted to the environment's account. There is deliberately no default
 * provider, so a resource that forgets its provider fails to plan instead of
 * landing in an arbitrary region.
 */
export class PlatformStack extends TerraformStack {
  /** The stack's regions, in the order given (primary first). */
  readonly regions: readonly string[];
  readonly accountId: string;
  private readonly providers = new Map<string, AwsProvider>();
  private readonly dnsAccountProvider?: AwsProvider;
  private readonly dnsParentAccountProvider?: AwsProvider;
  private readonly dnsParentAccountId?: string;
  private edgeRegionProvider?: AwsProvider;
  private stateBucketProvider?: AwsProvider;
  private readonly stateBackend: StateBackendProps;
  private readonly providerSettings: { readonly accountId: string; readonly deployRoleArn: string; readonly sessionName: string; readonly tags: Record<string, string> };

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    if (isKnown(props.accountId) && !/^\d{12}$/.test(props.accountId)) {
      throw new ConstructPropsError(this, `accountId must be 12 digits, got "${props.accountId}"`);
    }
    requireDistinctRegions(this, 'regions', props.regions);
    this.regions = [...props.regions];
    this.accountId = props.accountId;
    this.stateBackend = props.stateBackend;
    this.providerSettings = {
      accountId: props.accountId,
      deployRoleArn: props.deployRoleArn,
      sessionName: props.roleSessionName ?? id,
      tags: { ...props.defaultTags },
    };

    const backend = new S3Backend(this, {
      bucket: props.stateBackend.bucket,
      key: props.stateBackend.key,
      region: props.stateBackend.region,
      encrypt: true,
      ...(props.stateBackend.roleArn ? { assumeRole: { roleArn: props.stateBackend.roleArn } } : {}),
    });
    // cdktf 0.21's S3BackendConfig predates S3-native locking; DynamoDB lock tables are deprecated.
    backend.addOverride('use_lockfile', true);
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
    if (props.permissionsBoundaryArn) PermissionsBoundary.applyTo(this, props.permissionsBoundaryArn, props.iamPath);

    for (const region of this.regions) {
      this.providers.set(
        region,
        new AwsProvider(this, `aws-${region}`, {
          alias: region,
          region,
          allowedAccountIds: [props.accountId],
          assumeRole: [{ roleArn: props.deployRoleArn, sessionName: props.roleSessionName ?? id }],
          defaultTags: [{ tags: { ...props.defaultTags } }],
        }),
      );
    }
    if (props.dns && props.dns.accountId !== props.accountId) {
      // Route53 is a global service; its API lives in us-east-1.
      this.dnsAccountProvider = new AwsProvider(this, 'aws-dns', {
        alias: 'dns',
        region: 'us-east-1',
        allowedAccountIds: [props.dns.accountId],
        assumeRole: [{ roleArn: props.dns.roleArn, sessionName: props.roleSessionName ?? id }],
        defaultTags: [{ tags: { ...props.defaultTags } }],
      });
    }
    const parent = props.dnsParent;
    this.dnsParentAccountId = parent?.accountId;
    if (parent && parent.accountId !== props.accountId && parent.accountId !== props.dns?.accountId) {
      if (!parent.roleArn) {
        throw new ConstructPropsError(this, `dnsParent in account ${parent.accountId} (neither the stack's nor the DNS account) needs a roleArn to assume there`);
      }
      this.dnsParentAccountProvider = new AwsProvider(this, 'aws-dns-parent', {
        alias: 'dns-parent',
        region: 'us-east-1',
        allowedAccountIds: [parent.accountId],
        assumeRole: [{ roleArn: parent.roleArn, sessionName: props.roleSessionName ?? id }],
        defaultTags: [{ tags: { ...props.defaultTags } }],
      });
    }
  }

  /**
   * The provider for the parent zone the stack delegates its zone from: the DNS
   * account's or this account's Route53 provider when the parent lives there, else the
   * `dns-parent` provider. Throws when the stack was given no `dnsParent`.
   */
  get dnsParentProvider(): AwsProvider {
    if (!this.dnsParentAccountId) throw new ConstructPropsError(this, 'the stack delegates no zone (no dnsParent prop)');
    if (this.dnsParentAccountProvider) return this.dnsParentAccountProvider;
    return this.dnsParentAccountId === this.accountId ? (this.providers.get('us-east-1') ?? this.primaryProvider) : this.dnsProvider;
  }

  /**
   * The provider for Route53 (zones, records, health checks): the DNS account's when
   * the zone lives in another account, else this stack's us-east-1 or primary provider.
   */
  get dnsProvider(): AwsProvider {
    return this.dnsAccountProvider ?? this.providers.get('us-east-1') ?? this.primaryProvider;
  }

  /** The aliased provider of `region`; throws when the stack does not touch that region. */
  provider(region: string): AwsProvider {
    const provider = this.providers.get(region);
    if (!provider) {
      throw new ConstructPropsError(this, `no provider for region "${region}"; the stack's regions are ${this.regions.join(', ')}`);
    }
    return provider;
  }

  /**
   * A us-east-1 provider of the stack's account, where CloudFront and Route53 publish
   * their metrics: the stack's own when us-east-1 is one of its regions, else one
   * declared on first use (alias `us-east-1`, not added to `regions`).
   */
  get edgeProvider(): AwsProvider {
    const own = this.providers.get('us-east-1');
    if (own) return own;
    const s = this.providerSettings;
    this.edgeRegionProvider ??= new AwsProvider(this, 'aws-us-east-1', {
      alias: 'us-east-1',
      region: 'us-east-1',
      allowedAccountIds: [s.accountId],
      assumeRole: [{ roleArn: s.deployRoleArn, sessionName: s.sessionName }],
      defaultTags: [{ tags: s.tags }],
    });
    return this.edgeRegionProvider;
  }

  /**
   * The provider for alarms on Route53 health-check metrics: us-east-1 of the account
   * that owns the health checks (the DNS account's provider, which is in us-east-1,
   * when DNS lives elsewhere).
   */
  get route53MetricsProvider(): AwsProvider {
    return this.dnsAccountProvider ?? this.edgeProvider;
  }

  /**
   * A provider that reads the state bucket (alias `state`, declared on first use): the
   * bucket's region and the backend's credentials, i.e. the state role when the backend
   * assumes one, else the session Terraform runs with (the pipeline's plan or deploy
   * role in this stack's account). A plan run leaves it as it is (it is not redirected
   * to the plan role), exactly like the backend.
   */
  get stateProvider(): AwsProvider {
    const { region, roleArn } = this.stateBackend;
    const roleAccount = roleArn ? /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1] : undefined;
    this.stateBucketProvider ??= new AwsProvider(this, `aws-${STATE_PROVIDER_ALIAS}`, {
      alias: STATE_PROVIDER_ALIAS,
      region,
      ...(roleArn
        ? { assumeRole: [{ roleArn, sessionName: this.providerSettings.sessionName }], ...(roleAccount ? { allowedAccountIds: [roleAccount] } : {}) }
        : { allowedAccountIds: [this.accountId] }),
      defaultTags: [{ tags: this.providerSettings.tags }],
    });
    return this.stateBucketProvider;
  }

  /** Whether Route53 lives in another account than the stack's. */
  get dnsInOtherAccount(): boolean {
    return this.dnsAccountProvider !== undefined;
  }

  /** The provider of the first (primary) region. */
  get primaryProvider(): AwsProvider {
    return this.provider(this.regions[0]);
  }
}
