import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffSynthOutputs } from './synth-diff';

function outDir(stacks: Record<string, unknown>, format: (json: unknown) => string = (j) => JSON.stringify(j)): string {
  const dir = mkdtempSync(join(tmpdir(), 'synth-diff-'));
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), format(json));
  }
  return dir;
}

const regional = (asset: string) => ({ resource: { aws_lambda_function: { api: { filename: `assets/api_code/${asset}/lambda.zip` } } } });

describe('diffSynthOutputs', () => {
  it('leaves a stack whose Terraform JSON is the same out, even when the config section it reads changed', () => {
    const base = outDir({ 'items-staging-global': { replicas: ['eu-west-1'] }, 'items-staging-eu-west-1': regional('aaa') });
    const head = outDir({ 'items-staging-global': { replicas: ['eu-west-1', 'eu-central-1'] }, 'items-staging-eu-west-1': regional('aaa'), 'items-staging-eu-central-1': regional('aaa') });

    expect(diffSynthOutputs(base, head)).toEqual({
      changed: ['items-staging-global'],
      added: ['items-staging-eu-central-1'],
      removed: [],
      unchanged: ['items-staging-eu-west-1'],
    });
  });

  it('marks a regional stack changed when its app changed (the asset path carries the bundle hash)', () => {
    const diff = diffSynthOutputs(outDir({ 'items-dev-eu-west-1': regional('aaa') }), outDir({ 'items-dev-eu-west-1': regional('bbb') }));
    expect(diff.changed).toEqual(['items-dev-eu-west-1']);
  });

  it('ignores formatting and reports stacks no longer synthesized as removed', () => {
    const diff = diffSynthOutputs(outDir({ a: { x: 1 }, gone: {} }), outDir({ a: { x: 1 } }, (j) => JSON.stringify(j, null, 2)));
    expect(diff).toMatchObject({ changed: [], unchanged: ['a'], removed: ['gone'] });
  });

  it('says to synthesize first when an output is missing', () => {
    expect(() => diffSynthOutputs(join(tmpdir(), 'no-such-out'), outDir({}))).toThrow('synthesize first');
  });
});
