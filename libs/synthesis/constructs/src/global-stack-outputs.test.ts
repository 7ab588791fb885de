import { TerraformOutput } from 'cdktf';
import { GlobalStackOutputs } from './global-stack-outputs';
import { synth, testStack } from './test-helpers';

function reader() {
  const stack = testStack(['eu-west-1']);
  const outputs = new GlobalStackOutputs(stack, 'global', {
    stateBackend: { bucket: 'state-bucket', region: 'eu-west-1', key: 'platform/svc-test-global.tfstate' },
    defaults: { table_name: 'svc-test' },
  });
  return { stack, outputs };
}

describe('GlobalStackOutputs', () => {
  it('reads the global stack’s state from the S3 backend, with defaults for a first plan', () => {
    const { stack, outputs } = reader();
    new TerraformOutput(stack, 'table', { value: outputs.get('table_name') });
    const tf = synth(stack);
    const [state] = Object.values(tf.data.terraform_remote_state) as any[];
    expect(state).toEqual({
      backend: 's3',
      config: { bucket: 'state-bucket', key: 'platform/svc-test-global.tfstate', region: 'eu-west-1' },
      defaults: { table_name: 'svc-test' },
    });
    expect(tf.output.table.value).toMatch(/^\${data\.terraform_remote_state\.global_state_\w+\.outputs\.table_name}$/);
  });

  it('refuses to read an output that has no default', () => {
    expect(() => reader().outputs.get('bucket')).toThrow('output "bucket" has no default');
  });
});
