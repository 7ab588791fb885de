// Plans made by real Terraform (1.11.4, hashicorp/aws 5.100.0) from empty state by
// `npm run verify:terraform`: what the first plan of a brand-new service looks like.
// The hand-made fixtures (../fixtures/plans) stay: they cover replaces, deletes,
// imports and no-ops, which a plan from empty state never has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guard } from './guard';
import { renderMarkdown } from './markdown';
import { parsePlanJson } from './plan-json';
import { summarizePlan } from './summarize';

const DIR = join(__dirname, '..', 'fixtures', 'real-plans');
const real = (stack: string) => summarizePlan(stack, parsePlanJson(readFileSync(join(DIR, stack, 'plan.json'), 'utf8'), stack));

describe('real plans from empty state', () => {
  it.each([
    ['items-dev-global', 28],
    ['orders-dev-eu-west-1', 15],
    ['bootstrap-dev', 8],
  ])('%s: creates every declared instance (%i) and nothing else', (stack, creates) => {
    expect(real(stack).counts).toEqual({ create: creates, update: 0, replace: 0, delete: 0, forget: 0, import: 0 });
  });

  it('counts the certificate validation records per domain name, keys Terraform knew at plan time', () => {
    const records = real('items-dev-global').changes.filter((c) => c.address.includes('validation-record'));

    expect(records.map((r) => r.address.replace(/_[0-9A-F]{8}\[/, '['))).toEqual([
      'aws_route53_record.edge-certificate_validation-record["api.items.dev.example.com"]',
      'aws_route53_record.edge-certificate_validation-record["regional.items.dev.example.com"]',
    ]);
  });

  it('reads the lookups at plan time (answered on loopback) and counts no data source as a change', () => {
    const plan = JSON.parse(readFileSync(join(DIR, 'orders-dev-eu-west-1', 'plan.json'), 'utf8'));
    const read = plan.prior_state.values.root_module.resources as { address: string; values: { id?: string; ids?: string[] } }[];

    expect(read.find((r) => r.address.startsWith('data.aws_vpc.'))?.values.id).toBe('vpc-0a1b2c3d4e5f60001');
    expect(read.find((r) => r.address.startsWith('data.aws_subnets.'))?.values.ids).toEqual([
      'subnet-0a1b2c3d4e5f60011',
      'subnet-0a1b2c3d4e5f60012',
    ]);
    expect(real('orders-dev-eu-west-1').changes.filter((c) => c.address.startsWith('data.'))).toEqual([]);
  });

  it('passes the guard and renders the creates in the summary', () => {
    const summaries = ['items-dev-global', 'orders-dev-eu-west-1', 'bootstrap-dev'].map(real);

    expect(guard(summaries)).toEqual([]);
    const markdown = renderMarkdown(summaries, []);
    expect(markdown).toContain('items-dev-global');
    expect(markdown).toMatch(/\|\s*28\s*\|/);
  });
});
