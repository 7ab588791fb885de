import type { ProviderSkew } from './verification-mode';

/**
 * Arguments and values the stacks set (for the provider version the cdktf bindings
 * target, 6.25.0) that the AWS provider used for offline verification (the 5.100.0
 * mirror) rejects: "No argument or block type is named …" for an argument, "expected
 * runtime to be one of […]" for a value. Verification mode strips exactly these
 * arguments and puts the stand-in in place of exactly these values, nothing else; the
 * verification summary prints them, because what is stripped or swapped is not
 * verified. Found by running `terraform validate`; versions and links from the
 * provider's CHANGELOG.
 */
export const PROVIDER_SKEW: readonly ProviderSkew[] = [
  {
    resourceType: 'aws_dynamodb_table',
    argument: 'replica.deletion_protection_enabled',
    addedIn: '6.9.0',
    changelog:
      'https://github.com/hashicorp/terraform-provider-aws/blob/main/CHANGELOG.md#690-august-14-2025 (#43240: https://github.com/hashicorp/terraform-provider-aws/pull/43240)',
  },
  {
    // LAMBDA_RUNTIME. The stand-in is the newest Node runtime 5.100.0 knows; the run
    // still validates every other argument of the function.
    resourceType: 'aws_lambda_function',
    argument: 'runtime',
    value: 'nodejs24.x',
    standIn: 'nodejs22.x',
    addedIn: '6.21.0',
    changelog:
      'https://github.com/hashicorp/terraform-provider-aws/blob/main/CHANGELOG.md#6210-november-13-2025 (#45024: https://github.com/hashicorp/terraform-provider-aws/pull/45024)',
  },
];
