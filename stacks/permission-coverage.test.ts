// Permission coverage over the example platform (issue 22, check 1): every role the
// bootstrap creates may make every call Terraform's AWS provider makes for the stacks it
// plans or applies, the migration runner may reach its writer, every workload role's
// grants are within its boundary, and every action any policy names exists.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadPlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { checkPermissionCoverage, coverageInput, formatFailure, readSynthesizedStacks } from '@platform/permission-coverage';
import { loadBootstrapSettings, synthBootstrap } from '@platform/bootstrap';
import { synthPlatform } from './main';
import { fakeWorkspace } from './test-workspace';

const ROOT = path.join(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'config', 'platform.json');
const SETTINGS = path.join(ROOT, 'bootstrap', 'bootstrap.json');

async function coverageOf(configPath: string) {
  const platform = loadPlatform(configPath);
  const workspace = fakeWorkspace(platform.services.map((s) => s.app));
  const outdir = path.join(workspace, 'cdktf.out');
  synthPlatform({ configPath, outdir, workspaceRoot: workspace });
  const bootstrapRoot = mkdtempSync(path.join(tmpdir(), 'bootstrap-coverage-'));
  const bootstrap = synthBootstrap({ workspaceRoot: bootstrapRoot, configPath, settingsPath: SETTINGS, outdir: path.join(bootstrapRoot, 'out') });
  return checkPermissionCoverage(
    coverageInput({
      platform,
      platformStacks: readSynthesizedStacks(outdir),
      bootstrapStacks: readSynthesizedStacks(bootstrap.outdir),
      planRoleName: loadBootstrapSettings(SETTINGS).planRoleName,
      workspaceRoot: ROOT,
    }),
  );
}

const coverageOfExample = () => coverageOf(EXAMPLE);

describe('permission coverage of the example platform and its bootstrap', () => {
  let report: Awaited<ReturnType<typeof coverageOfExample>>;
  // Synthesizes every platform and bootstrap stack: ~15 s on an idle 2-core machine.
  beforeAll(async () => {
    report = await coverageOfExample();
  }, 180_000);

  it('knows the permissions of every resource type and data source the stacks use', () => {
    expect(report.missingFacts).toEqual([]);
  });

  it('names only actions that exist in the AWS action catalogue, in every policy and in the facts', () => {
    expect(report.unknownActions).toEqual([]);
  });

  it('lets every role make every call of the stacks it plans or applies', () => {
    expect(report.requests).toBeGreaterThan(1000);
    expect(report.failures.map(formatFailure)).toEqual([]);
  });
});

describe('permission coverage of a parent zone in a third account (issue 22 #4)', () => {
  it('lets the bootstrap roles of the parent zone account look the zone up and write the delegations', async () => {
    const config = platformFixture({
      environments: {
        dev: {
          accountId: '111111111111',
          domain: 'dev.example.com',
          regions: ['eu-west-1', 'us-east-1'],
          dns: { zone: 'create', parent: { accountId: '666666666666', roleName: 'dns-delegation' } },
        },
      },
      services: { items: { app: 'items-api' } },
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'parent-zone-'));
    const configPath = path.join(dir, 'platform.json');
    writeFileSync(configPath, JSON.stringify(config));

    const report = await coverageOf(configPath);

    expect(report.missingFacts).toEqual([]);
    expect(report.unknownActions).toEqual([]);
    expect(report.failures.map(formatFailure)).toEqual([]);
    expect(report.requests).toBeGreaterThan(100);
  });
});
