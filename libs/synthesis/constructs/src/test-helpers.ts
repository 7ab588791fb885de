// Test-only helpers (not exported from the library).
import { Testing } from 'cdktf';
import { roleArn } from '@platform/config';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

export const ACCOUNT = '123456789012';

/** A PlatformStack in a fresh test app, in the given regions. */
export function testStack(regions: string[] = ['eu-west-1', 'us-east-1'], overrides: Partial<PlatformStackProps> = {}) {
  const app = Testing.app({ stackTraces: false });
  return new PlatformStack(app, 'test-stack', {
    accountId: ACCOUNT,
    deployRoleArn: roleArn(ACCOUNT, 'platform-deploy'),
    regions,
    defaultTags: { service: 'svc', environment: 'test', layer: 'global', 'managed-by': 'cdktf-platform' },
    stateBackend: { bucket: 'state-bucket', region: 'eu-west-1', key: 'platform/test-stack.tfstate' },
    ...overrides,
  });
}

/** The synthesized Terraform JSON of a stack. */
export function synth(stack: PlatformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/** Every resource of `type` in synthesized JSON, as a list. */
export function resources(tf: any, type: string): any[] {
  return Object.values(tf.resource?.[type] ?? {});
}

/** The single resource of `type`; fails when there is not exactly one. */
export function only(tf: any, type: string): any {
  const all = resources(tf, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}
