import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkBeforeApply, planChanges } from './reviewed-plans';

const change = (address: string, actions: string[], after: unknown = { name: 'x' }) => ({
  address,
  mode: 'managed',
  type: address.split('.')[0],
  name: address.split('.')[1],
  change: { actions, before: null, after, after_unknown: {} },
});
const plan = (...changes: unknown[]) => ({ format_version: '1.2', resource_changes: changes });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'reviewed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(kind: 'reviewed' | 'current', stack: string, p: unknown) {
  mkdirSync(path.join(dir, kind, stack), { recursive: true });
  writeFileSync(path.join(dir, kind, stack, 'plan.json'), JSON.stringify(p));
}
const check = (stacks: string[], labels: { all?: boolean; patterns?: string[] } = {}) =>
  checkBeforeApply(stacks, { reviewedDir: path.join(dir, 'reviewed'), plansDir: path.join(dir, 'current'), allowance: labels });

describe('applying only what was reviewed', () => {
  it('passes a plan that makes the same changes as the reviewed one, in any order and key order', () => {
    write('reviewed', 'items-dev-eu-west-1', plan(change('aws_lambda_function.api', ['update'], { a: 1, b: 2 }), change('aws_iam_role.r', ['create'])));
    write('current', 'items-dev-eu-west-1', plan(change('aws_iam_role.r', ['create']), change('aws_lambda_function.api', ['update'], { b: 2, a: 1 })));
    expect(check(['items-dev-eu-west-1'])).toEqual({ stale: [], blocked: [] });
  });

  it('calls a plan stale when a value changed since the review, and says which resource', () => {
    write('reviewed', 's', plan(change('aws_lambda_function.api', ['update'], { memory_size: 512 })));
    write('current', 's', plan(change('aws_lambda_function.api', ['update'], { memory_size: 1024 })));
    expect(check(['s']).stale).toEqual(['s: the plan changed since it was reviewed (now: aws_lambda_function.api update; 1 change(s) now, 1 reviewed)']);
  });

  it('calls a stack stale that the approver never saw', () => {
    write('current', 's', plan());
    expect(check(['s']).stale).toEqual(['s: no reviewed plan (it was not in the plan the approver saw)']);
  });

  it('ignores no-ops and data reads', () => {
    expect(planChanges(plan(change('aws_s3_bucket.b', ['no-op']), change('data.x', ['read'])) as never)).toEqual([]);
  });

  it('runs the guard again: a reviewed plan that deletes a table is blocked without the label', () => {
    write('reviewed', 'items-dev-global', plan(change('aws_dynamodb_table.t', ['delete'], null)));
    write('current', 'items-dev-global', plan(change('aws_dynamodb_table.t', ['delete'], null)));
    expect(check(['items-dev-global']).blocked).toHaveLength(1);
    expect(check(['items-dev-global']).blocked[0]).toMatch(/^items-dev-global: aws_dynamodb_table\.t would be /);
    expect(check(['items-dev-global'], { patterns: ['items-dev-global'] }).blocked).toEqual([]);
  });
});
