import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { planFromEmptyState, verifyStack } from './verify-stack';

const STAND_IN = path.join(__dirname, 'testing', 'terraform-stand-in.cjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'verify-stack-'));
  writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ resource: { terraform_data: { a: {}, b: {} } } }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tf = (changes?: object) => ({ bin: STAND_IN, env: { ...process.env, ...(changes ? { STAND_IN_CHANGES: JSON.stringify(changes) } : {}) } });

describe('planFromEmptyState (plan -json, its change summary)', () => {
  it('is ok when the plan creates exactly the declared instances and nothing else', async () => {
    expect(await planFromEmptyState(dir, 2, tf())).toMatchObject({ ok: true, problems: [], creates: 2 });
  });

  it('names every count that is not a create, and a create count that is not the declared one', async () => {
    const verdict = await planFromEmptyState(dir, 3, tf({ change: 1, import: 2, remove: 1 }));
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      'plan creates 2 resource instances, the stack declares 3',
      'plan from empty state has 1 change',
      'plan from empty state has 2 import',
      'plan from empty state has 1 remove',
    ]);
  });
});

describe('verifyStack', () => {
  it('inits and plans once, reports the creates against the stack\'s declared instances', async () => {
    const result = await verifyStack(dir, 'svc-dev-global', 'platform', tf());
    expect(result).toMatchObject({ ok: true, problems: [], declared: 2, creates: 2 });
    expect(Object.keys(result.times)).toEqual(['init', 'plan']);
  });

  it('fails on a plan from empty state that updates anything', async () => {
    const result = await verifyStack(dir, 'svc-dev-global', 'platform', tf({ change: 1 }));
    expect(result).toMatchObject({ ok: false, problems: ['plan from empty state has 1 change'] });
  });
});
