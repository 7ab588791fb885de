import * as path from 'node:path';
import { Aspects, type IAspect, TerraformBackend, TerraformRemoteState, TerraformResource, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';

/**
 * An argument, or one value of an argument, the stacks set that the provider version
 * used for verification does not know yet (the stacks pin a newer provider than the
 * mirror holds).
 */
export interface ProviderSkew {
  /** e.g. `aws_dynamodb_table` */
  readonly resourceType: string;
  /** Dotted path inside the resource's JSON; lists are walked element by element, e.g. `replica.deletion_protection_enabled`. */
  readonly argument: string;
  /**
   * The new value, when the argument itself is known and only this value is not
   * (e.g. `nodejs24.x` for `runtime`): verification mode puts `standIn` in its place.
   * @default - the whole argument is new: verification mode strips it
   */
  readonly value?: string;
  /** A value the verification provider accepts, used in place of `value`; required with `value`. */
  readonly standIn?: string;
  /** Provider version that added the argument or the value, e.g. `6.9.0`. */
  readonly addedIn: string;
  /** Where that is recorded (the provider's changelog entry). */
  readonly changelog: string;
}

/** `aws_lambda_function.runtime = "nodejs24.x"` for a value skew, `aws_dynamodb_table.replica.x` for an argument. */
export function describeSkew(skew: ProviderSkew): string {
  const at = `${skew.resourceType}.${skew.argument}`;
  return skew.value === undefined ? at : `${at} = "${skew.value}" (verified as "${skew.standIn}")`;
}

/** Props of {@link VerificationMode}. */
export interface VerificationModeProps {
  /** Absolute folder for the stacks' local state files. */
  readonly stateDir: string;
  /**
   * Loopback endpoint answering the calls that happen at plan time (STS, EC2, Route53
   * lookups; S3 for the remote-state reads), e.g. `http://127.0.0.1:4599`.
   */
  readonly endpoint: string;
  /** Version constraint of the AWS provider used for verification, e.g. `5.100.0`. */
  readonly providerVersion: string;
  /**
   * Arguments to strip because the verification provider predates them.
   * @default - none
   */
  readonly skew?: readonly ProviderSkew[];
}

/**
 * The static access key a provider of `accountId` gets in verification mode. The
 * loopback STS endpoint answers GetCallerIdentity with the account in the key, so
 * `allowed_account_ids` is still checked rather than skipped.
 */
export function verificationAccessKey(accountId: string): string {
  return `AKIAVERIFY${accountId}`;
}

/** The account id a {@link verificationAccessKey} carries, or undefined. */
export function accountOfVerificationAccessKey(accessKey: string): string | undefined {
  return /^AKIAVERIFY(\d{12})$/.exec(accessKey)?.[1];
}

/**
 * Turns every stack it is applied to into what an offline `terraform plan` from empty
 * state can run, changing only credentials, backend, remote-state sources, the
 * provider version constraint and the arguments listed as provider skew:
 * - each AwsProvider gets static fake credentials (one per account, see
 *   {@link verificationAccessKey}), the `skip_*` settings that avoid AWS calls, no
 *   `assume_role`, and `endpoints` for STS, EC2, Route53 and S3 (path style) on the
 *   loopback endpoint;
 * - the backend becomes a local one under `stateDir`;
 * - every `terraform_remote_state` stays on the S3 backend, same bucket and key, but
 *   reads from the loopback S3 with a fake key and no `assume_role`: whatever state
 *   objects the run puts there (an empty state, or none at all) are what it reads.
 * Everything else is the Terraform a real account gets.
 */
export class VerificationMode implements IAspect {
  /** Applies verification mode to every stack under `scope`. */
  static applyTo(scope: IConstruct, props: VerificationModeProps): void {
    const aspect = new VerificationMode(props);
    // cdktf invokes aspects stack by stack, from the stack down: an App's aspects never run.
    for (const stack of scope.node.findAll().filter(TerraformStack.isStack)) Aspects.of(stack).add(aspect);
  }

  private readonly stacksDone = new WeakSet<TerraformStack>();

  constructor(private readonly props: VerificationModeProps) {
    for (const skew of props.skew ?? []) {
      if ((skew.value === undefined) !== (skew.standIn === undefined)) {
        throw new Error(
          `provider skew ${skew.resourceType}.${skew.argument}: value and standIn go together (the new value and the one the verification provider accepts); set both or neither`,
        );
      }
    }
  }

  visit(node: IConstruct): void {
    if (node instanceof AwsProvider) this.provider(node);
    else if (TerraformStack.isStack(node)) this.stack(node);
    else if (node instanceof TerraformRemoteState) this.remoteState(node);
    else if (TerraformResource.isTerraformResource(node)) this.stripSkew(node);
  }

  private provider(provider: AwsProvider): void {
    const accountId = provider.allowedAccountIdsInput?.[0];
    provider.accessKey = verificationAccessKey(accountId && /^\d{12}$/.test(accountId) ? accountId : '000000000000');
    provider.secretKey = 'verification-only';
    provider.resetAssumeRole();
    provider.skipCredentialsValidation = true;
    provider.skipMetadataApiCheck = 'true';
    provider.skipRegionValidation = true;
    // Not skipped: the account id comes from the loopback STS, so allowed_account_ids stays checked.
    provider.skipRequestingAccountId = false;
    const url = this.props.endpoint;
    provider.endpoints = [{ sts: url, ec2: url, route53: url, s3: url }];
    // A loopback address cannot carry the bucket as a host name.
    provider.s3UsePathStyle = true;
  }

  private stack(stack: TerraformStack): void {
    if (this.stacksDone.has(stack)) return;
    this.stacksDone.add(stack);
    for (const backend of stack.node.findAll().filter(TerraformBackend.isBackend)) {
      const name = Object.keys(backend.toTerraform().terraform.backend)[0];
      if (name !== 'local') stack.addOverride(`terraform.backend.${name}`, undefined);
    }
    stack.addOverride('terraform.backend.local', { path: path.join(this.props.stateDir, `${stack.node.id}.tfstate`) });
    stack.addOverride('terraform.required_providers.aws.version', this.props.providerVersion);
  }

  private remoteState(state: TerraformRemoteState): void {
    const url = this.props.endpoint;
    // Terraform's S3 backend settings: https://developer.hashicorp.com/terraform/language/backend/s3
    state.addOverride('config.assume_role', undefined);
    state.addOverride('config.access_key', verificationAccessKey('000000000000'));
    state.addOverride('config.secret_key', 'verification-only');
    state.addOverride('config.endpoints', { s3: url, sts: url });
    state.addOverride('config.use_path_style', true);
    state.addOverride('config.skip_credentials_validation', true);
    state.addOverride('config.skip_requesting_account_id', true);
    state.addOverride('config.skip_metadata_api_check', true);
    state.addOverride('config.skip_region_validation', true);
  }

  private stripSkew(resource: TerraformResource): void {
    const skew = (this.props.skew ?? []).filter((s) => s.resourceType === resource.terraformResourceType);
    if (skew.length === 0) return;
    const toTerraform = resource.toTerraform.bind(resource);
    // The provider version's schema lacks these arguments or values: drop exactly the
    // arguments, and swap exactly the values for their stand-ins, in the JSON.
    resource.toTerraform = () => {
      const tf = toTerraform();
      for (const body of Object.values<Record<string, unknown>>(tf.resource[resource.terraformResourceType])) {
        for (const s of skew) rewritePath(body, s.argument.split('.'), s);
      }
      return tf;
    };
  }
}

function rewritePath(value: unknown, parts: readonly string[], skew: ProviderSkew): void {
  if (Array.isArray(value)) {
    for (const item of value) rewritePath(item, parts, skew);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  const [key, ...rest] = parts;
  if (rest.length > 0) rewritePath(record[key], rest, skew);
  else if (skew.value === undefined) delete record[key];
  else if (record[key] === skew.value) record[key] = skew.standIn;
}
