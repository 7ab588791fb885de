import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataResource, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { createPlatformApp } from './platform-app';

// The module object cdktf calls (an `import * as` would spy on a copy of it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const childProcess = require('node:child_process') as typeof import('node:child_process');

let outdir: string;
beforeEach(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'platform-app-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(outdir, { recursive: true, force: true });
});

/** A stack with a terraform_data resource (cdktf ties a Terraform version check to it) and a topic. */
function stack(app: ReturnType<typeof createPlatformApp>, withProvider: boolean): TerraformStack {
  const s = new TerraformStack(app, 'probe');
  if (withProvider) new AwsProvider(s, 'aws', { region: 'eu-west-1' });
  new DataResource(s, 'marker', { input: { marker: 'x' } });
  new SnsTopic(s, 'topic', { name: 'probe' });
  return s;
}

describe('createPlatformApp', () => {
  it('synthesizes without running a terraform binary (a machine without Terraform can synth)', () => {
    // cdktf's own validation runs `terraform version` (execSync) for the terraform_data
    // resource; where there is no terraform, that fails the synth. Here no command may run.
    const exec = jest.spyOn(childProcess, 'execSync').mockImplementation((command) => {
      throw new Error(`/bin/sh: 1: ${String(command).split(' ')[0]}: not found`);
    });
    const app = createPlatformApp({ outdir });
    stack(app, true);
    app.synth();
    expect(exec).not.toHaveBeenCalled();
    const tf = JSON.parse(readFileSync(path.join(outdir, 'stacks', 'probe', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(tf.resource)).toEqual(expect.arrayContaining(['terraform_data', 'aws_sns_topic']));
  });

  it("still refuses a stack with a resource whose provider it lacks (cdktf's provider check)", () => {
    const app = createPlatformApp({ outdir });
    stack(app, false);
    expect(() => app.synth()).toThrow(/\[probe\] Found resources without a matching provider construct.*: aws/);
  });
});
