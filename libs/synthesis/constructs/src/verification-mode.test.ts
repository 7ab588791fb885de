// Value skew: an argument the verification provider knows, with a value it does not
// (nodejs24.x for runtime in hashicorp/aws 5.100.0). Only that value, only on that
// resource type, is swapped for the stand-in; everything else stays as synthesized.
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaLayerVersion } from '@cdktf/provider-aws/lib/lambda-layer-version';
import { type ProviderSkew, VerificationMode, describeSkew } from './verification-mode';
import { only, resources, synth, testStack } from './test-helpers';

const RUNTIME_SKEW: ProviderSkew = {
  resourceType: 'aws_lambda_function',
  argument: 'runtime',
  value: 'nodejs24.x',
  standIn: 'nodejs22.x',
  addedIn: '6.21.0',
  changelog: 'https://github.com/hashicorp/terraform-provider-aws/blob/main/CHANGELOG.md#6210-november-13-2025',
};

function stackWith(runtimes: string[], skew: readonly ProviderSkew[]) {
  const stack = testStack(['eu-west-1']);
  const provider = stack.provider('eu-west-1');
  runtimes.forEach((runtime, i) => {
    new LambdaFunction(stack, `fn-${i}`, { provider, functionName: `fn-${i}`, role: 'arn:aws:iam::123456789012:role/r', runtime });
  });
  new LambdaLayerVersion(stack, 'layer', { provider, layerName: 'layer', compatibleRuntimes: ['nodejs24.x'] });
  VerificationMode.applyTo(stack, { stateDir: '/tmp/state', endpoint: 'http://127.0.0.1:4599', providerVersion: '5.100.0', skew });
  return synth(stack);
}

describe('VerificationMode value skew', () => {
  it('given runtime nodejs24.x as value skew, when synthesized for verification, then that value becomes the stand-in', () => {
    const tf = stackWith(['nodejs24.x'], [RUNTIME_SKEW]);
    expect(only(tf, 'aws_lambda_function').runtime).toBe('nodejs22.x');
  });

  it('leaves other values of the argument and other resource types as they are', () => {
    const tf = stackWith(['python3.13', 'nodejs24.x'], [RUNTIME_SKEW]);
    expect(resources(tf, 'aws_lambda_function').map((f) => f.runtime)).toEqual(['python3.13', 'nodejs22.x']);
    expect(only(tf, 'aws_lambda_layer_version').compatible_runtimes).toEqual(['nodejs24.x']);
  });

  it('without the skew entry keeps nodejs24.x', () => {
    expect(only(stackWith(['nodejs24.x'], []), 'aws_lambda_function').runtime).toBe('nodejs24.x');
  });

  it('refuses a value without a stand-in, naming the entry', () => {
    expect(() => stackWith(['nodejs24.x'], [{ ...RUNTIME_SKEW, standIn: undefined }])).toThrow(
      'provider skew aws_lambda_function.runtime: value and standIn go together (the new value and the one the verification provider accepts); set both or neither',
    );
  });

  it('describes a value skew with its stand-in and an argument skew by its path', () => {
    expect(describeSkew(RUNTIME_SKEW)).toBe('aws_lambda_function.runtime = "nodejs24.x" (verified as "nodejs22.x")');
    expect(describeSkew({ ...RUNTIME_SKEW, argument: 'replica.x', value: undefined, standIn: undefined })).toBe('aws_lambda_function.replica.x');
  });
});
