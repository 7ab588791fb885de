import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStacks } from './check';
import { renderPolicyMarkdown } from './markdown';
import { RULES } from './rules';
import { renderSarif } from './sarif';
import { SuppressionError, loadSuppressionsFile } from './suppressions';
import { stackFromJson } from './terraform-json';

// A bucket with everything but versioning, and a role policy with a write on "*".
const tf = (extra: Record<string, unknown> = {}) => ({
  resource: {
    aws_s3_bucket: {
      b: { '//': { metadata: { path: 's/objects/bucket' }, ...extra }, bucket: 'acme-b' },
    },
    aws_s3_bucket_server_side_encryption_configuration: { e: { bucket: '${aws_s3_bucket.b.id}' } },
    aws_s3_bucket_logging: { l: { bucket: '${aws_s3_bucket.b.id}' } },
    aws_s3_bucket_ownership_controls: { o: { bucket: '${aws_s3_bucket.b.id}', rule: { object_ownership: 'BucketOwnerEnforced' } } },
    aws_s3_bucket_public_access_block: {
      p: { bucket: '${aws_s3_bucket.b.id}', block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    },
    aws_s3_bucket_policy: {
      tls: {
        bucket: '${aws_s3_bucket.b.id}',
        policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] }),
      },
    },
    aws_iam_role_policy: {
      rp: {
        '//': { metadata: { path: 's/api/role-policy' } },
        policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['dynamodb:PutItem', 'xray:PutTraceSegments'], Resource: '*' }] }),
      },
    },
  },
});
const stack = (extra?: Record<string, unknown>) => stackFromJson('s', 'platform', tf(extra));
const ids = (report: ReturnType<typeof checkStacks>) => report.errors.map((f) => `${f.rule.id} ${f.resource.path}`);

describe('rules', () => {
  it('gives every rule a unique id, a severity, a title and a fix', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) expect([r.id, r.title.length > 10, r.fix.length > 5]).toEqual([r.id, true, true]);
  });

  it('finds an unversioned bucket and a write on "*", and nothing else', () => {
    expect(ids(checkStacks([stack()]))).toEqual(['CKV_AWS_21 s/objects/bucket', 'CKV_AWS_355 s/api/role-policy']);
  });

  it('names the actions that have resource-level permissions, not those that take none', () => {
    const f = checkStacks([stack()]).errors.find((x) => x.rule.id === 'CKV_AWS_355')!;
    expect(f.message).toBe('allows dynamodb:PutItem on "*"');
  });
});

describe('CKV_AWS_115: a function carries its concurrency decision (issue 22 #5)', () => {
  const fn = (values: Record<string, unknown>) =>
    stackFromJson('s', 'platform', {
      resource: { aws_lambda_function: { f: { '//': { metadata: { path: 's/api/function' } }, tracing_config: { mode: 'Active' }, ...values } } },
    });
  const ckv115 = (values: Record<string, unknown>) => checkStacks([fn(values)]).errors.filter((f) => f.rule.id === 'CKV_AWS_115').map((f) => f.message);

  it('passes a function with a reservation', () => {
    expect(ckv115({ reserved_concurrent_executions: 50 })).toEqual([]);
  });

  it('passes a function the config gives no reservation, tagged as sharing the unreserved pool', () => {
    expect(ckv115({ tags: { 'platform:reserved-concurrency': 'none' } })).toEqual([]);
  });

  it('fails a function with neither', () => {
    expect(ckv115({})).toEqual(['no reserved concurrency and no unreserved decision tag']);
  });
});

describe('network rule', () => {
  it('finds a security group ingress rule open to the internet', () => {
    const open = stackFromJson('s', 'platform', {
      resource: { aws_vpc_security_group_ingress_rule: { i: { '//': { metadata: { path: 's/db/ingress' } }, cidr_ipv4: '0.0.0.0/0', from_port: 5432 } } },
    });

    expect(ids(checkStacks([open]))).toEqual(['PLT_EC2_1 s/db/ingress']);
  });
});

