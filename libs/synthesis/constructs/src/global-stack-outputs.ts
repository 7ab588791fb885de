import { DataTerraformRemoteStateS3 } from 'cdktf';
import { Construct } from 'constructs';
import type { StateBackendProps } from './platform-stack';
import { ConstructPropsError } from './validation';

/** Props of {@link GlobalStackOutputs}. */
export interface GlobalStackOutputsProps {
  /** Backend of the global stack whose outputs are read. */
  readonly stateBackend: StateBackendProps;
  /**
   * Value of each output to use while the global stack has never been applied.
   * Planning a regional stack of a brand-new service (a pull request that adds the
   * service) must not fail (terraform-cdk #3514), so every output read needs one.
   */
  readonly defaults: Readonly<Record<string, string>>;
}

/**
 * Reads the outputs of a global stack through `terraform_remote_state` on the S3
 * backend, explicitly rather than by cdktf's automatic cross-stack references, and
 * with defaults, so a regional stack plans before its global stack exists.
 */
export class GlobalStackOutputs extends Construct {
  readonly remoteState: DataTerraformRemoteStateS3;
  private readonly names: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: GlobalStackOutputsProps) {
    super(scope, id);
    this.names = new Set(Object.keys(props.defaults));
    this.remoteState = new DataTerraformRemoteStateS3(this, 'state', {
      bucket: props.stateBackend.bucket,
      key: props.stateBackend.key,
      region: props.stateBackend.region,
      ...(props.stateBackend.roleArn ? { assumeRole: { roleArn: props.stateBackend.roleArn } } : {}),
      defaults: { ...props.defaults },
    });
  }

  /** A string output of the global stack. Only outputs given a default can be read. */
  get(name: string): string {
    if (!this.names.has(name)) {
      throw new ConstructPropsError(this, `output "${name}" has no default; add it to the defaults so a first plan works`);
    }
    return this.remoteState.getString(name);
  }
}
