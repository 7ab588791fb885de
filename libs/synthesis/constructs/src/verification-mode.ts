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
  /** Absolute folder for the stacks' local state files and the empty remote state. */
  readonly stateDir: string;
  /** Loopback endpoint answering the lookups that happen at plan time (STS, EC2, Route53), e.g. `http://127.0.0.1:4599`. */
  readonly endpoint: string;
  /** Version constraint of the AWS provider used for verification, e.g. `5.100.0`. */
  readonly providerVersion: string;
  /**
   * Arguments to strip because the verification provider predates them.
   * @default - none
   */
  readonly skew?: readonly ProviderSkew[];
}

/** File name (in `stateDir`) of the empty state every remote-state read gets in verification mode. */
export const EMPTY_REMOTE_STATE_FILE = 'empty-remote.tfstate';

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
 *   `assume_role`, and `endpoints` for STS, EC2 and Route53 on the loopback endpoint;
 * - the backend becomes a local one under `stateDir`;
 * - every `terraform_remote_state` reads an empty local state, so its defaults apply.
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
    provider.endpoints = [{ sts: url, ec2: url, route53: url }];
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
    const config = (state.toTerraform().data.terraform_remote_state as Record<string, { config?: object }>)[state.friendlyUniqueId]
      .config;
    state.addOverride('backend', 'local');
    for (const key of Object.keys(config ?? {})) state.addOverride(`config.${key}`, undefined);
    state.addOverride('config.path', path.join(this.props.stateDir, EMPTY_REMOTE_STATE_FILE));
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
