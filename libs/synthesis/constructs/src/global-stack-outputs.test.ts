import { TerraformOutput } from 'cdktf';
import { GlobalStackOutputs } from './global-stack-outputs';
import type { StateBackendProps } from './platform-stack';
import { synth, testStack } from './test-helpers';

const KEY = 'platform/test/svc-test-global.tfstate';

function reader(stateBackend: Partial<StateBackendProps> = {}) {
  const stack = testStack(['eu-west-1']);
  const outputs = new GlobalStackOutputs(stack, 'global', {
    stateBackend: { bucket: 'state-bucket', region: 'eu-west-1', key: KEY, ...stateBackend },
    stateProvider: stack.stateProvider,
    defaults: { table_name: 'svc-test' },
  });
  new TerraformOutput(stack, 'table', { value: outputs.get('table_name') });
  const tf = synth(stack);
  const [listingName] = Object.keys(tf.data.aws_s3_objects);
  const [stateName] = Object.keys(tf.data.terraform_remote_state);
  const [guardName] = Object.keys(tf.resource.terraform_data);
  return { tf, listingName, stateName, guardName, listing: tf.data.aws_s3_objects[listingName], state: tf.data.terraform_remote_state[stateName], guard: tf.resource.terraform_data[guardName] };
}

describe('GlobalStackOutputs', () => {
  it('lists the state bucket with the global stack’s key as prefix, through the state provider (a missing key is an empty list, not an error)', () => {
    const { listing } = reader();
    expect(listing).toEqual({ provider: 'aws.state', bucket: 'state-bucket', prefix: KEY });
  });

  it('reads the remote state, with the defaults, only when the listing holds the exact key (not just its .tflock)', () => {
    const { state, listingName } = reader();
    expect(state).toEqual({
      backend: 's3',
      config: { bucket: 'state-bucket', key: KEY, region: 'eu-west-1' },
      defaults: { table_name: 'svc-test' },
      count: `\${contains(data.aws_s3_objects.${listingName}.keys, "${KEY}") ? 1 : 0}`,
    });
  });

  it('get() is the remote state’s output when the state exists, else the default held by the guard', () => {
    const { tf, stateName, guardName } = reader();
    const [[local, expression]] = Object.entries<string>(tf.locals);
    expect(expression).toBe(`\${try(data.terraform_remote_state.${stateName}[0].outputs, terraform_data.${guardName}.input.defaults)}`);
    expect(tf.output.table.value).toBe(`\${local.${local}.table_name}`);
  });

  it('guards the apply: the guard records whether the state was found, and its postcondition fails once a plan made without it is applied', () => {
    const { guard, listingName } = reader();
    expect(guard.input).toEqual({ state_found: `\${contains(data.aws_s3_objects.${listingName}.keys, "${KEY}")}`, defaults: { table_name: 'svc-test' } });
    expect(guard.lifecycle.postcondition).toEqual([
      {
        // self.output is unknown while a create or change is planned: the check waits for the apply.
        condition: '${self.input.state_found ? true : self.output == null}',
        error_message: expect.stringMatching(/^The global stack's state s3:\/\/state-bucket\/platform\/test\/svc-test-global\.tfstate did not exist when this plan was made/),
      },
    ]);
  });

  it('reads through the state role when the backend has one', () => {
    const { state } = reader({ roleArn: 'arn:aws:iam::000000000000:role/platform-state-test' });
    expect(state.config.assume_role).toEqual({ role_arn: 'arn:aws:iam::000000000000:role/platform-state-test' });
  });

  it('refuses to read an output that has no default', () => {
    const stack = testStack(['eu-west-1']);
    const outputs = new GlobalStackOutputs(stack, 'global', {
      stateBackend: { bucket: 'state-bucket', region: 'eu-west-1', key: KEY },
      stateProvider: stack.stateProvider,
      defaults: { table_name: 'svc-test' },
    });
    expect(() => outputs.get('bucket')).toThrow('output "bucket" has no default');
  });
});
