import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALLOW_SERVICE_LABEL_PREFIX, serviceAllowanceFromLabels, serviceDirectory } from './by-service';
import { guard, mergeAllowances } from './guard';
import { renderMarkdown } from './markdown';
import { parsePlanJson } from './plan-json';
import { summarizePlan } from './summarize';

const FIXTURES = join(__dirname, '..', 'fixtures', 'plans');
const fixture = (stack: string) => summarizePlan(stack, parsePlanJson(readFileSync(join(FIXTURES, stack, 'plan.json'), 'utf8'), stack));
const STACKS = ['items-dev-global', 'items-dev-eu-west-1', 'orders-dev-global', 'orders-dev-eu-west-1'];
const directory = serviceDirectory(
  [
    { name: 'items', owners: ['@acme/items-team'] },
    { name: 'orders', owners: [] },
    { name: 'items-extra', owners: ['@bob'] },
  ],
  ['@acme/platform-team'],
);

describe('serviceDirectory', () => {
  it('gives a stack to the service with the longest matching name', () => {
    expect(directory.serviceOf('items-extra-dev-global')).toBe('items-extra');
    expect(directory.serviceOf('items-dev-global')).toBe('items');
    expect(directory.serviceOf('gone-dev-global')).toBeUndefined();
  });

  it('falls back to the platform owners for a service without owners', () => {
    expect(directory.ownersOf('orders')).toEqual(['@acme/platform-team']);
  });
});

describe('the allow-destroy-service label', () => {
  it('allows the destructive changes of every stack of that service and no other', () => {
    const summaries = STACKS.map(fixture);
    const allowance = mergeAllowances(serviceAllowanceFromLabels([`${ALLOW_SERVICE_LABEL_PREFIX}items`], STACKS, directory));
    const findings = guard(summaries, allowance);

    expect(findings.filter((f) => f.stack.startsWith('items-')).every((f) => f.allowed)).toBe(true);
    expect(findings.filter((f) => f.stack.startsWith('orders-')).some((f) => !f.allowed)).toBe(true);
  });
});

describe('the plan comment grouped by service', () => {
  it('lists each service with changes, mentions its owners, and names its allow label when blocked', () => {
    const summaries = STACKS.map(fixture);
    const markdown = renderMarkdown(summaries, guard(summaries), { services: directory });

    expect(markdown).toContain('### Changes by service');
    expect(markdown).toMatch(/- \*\*items\*\* \(@acme\/items-team\): 2 stacks, \d+ resource changes · ⛔ to allow: label `allow-destroy-service:items`/);
    expect(markdown).toContain('- **orders** (@acme/platform-team)');
  });

  it('leaves the comment ungrouped without a directory', () => {
    const summaries = STACKS.map(fixture);
    expect(renderMarkdown(summaries, guard(summaries))).not.toContain('Changes by service');
  });
});
