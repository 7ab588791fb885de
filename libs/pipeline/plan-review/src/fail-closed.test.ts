// The guard fails closed (issue 12): no plans, a missing plan, an errored plan and a
// removed global-table replica all block, whatever the labels say about the first three.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowanceFromLabels } from './guard';
import { findPlanFiles, reviewPlans } from './review';

const FAIL_CLOSED = join(__dirname, '..', 'fixtures', 'fail-closed');
const files = () => findPlanFiles(FAIL_CLOSED);
const globalOnly = () => files().filter((f) => f.stack === 'items-staging-global');

describe('fails closed', () => {
  it('blocks when there is no plan at all (a missing folder, an artifact that did not upload)', () => {
    const review = reviewPlans(findPlanFiles(join(mkdtempSync(join(tmpdir(), 'plans-')), 'missing')), allowanceFromLabels(['allow-destructive-changes']));

    expect(review.ok).toBe(false);
    expect(review.problems[0]).toContain('no plan found');
    expect(review.markdown).toContain('⛔ **blocked**');
    expect(review.markdown).not.toContain('No stack is affected');
  });

  it('passes with no plans only when told that no stack is affected', () => {
    const review = reviewPlans([], {}, {}, { expectedStacks: [] });

    expect(review.ok).toBe(true);
    expect(review.markdown).toContain('No stack is affected');
  });

  it('blocks when an affected stack has no plan', () => {
    const review = reviewPlans(globalOnly(), allowanceFromLabels(['allow-destructive-changes']), {}, {
      expectedStacks: ['items-staging-global', 'items-prod-global'],
    });

    expect(review.problems).toEqual([expect.stringContaining('no plan for affected stack items-prod-global')]);
    expect(review.ok).toBe(false);
  });

  it('blocks an errored plan instead of showing it as clean', () => {
    const review = reviewPlans(files(), allowanceFromLabels(['allow-destructive-changes']));

    expect(review.problems).toEqual([expect.stringContaining('the plan of items-staging-eu-west-1 errored')]);
    expect(review.markdown).toContain('| `items-staging-eu-west-1` | 0 | 0 | 0 | 0 | ⛔ plan errored |');
    expect(review.ok).toBe(false);
  });
});

describe('nested stateful parts', () => {
  it("blocks removing a region's replica of a global table, an in-place update", () => {
    const review = reviewPlans(globalOnly());

    expect(review.findings.map((f) => [f.change.address, f.change.kind, f.change.removedNested, f.allowed])).toEqual([
      ['aws_dynamodb_table.table_table_1A2B', 'update', ['replica[ap-southeast-1]'], false],
    ]);
    expect(review.markdown).toContain('**update removes** `replica[ap-southeast-1]` of `aws_dynamodb_table.table_table_1A2B`');
  });

  it('lets the allow-destroy label of the stack allow it', () => {
    expect(reviewPlans(globalOnly(), allowanceFromLabels(['allow-destroy:items-staging-global'])).ok).toBe(true);
  });
});

describe('the comment', () => {
  it('shows what changed outside Terraform (resource_drift)', () => {
    expect(reviewPlans(globalOnly()).markdown).toContain('- update `aws_s3_bucket_versioning.objects_versioning-eu-west-1_5F5F`');
  });

  it('shows moved resources with their previous address', () => {
    expect(reviewPlans(globalOnly()).markdown).toContain('- `aws_s3_bucket.buckets_bucket-eu-west-1_9C9C` → `aws_s3_bucket.objects_bucket-eu-west-1_9C9C`');
  });
});

describe('cli input errors', () => {
  const cli = (args: string[]) => {
    try {
      execFileSync(process.execPath, [join(__dirname, '../../../../tools/run-ts.mjs'), join(__dirname, 'cli.ts'), ...args], { encoding: 'utf8', stdio: 'pipe' });
      return { code: 0, stderr: '' };
    } catch (err) {
      const e = err as { status: number; stderr: string };
      return { code: e.status, stderr: e.stderr };
    }
  };

  it('says in one line, without a stack trace, that --expected-stacks is not a JSON array', () => {
    const result = cli(['--plans', FAIL_CLOSED, '--expected-stacks', 'items-dev-global']);

    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--expected-stacks must be a JSON array');
  });

  it('exits 1 naming the missing plans when the folder does not exist', () => {
    const result = cli(['--plans', join(FAIL_CLOSED, 'nope')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('blocked: no plan found');
    expect(result.stderr).not.toContain('    at ');
  });
});