describe('suppressions', () => {
  it('turns a finding suppressed where the resource is defined into a listed suppression', () => {
    const report = checkStacks([stack({ policy_suppressions: [{ rule: 'CKV_AWS_21', reason: 'a test bucket that is never written' }] })]);

    expect(ids(report)).toEqual(['CKV_AWS_355 s/api/role-policy']);
    expect(renderPolicyMarkdown(report)).toContain('**CKV_AWS_21** `s/objects/bucket` (inline): a test bucket that is never written');
  });

  it('suppresses from the committed file by construct path', () => {
    const report = checkStacks([stack()], [{ rule: 'CKV_AWS_355', resources: ['s/api/*'], reason: 'X-Ray and the item writes are tested here' }]);

    expect(ids(report)).toEqual(['CKV_AWS_21 s/objects/bucket']);
  });

  it.each([
    [{ rule: 'CKV_AWS_999', resources: ['s/api/*'], reason: 'a long enough reason' }, 'no rule "CKV_AWS_999" in the rule pack'],
    [{ rule: 'CKV_AWS_355', resources: ['s/nothing/*'], reason: 'a long enough reason' }, 'no resource at "s/nothing/*" in the synthesized stacks'],
  ])('fails on a suppression naming what does not exist (%j)', (suppression, message) => {
    expect(() => checkStacks([stack()], [suppression])).toThrow(message);
  });

  it('fails on an inline suppression without a reason or of an unknown rule', () => {
    expect(() => checkStacks([stack({ policy_suppressions: [{ rule: 'CKV_AWS_21', reason: '' }] })])).toThrow(
      's/objects/bucket: suppression of CKV_AWS_21 needs a reason',
    );
    expect(() => checkStacks([stack({ policy_suppressions: [{ rule: 'NOPE', reason: 'a long enough reason' }] })])).toThrow(
      'suppression of unknown rule "NOPE"',
    );
  });

  it('refuses a file suppression without a reason or without resources, naming the entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'supp-'));
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify({ suppressions: [{ rule: 'CKV_AWS_21', resources: ['s/*'], reason: '' }] }));
    expect(() => loadSuppressionsFile(file)).toThrow(`${file}: suppressions[0] (CKV_AWS_21): give a reason`);
    writeFileSync(file, JSON.stringify({ suppressions: [{ rule: 'CKV_AWS_21', resources: [], reason: 'a long enough reason' }] }));
    expect(() => loadSuppressionsFile(file)).toThrow(SuppressionError);
    expect(() => loadSuppressionsFile(file)).toThrow('a blanket suppression of a rule is not allowed');
  });
});

describe('reports', () => {
  it('writes SARIF 2.1.0 with one result per finding and the justification of suppressed ones', () => {
    const report = checkStacks([stack({ policy_suppressions: [{ rule: 'CKV_AWS_21', reason: 'a test bucket that is never written' }] })]);
    const sarif = renderSarif(report) as any;

    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].tool.driver.rules).toHaveLength(RULES.length);
    expect(sarif.runs[0].results.map((r: any) => [r.ruleId, r.level, r.suppressions?.[0].justification])).toEqual([
      ['CKV_AWS_21', 'error', 'a test bucket that is never written'],
      ['CKV_AWS_355', 'error', undefined],
    ]);
    expect(sarif.runs[0].results[1].locations[0].logicalLocations[0].fullyQualifiedName).toBe('s/api/role-policy');
  });

  it('counts passed, failed and suppressed per rule', () => {
    const row = renderPolicyMarkdown(checkStacks([stack()]))
      .split('\n')
      .find((l) => l.startsWith('| CKV_AWS_21 |'));
    expect(row).toBe('| CKV_AWS_21 | error | S3 buckets are versioned (log buckets included) | 0 | 1 | 0 |');
  });
});

describe('cli', () => {
  const cli = (args: string[]) => {
    try {
      const stdout = execFileSync(process.execPath, [join(__dirname, '../../../../tools/run-ts.mjs'), join(__dirname, 'cli.ts'), ...args], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
      return { code: 0, stdout, stderr: '' };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      return { code: e.status, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const outdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-out-'));
    mkdirSync(join(dir, 'stacks', 's'), { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks: { s: { synthesizedStackPath: 'stacks/s/cdk.tf.json' } } }));
    writeFileSync(join(dir, 'stacks', 's', 'cdk.tf.json'), JSON.stringify(tf()));
    return dir;
  };

  it('exits 1 naming each unsuppressed error', () => {
    const result = cli(['--stacks', outdir(), '--suppressions', join(tmpdir(), 'none.json')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error CKV_AWS_21: s/objects/bucket: versioning is not enabled');
  });

  it('fails with one line, no stack trace, on a suppression of a rule that does not exist', () => {
    const dir = outdir();
    const file = join(dir, 'supp.json');
    writeFileSync(file, JSON.stringify({ suppressions: [{ rule: 'CKV_NOPE', resources: ['s/*'], reason: 'a long enough reason' }] }));
    const result = cli(['--stacks', dir, '--suppressions', file]);

    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('no rule "CKV_NOPE" in the rule pack')]);
  });

  it('says to synthesize first when there is no output', () => {
    const result = cli(['--stacks', join(tmpdir(), 'no-such-out')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('manifest.json not found: synthesize first (npm run synth)');
  });
});
