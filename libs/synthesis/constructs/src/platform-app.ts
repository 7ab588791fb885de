import { App, TerraformStack } from 'cdktf';
// Not exported from cdktf's index; the same module cdktf's stacks add to themselves.
import { ValidateProviderPresence } from 'cdktf/lib/validations';

/** Props of {@link createPlatformApp}. */
export interface PlatformAppProps {
  /** Where to write the synthesized stacks. @default "cdktf.out" */
  readonly outdir?: string;
  /**
   * Record where each construct and token was created (for cdktf's error messages).
   * Costs about a quarter of synth time on hundreds of stacks (8.4 s vs 6.0-6.6 s at 550).
   * @default false, or true when CDKTF_CREATION_STACKS=1
   */
  readonly creationStacks?: boolean;
}

/**
 * The stack validations cdktf runs while it synthesizes, without the ones that run the
 * local `terraform` binary.
 *
 * cdktf adds two kinds: every stack checks that each resource's provider is in the stack
 * (`ValidateProviderPresence`), and every `terraform_data` resource, import block and
 * stack with a moved block checks the local Terraform's version by running
 * `terraform version` (`ValidateTerraformVersion`, an execSync each time). That made a
 * synth of the example platform run it 29 times, about 3.5 of its 5 s, and made synth fail
 * with "Could not determine version of terraform" on a machine without Terraform, though
 * synth never runs it. The version is not a fact of the synthesizing machine: every stack
 * declares `terraform.required_version` (`REQUIRED_TERRAFORM_VERSION`, >= 1.11.0, above
 * what those constructs need), which Terraform checks itself wherever it runs the stack.
 * So the App skips cdktf's validations (`skipValidation`) and runs the provider check here.
 */
class PlatformApp extends App {
  constructor(props: { outdir?: string; stackTraces: boolean }) {
    super({ ...props, skipValidation: true });
  }

  override synth(): void {
    const problems = this.node
      .findAll()
      .filter((c): c is TerraformStack => TerraformStack.isStack(c))
      .flatMap((stack) => new ValidateProviderPresence(stack).validate().map((m) => `[${stack.node.path}] ${m}`));
    if (problems.length) throw new Error(`Validation failed with the following errors:\n  ${problems.join('\n  ')}`);
    super.synth();
  }
}

/**
 * The cdktf App the platform and the bootstrap synthesize into: cdktf's validations
 * without the local Terraform version checks ({@link PlatformApp}), and, without creation
 * stacks, none of what cdktf records for debugging only: construct stack traces
 * (`stackTraces: false`) and the full stack trace cdktf captures and formats for every
 * token it creates, which it uses solely to decorate token-resolution errors.
 */
export function createPlatformApp(props: PlatformAppProps = {}): App {
  const creationStacks = props.creationStacks ?? process.env.CDKTF_CREATION_STACKS === '1';
  if (!creationStacks) {
    // cdktf has no switch for token creation stacks; its modules call this export at
    // call time (`stack_trace_1.captureStackTrace()`), so replacing it takes effect.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const stackTrace = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] };
    stackTrace.captureStackTrace = () => [];
  }
  return new PlatformApp({ outdir: props.outdir, stackTraces: creationStacks });
}
