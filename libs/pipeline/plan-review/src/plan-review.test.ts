import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowanceFromLabels, guard } from './guard';
import { COMMENT_MARKER, renderMarkdown } from './markdown';
import { PlanFormatError, parsePlanJson } from './plan-json';
import { findPlanFiles, reviewPlans } from './review';
import { changeKind, summarizePlan } from './summarize';

const FIXTURES = join(__dirname, '..', 'fixtures', 'plans');
const fixture = (stack: string) => summarizePlan(stack, parsePlanJson(readFileSync(join(FIXTURES, stack, 'plan.json'), 'utf8'), stack));

describe('changeKind', () => {
  it.each([
    [['create'], 'create', undefined],
    [['update'], 'update', undefined],
    [['delete'], 'delete', undefined],
    [['no-op'], 'no-op', undefined],
    [['read'], 'read', undefined],
    [['forget'], 'forget', undefined],
    [['delete', 'create'], 'replace', 'delete-first'],
    [['create', 'delete'], 'replace', 'create-first'],
  ])('classifies %j as %s', (actions, kind, order) => {
    expect(changeKind(actions)).toEqual(order ? { kind, order } : { kind });
  });
});

describe('summarizePlan', () => {
  it('counts creates, updates, replaces and deletes, ignoring no-ops and data reads', () => {
    expect(fixture('items-dev-global').counts).toMatchObject({ create: 0, update: 1, replace: 1, delete: 0 });
    expect(fixture('items-dev-eu-west-1').counts).toMatchObject({ create: 2, update: 1, replace: 1, delete: 0 });
    expect(fixture('orders-dev-global').counts).toMatchObject({ create: 0, update: 0, replace: 0, delete: 2, import: 1 });
  });

  it('keeps what forces a replacement and its order', () => {
    const [replace] = fixture('items-dev-global').changes.filter((c) => c.kind === 'replace');

    expect(replace).toMatchObject({ address: 'aws_dynamodb_table.table_9A1B2C3D', order: 'delete-first', replacePaths: ['hash_key'] });
  });

  it('sees no changes in a plan of no-ops', () => {
    const summary = fixture('orders-dev-eu-west-1');

    expect(summary.hasChanges).toBe(false);
    expect(summary.changes).toEqual([]);
  });

  it('sees no changes in a plan without resource_changes', () => {
    expect(fixture('orders-dev-us-east-1').hasChanges).toBe(false);
  });

  it('counts a changed output as a change', () => {
    expect(fixture('items-dev-global').outputChanges).toEqual(['table_stream_arn']);
  });
});

describe('guard', () => {
  const all = () =>
    ['items-dev-global', 'items-dev-eu-west-1', 'orders-dev-global', 'orders-dev-eu-west-1', 'items-prod-global'].map(fixture);

  it('blocks replacing a table (delete first), replacing a bucket (create first) and deleting a bucket', () => {
    const findings = guard(all());

    expect(findings.map((f) => [f.stack, f.change.address, f.allowed])).toEqual([
      ['items-dev-global', 'aws_dynamodb_table.table_9A1B2C3D', false],
      ['orders-dev-global', 'aws_s3_bucket.buckets_bucket_us-east-1_7A7A', false],
      ['items-prod-global', 'module.buckets.aws_s3_bucket.bucket["ap-southeast-1"]', false],
    ]);
  });

  it('lets a stateless replace or delete through (Lambda function, IAM role)', () => {
    const addresses = guard(all()).map((f) => f.change.address);

    expect(addresses).not.toContain('aws_lambda_function.api_function_9ABC');
    expect(addresses).not.toContain('aws_iam_role.buckets_replication-role_8B8B');
  });

  it('allows everything with the allow-destructive-changes label', () => {
    const findings = guard(all(), allowanceFromLabels(['allow-destructive-changes']));

    expect(findings.every((f) => f.allowed)).toBe(true);
  });

  it('allows one stack with an allow-destroy:<stack> label, and only that stack', () => {
    const findings = guard(all(), allowanceFromLabels(['allow-destroy:orders-dev-global', 'bug']));

    expect(findings.filter((f) => f.allowed).map((f) => f.stack)).toEqual(['orders-dev-global']);
  });

  it('allows by stack and address pattern', () => {
    const findings = guard(all(), { patterns: ['items-*-global:*aws_s3_bucket.*'] });

    expect(findings.filter((f) => f.allowed).map((f) => f.stack)).toEqual(['items-prod-global']);
  });
});

