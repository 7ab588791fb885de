import type { ProviderSkew } from './verification-mode';

/**
 * Arguments the stacks set (for the provider version the cdktf bindings target,
 * 6.25.0) that the AWS provider used for offline verification (the 5.100.0 mirror)
 * rejects with "No argument or block type is named …". Verification mode strips
 * exactly these and nothing else; the verification summary prints them, because what
 * is stripped is not verified. Found by running `terraform validate`; versions and
 * links from the provider's CHANGELOG.
 */
export const PROVIDER_SKEW: readonly ProviderSkew[] = [
  {
    resourceType: 'aws_dynamodb_table',
    argument: 'replica.deletion_protection_enabled',
    addedIn: '6.9.0',
    changelog:
      'https://github.com/hashicorp/terraform-provider-aws/blob/main/CHANGELOG.md#690-august-14-2025 (#43240: https://github.com/hashicorp/terraform-provider-aws/pull/43240)',
  },
];
