import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type OutputFile, classify, compareOutputs, diffJson, formatReport, rewriteImports, swapPackageJson } from './cdktn-canary';

const FIXTURES = path.join(__dirname, 'fixtures', 'cdktn-canary');
const fixture = (name: string): OutputFile => ({ json: JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) });
const STACK = 'platform/stacks/svc-dev-eu-west-1/cdk.tf.json';

describe('comparing a stack synthesized by cdktf with the same stack synthesized by cdktn', () => {
  it('given only the provider pin, its source address and the framework version differ, when compared, then each is expected and named, and nothing is a finding', () => {
    const differences = compareOutputs(new Map([[STACK, fixture('cdktf.cdk.tf.json')]]), new Map([[STACK, fixture('cdktn.cdk.tf.json')]]));

    expect(differences.map((d) => [d.path, d.before, d.after, d.expected?.name])).toEqual([
      ['["//"].metadata.version', '0.21.0', '0.24.0', 'framework metadata'],
      ['terraform.required_providers.aws.source', 'aws', 'hashicorp/aws', 'provider source address in full'],
      ['terraform.required_providers.aws.version', '6.25.0', '6.66.0', 'provider version constraint'],
    ]);
    expect(formatReport(differences, 1).at(-1)).toBe('canary:cdktn: pass: 1 files compared; only the expected differences');
  });

  it('given a resource argument differs, when classified, then it is a finding that names the stack, the JSON path and both values', () => {
    const before = fixture('cdktf.cdk.tf.json') as { json: any };
    const after = structuredClone(before.json);
    after.resource.aws_s3_bucket.bucket_A1B2C3D4.force_destroy = true;

    const differences = compareOutputs(new Map([[STACK, before]]), new Map([[STACK, { json: after }]]));

    expect(differences).toEqual([
      expect.objectContaining({ file: STACK, path: 'resource.aws_s3_bucket.bucket_A1B2C3D4.force_destroy', before: undefined, after: true, expected: undefined }),
    ]);
    expect(formatReport(differences, 1)).toEqual([
      `finding: ${STACK} resource.aws_s3_bucket.bucket_A1B2C3D4.force_destroy: (absent) -> true`,
      'canary:cdktn: 1 finding in 1 files compared',
    ]);
  });

  it('given a logical ID changes, when classified, then both the removed and the added resource are findings', () => {
    const differences = classify(STACK, diffJson({ resource: { aws_s3_bucket: { bucket_A1B2C3D4: {} } } }, { resource: { aws_s3_bucket: { bucket_FFFFFFFF: {} } } }));

    expect(differences.map((d) => [d.path, d.expected])).toEqual([
      ['resource.aws_s3_bucket.bucket_A1B2C3D4', undefined],
      ['resource.aws_s3_bucket.bucket_FFFFFFFF', undefined],
    ]);
  });

  it.each([
    ['another "//" metadata key', '["//"].metadata.backend', 's3', 'local'],
    ['the provider source namespace', 'terraform.required_providers.aws.source', 'aws', 'opentofu/aws'],
    ['the required Terraform version', 'terraform.required_version', '>= 1.10.0', '>= 1.11.0'],
  ])('given %s differs, when classified, then it is a finding, not framework metadata', (_what, at, before, after) => {
    expect(classify(STACK, [{ path: at, before, after }])[0].expected).toBeUndefined();
  });

  it("given the framework version in the manifest differs, when classified, then it is framework metadata; another manifest key is a finding", () => {
    const [version, stacks] = classify('platform/manifest.json', [
      { path: 'version', before: '0.21.0', after: '0.24.0' },
      { path: 'stacks.svc-dev-global.dependencies[0]', before: 'a', after: 'b' },
    ]);

    expect(version.expected?.name).toBe('framework metadata');
    expect(stacks.expected).toBeUndefined();
  });

  it('given the provider version differs in a file that is not a stack, when classified, then it is a finding', () => {
    expect(classify('platform/manifest.json', [{ path: 'terraform.required_providers.aws.version', before: '6.25.0', after: '6.66.0' }])[0].expected).toBeUndefined();
  });

  it('given a file exists on one side only or a zip differs, when compared, then each is a finding', () => {
    const zip = (text: string): OutputFile => ({ bytes: Buffer.from(text) });
    const differences = compareOutputs(
      new Map([['a/lambda.zip', zip('one')], ['b/cdk.tf.json', { json: {} }]]),
      new Map([['a/lambda.zip', zip('two!')], ['c/cdk.tf.json', { json: {} }]]),
    );

    expect(differences.map((d) => [d.file, d.path, d.before, d.after, d.expected])).toEqual([
      ['a/lambda.zip', '(bytes)', '3 bytes', '4 bytes', undefined],
      ['b/cdk.tf.json', '(file)', 'present', undefined, undefined],
      ['c/cdk.tf.json', '(file)', undefined, 'present', undefined],
    ]);
  });

  it('given the same members in another key order, when diffed, then there is no difference (Terraform JSON objects are unordered), but array order counts', () => {
    expect(diffJson({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toEqual([]);
    expect(diffJson({ b: [1, 2] }, { b: [2, 1] }).map((d) => d.path)).toEqual(['b[0]', 'b[1]']);
  });
});

describe('swapping the copy to cdktn', () => {
  it('given the imports of a construct, when rewritten, then cdktf and @cdktf/provider-aws module names become cdktn ones and nothing else changes', () => {
    const source = [
      "import { TerraformStack } from 'cdktf';",
      "import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';",
      "const trace = require('cdktf/lib/tokens/private/stack-trace');",
      "const out = 'cdktf.out'; const tag = 'cdktf-platform'; const file = \"cdktf.json\"; // cdktf docs",
      '{ "externalDependencies": ["cdktf", "@cdktf/provider-aws", "constructs"] }',
    ].join('\n');

    const { text, count } = rewriteImports(source);

    expect(text.split('\n')).toEqual([
      "import { TerraformStack } from 'cdktn';",
      "import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';",
      "const trace = require('cdktn/lib/tokens/private/stack-trace');",
      "const out = 'cdktf.out'; const tag = 'cdktf-platform'; const file = \"cdktf.json\"; // cdktf docs",
      '{ "externalDependencies": ["cdktn", "@cdktn/provider-aws", "constructs"] }',
    ]);
    expect(count).toBe(5);
  });

  it('given the workspace package.json, when swapped, then cdktn, its provider and constructs replace cdktf, and cdktf-cli is gone', () => {
    const pkg = {
      name: 'x',
      dependencies: { '@cdktf/provider-aws': '^21.22.1', cdktf: '^0.21.0', constructs: '^10.8.1', zod: '^4.0.0' },
      devDependencies: { 'cdktf-cli': '^0.21.0', jest: '^30.0.0' },
    };

    const swapped = swapPackageJson(pkg, { cdktn: '0.24.0', providerAws: '25.7.0', constructs: '10.7.2' });

    expect(swapped).toEqual({
      name: 'x',
      dependencies: { '@cdktn/provider-aws': '25.7.0', cdktn: '0.24.0', constructs: '10.7.2', zod: '^4.0.0' },
      devDependencies: { jest: '^30.0.0' },
    });
  });

  it('given a package.json without cdktf, when swapped, then it says which dependency is missing', () => {
    expect(() => swapPackageJson({ dependencies: { '@cdktf/provider-aws': '1' } }, { cdktn: '0.24.0', providerAws: '25.7.0', constructs: '10.7.2' })).toThrow(
      'package.json has no dependency "cdktf" to swap for "cdktn"',
    );
  });
});