describe('renderMarkdown', () => {
  const review = () => reviewPlans(findPlanFiles(FIXTURES));

  it('starts with the marker of the sticky comment and has one table row per stack', () => {
    const md = review().markdown;

    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
    expect(md).toContain('| `items-dev-global` | 0 | 1 | 1 | 0 | ⛔ stateful resource replaced/deleted |');
    expect(md).toContain('| `orders-dev-eu-west-1` | 0 | 0 | 0 | 0 | no changes |');
    expect(md).toContain('| `orders-dev-us-east-1` | 0 | 0 | 0 | 0 | no changes |');
  });

  it('lists the replaced and deleted addresses with what forces them, and how to allow them', () => {
    const md = review().markdown;

    expect(md).toContain('**replace** (delete old, then create new) `aws_dynamodb_table.table_9A1B2C3D`; forced by `hash_key`');
    expect(md).toContain('**delete** `aws_s3_bucket.buckets_bucket_us-east-1_7A7A`');
    expect(md).toContain('`allow-destroy:items-dev-global`');
    expect(md).toContain('`allow-destructive-changes`');
  });

  it('collapses the full change list of each changed stack', () => {
    const md = review().markdown;

    expect(md).toContain('<details><summary>All 4 changes</summary>');
    expect(md).toContain('- create `aws_cloudwatch_log_group.api_log-group_1234`');
  });

  it('drops the collapsed lists, not the findings, when the comment would be too long', () => {
    const { summaries, findings } = review();
    const md = renderMarkdown(summaries, findings, { maxChars: 2_500 });

    expect(md.length).toBeLessThanOrEqual(2_500);
    expect(md).not.toContain('<details>');
    expect(md).toContain('aws_dynamodb_table.table_9A1B2C3D');
  });

  it('says so when no stack was planned', () => {
    expect(renderMarkdown([], [])).toContain('No stack is affected');
  });
});

describe('plan files', () => {
  it('finds <stack>/plan.json at any depth and rejects two plans of one stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plans-'));
    for (const sub of ['dev/items-dev-global', 'prod/items-dev-global']) {
      mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(join(dir, sub, 'plan.json'), '{"format_version":"1.2"}');
    }

    expect(() => findPlanFiles(dir)).toThrow('two plans for stack items-dev-global');
  });

  it('rejects JSON that is not a Terraform plan', () => {
    expect(() => parsePlanJson('{"resource_changes":[]}', 'x.json')).toThrow(PlanFormatError);
    expect(() => parsePlanJson('{"format_version":"2.0"}', 'x.json')).toThrow('only 1.x');
  });
});

describe('cli', () => {
  const cli = (args: string[]) => {
    try {
      const stdout = execFileSync(process.execPath, [join(__dirname, '../../../../tools/run-ts.mjs'), join(__dirname, 'cli.ts'), ...args], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      return { code: e.status, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exits 1 and names the blocked resources when the guard fails', () => {
    const result = cli(['--plans', FIXTURES]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('blocked: items-dev-global: replace of stateful resource aws_dynamodb_table.table_9A1B2C3D');
  });

  it('exits 0 and writes the summary when the PR labels allow the changes', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'md-')), 'summary.md');
    const result = cli(['--plans', FIXTURES, '--labels', '["allow-destructive-changes"]', '--out', out]);

    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('⚠️ Allowed destructive changes');
  });
});
