import { DataResource, DataTerraformRemoteStateS3, Fn, TerraformLocal, TerraformStack, Token, conditional, propertyAccess, ref } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsS3Objects } from '@cdktf/provider-aws/lib/data-aws-s3-objects';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { StateBackendProps } from './platform-stack';
import { ConstructPropsError } from './validation';

/** Props of {@link GlobalStackOutputs}. */
export interface GlobalStackOutputsProps {
  /** Backend of the global stack whose outputs are read. */
  readonly stateBackend: StateBackendProps;
  /**
   * Provider that lists the state bucket, with the backend's region and credentials
   * (`PlatformStack.stateProvider`).
   */
  readonly stateProvider: AwsProvider;
  /**
   * Value of each output to use while the global stack has never been applied (no state
   * object yet) or was applied before it had the output. Planning a regional stack of a
   * brand-new service (a pull request that adds the service) must not fail
   * (terraform-cdk #3514), so every output read needs one.
   */
  readonly defaults: Readonly<Record<string, string>>;
}

/**
 * Reads the outputs of a global stack from its state on the S3 backend, explicitly
 * rather than by cdktf's automatic cross-stack references, so a regional stack plans
 * before its global stack exists, and a plan made that way can never be applied.
 *
 * Why not `terraform_remote_state` with `defaults` alone: its defaults only cover a state
 * object without the output. When the object itself is missing (the first plan of a new
 * service or environment), Terraform stops with "Unable to find remote state" whatever
 * the defaults (hashicorp/terraform v1.11.4,
 * internal/builtin/providers/terraform/data_source_state.go: `state.State() == nil`
 * after the S3 client's Get answered NotFound/NoSuchKey with no payload; an open request:
 * https://github.com/hashicorp/terraform/issues/22211).
 *
 * So, in plain Terraform that every runner (pipeline, a person's `terraform plan`) gets:
 * - `aws_s3_objects` lists the bucket with the state key as prefix (ListObjectsV2, only
 *   `s3:ListBucket` on that prefix, which reading the state already needs; a missing key
 *   is an empty list, not an error). The key must be among the listed keys: the prefix
 *   also matches its `.tflock` while the global stack is being applied for the first time.
 * - `terraform_remote_state` (still with `defaults`) has `count` 1 only then;
 * - the outputs are `try(<remote state>[0].outputs, <guard>.input.defaults)`.
 * - The guard, a `terraform_data` holding whether the state was found and the defaults:
 *   every value read goes through it, so at apply everything that uses a global output
 *   waits for it, and its postcondition fails the apply of a plan made without the
 *   state (`self.output` is unknown while planning a create or change, known once
 *   applied; a condition with an unknown result is checked during apply:
 *   https://developer.hashicorp.com/terraform/language/expressions/custom-conditions#conditions-checked-only-during-apply). A plan with defaults can be reviewed (the pull request's plan) but not
 *   applied; a stack whose apply was stopped this way fails its next plan too until the
 *   global stack has state. The pipeline applies global stacks first, and plans a
 *   regional stack again when its global stack was applied after the plan.
 * The runner decides nothing: no variable, no pre-flight HeadObject (which would answer
 * 403 instead of 404 without `s3:ListBucket`).
 */
export class GlobalStackOutputs extends Construct {
  readonly remoteState: DataTerraformRemoteStateS3;
  /** Lists the state key: whether the global stack's state object exists. */
  readonly stateObject: DataAwsS3Objects;
  /** Fails the apply of a plan made while the global stack's state was missing. */
  readonly guard: DataResource;
  private readonly names: ReadonlySet<string>;
  private readonly outputs: TerraformLocal;

  constructor(scope: Construct, id: string, props: GlobalStackOutputsProps) {
    super(scope, id);
    const { bucket, key } = props.stateBackend;
    const stack = TerraformStack.of(this);
    this.names = new Set(Object.keys(props.defaults));
    this.stateObject = new DataAwsS3Objects(this, 'state-object', { provider: props.stateProvider, bucket, prefix: key });
    const found = Fn.contains(this.stateObject.keys, key);

    this.remoteState = new DataTerraformRemoteStateS3(this, 'state', {
      bucket,
      key,
      region: props.stateBackend.region,
      ...(props.stateBackend.roleArn ? { assumeRole: { roleArn: props.stateBackend.roleArn } } : {}),
      defaults: { ...props.defaults },
    });
    this.remoteState.addOverride('count', conditional(found, 1, 0));

    this.guard = new DataResource(this, 'guard', {
      input: { state_found: found, defaults: { ...props.defaults } },
      lifecycle: {
        postcondition: [
          {
            condition: '${self.input.state_found ? true : self.output == null}',
            errorMessage:
              `The global stack's state s3://${bucket}/${key} did not exist when this plan was made, so the plan uses ` +
              'the defaults of a first plan: it can be reviewed, never applied. Apply the global stack first, then plan this stack again.',
          },
        ],
      },
    });

    this.outputs = new TerraformLocal(
      this,
      'outputs',
      Fn.try([ref(`${this.remoteState.fqn}[0].outputs`, stack), ref(`${this.guard.fqn}.input.defaults`, stack)]),
    );
  }

  /** A string output of the global stack. Only outputs given a default can be read. */
  get(name: string): string {
    if (!this.names.has(name)) {
      throw new ConstructPropsError(this, `output "${name}" has no default; add it to the defaults so a first plan works`);
    }
    return Token.asString(propertyAccess(ref(`local.${this.outputs.friendlyUniqueId}`, TerraformStack.of(this)), [name]));
  }
}
