// The policy gate (issue 12): the rule pack over every synthesized stack of a fixture
// platform, of the example config and of the bootstrap, with 0 unsuppressed
// error-level findings; and, per fix of the security review, the rule that guards it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { type PolicyReport, type TfStack, checkStacks, loadSuppressionsFile, readSynthOutput } from '@platform/policy-check';
import { synthBootstrap } from '@platform/bootstrap';
import { synthPlatform } from './main';
import { fakeWorkspace } from './test-workspace';

const ROOT = path.join(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'config', 'platform.json');
const SUPPRESSIONS = loadSuppressionsFile(path.join(ROOT, 'policy-suppressions.json'));

function platformStacks(configPath: string): TfStack[] {
  const platform = loadPlatform(configPath);
  const workspace = fakeWorkspace(platform.services.map((s) => s.app));
  const outdir = path.join(workspace, 'cdktf.out');
  synthPlatform({ configPath, outdir, workspaceRoot: workspace });
  return readSynthOutput(outdir, 'platform');
}

function bootstrapStacks(configPath: string): TfStack[] {
  const root = mkdtempSync(path.join(tmpdir(), 'bootstrap-policy-'));
  const { outdir } = synthBootstrap({ workspaceRoot: root, configPath, settingsPath: path.join(ROOT, 'bootstrap', 'bootstrap.json'), outdir: path.join(root, 'out') });
  return readSynthOutput(outdir, 'bootstrap');
}

const fixtureFile = path.join(mkdtempSync(path.join(tmpdir(), 'policy-fixture-')), 'platform.json');
writeFileSync(fixtureFile, JSON.stringify(platformFixture()));

const reports: Record<string, PolicyReport> = {
  'the fixture platform': checkStacks(platformStacks(fixtureFile), SUPPRESSIONS),
  'the example config': checkStacks(platformStacks(EXAMPLE), SUPPRESSIONS),
  "the example config's bootstrap": checkStacks(bootstrapStacks(EXAMPLE), SUPPRESSIONS),
};
const example = reports['the example config'];
const failuresOf = (report: PolicyReport, rule: string) => report.findings.filter((f) => f.rule.id === rule && !f.suppression);
const checkedBy = (report: PolicyReport, rule: string) => report.counts.find((c) => c.rule.id === rule)!.checked;

describe.each(Object.entries(reports))('%s', (_name, report) => {
  it('has no unsuppressed error-level finding', () => {
    expect(report.errors.map((f) => `${f.rule.id} ${f.resource.path}: ${f.message}`)).toEqual([]);
  });
});

describe('the fixes of the security review, as rules over the example platform', () => {
  it.each([
    // 7. buckets
    ['PLT_S3_1', 'a TLS-only policy on every bucket'],
    ['CKV_AWS_21', 'versioning on every bucket, log buckets included'],
    ['CKV_AWS_18', 'server access logging of the object and CloudFront log buckets'],
    ['PLT_IAM_4', 'the replication role trusted with aws:SourceAccount'],
    // 8. APIs and functions
    ['CKV_AWS_76', 'API Gateway access logs'],
    ['CKV_AWS_338', 'log groups kept a year'],
    ['CKV_AWS_158', 'log groups encrypted with a customer-managed key'],
    ['CKV_AWS_115', 'a concurrency decision per function (a reservation, or the tag that it shares the pool)'],
    ['CKV_AWS_50', 'active tracing'],
    ['CKV_AWS_119', 'customer-managed keys on every table and replica'],
    ['CKV_AWS_191', 'customer-managed keys on the caches'],
    ['CKV_AWS_354', 'customer-managed keys for Performance Insights'],
    // 1. every workload role under the path, with the boundary
    ['PLT_IAM_2', 'workload roles under the workload path with the boundary'],
    // Issue 22: what AWS rejects or breaks at apply time
    ['PLT_TF_1', 'the origin secret\'s value made once (terraform_data), the Aurora password in a write-only argument'],
    ['PLT_EC2_2', 'security-group rules within one region'],
    ['PLT_CW_1', 'every metric alarm notifies, the DNS account\'s health-check alarms included'],
    ['PLT_RDS_1', 'no RDS-managed master password on the Aurora global database'],
  ])('%s holds: %s', (rule) => {
    expect(checkedBy(example, rule)).toBeGreaterThan(0);
    expect(failuresOf(example, rule)).toEqual([]);
  });
});
