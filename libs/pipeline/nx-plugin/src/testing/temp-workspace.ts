// A throw-away Nx workspace in a temporary git repository, for tests and the
// benchmark: this repository's nx.json, Nx plugin, config loader, terraform runner
// and project files, with small stand-in sources (apps, constructs, stacks program)
// whose imports mirror the real ones, and stand-in synth and Lambda build scripts.
// node_modules is a symlink to this repository's.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parsePlatform, roleArn } from '@platform/config';
import { nxBin } from '../affected-stacks';
import { platformFixture } from './platform-fixture';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..', '..');

/** Copied as they are from this repository. */
const COPIED = [
  'nx.json',
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'tsconfig.json',
  '.gitignore',
  'libs/synthesis/config',
  'libs/pipeline/nx-plugin',
  'libs/pipeline/terraform-runner',
  'libs/synthesis/table-definition/project.json',
  'libs/synthesis/table-definition/src/index.ts',
  'libs/synthesis/constructs/project.json',
  // The runner CLI runs through the launcher, on the shared CLI helper.
  'tools/run-ts.mjs',
  'tools/lib/supported-node.cjs',
  'libs/shared/cli',
];

/** Options of {@link createTempWorkspace}. */
export interface TempWorkspaceOptions {
  /** The platform config to write. @default the test fixture (platform-fixture.ts) */
  readonly config?: unknown;
}

/** A temporary workspace; `run` runs nx in it. */
export interface TempWorkspace {
  readonly root: string;
  /** Stack names of the config, in platform order. */
  readonly stacks: string[];
  /** Apps (Nx projects in apps/) of the config. */
  readonly apps: string[];
  /** Runs `nx <args>`; never throws on a non-zero exit. */
  nx(args: string[], env?: NodeJS.ProcessEnv): { code: number; stdout: string; stderr: string };
  /** Runs git in the workspace. */
  git(...args: string[]): string;
  write(file: string, text: string): void;
  /** How many times the stand-in synth ran. */
  synthRuns(): number;
  remove(): void;
}

export function createTempWorkspace(options: TempWorkspaceOptions = {}): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'platform-ws-'));
  for (const path of COPIED) cpSync(join(REPO_ROOT, path), join(root, path), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');

  const config = options.config ?? platformFixture();
  const platform = parsePlatform(config, 'config/platform.json');
  const stacks = platform.stacks.map((s) => s.name);
  const apps = [...new Set(platform.services.map((s) => s.app))].sort();

  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  write('config/platform.json', `${JSON.stringify(config, null, 2)}\n`);
  write('.gitignore', `${readFileSync(join(REPO_ROOT, '.gitignore'), 'utf8')}.synth-runs\n`);

  // Stand-in sources with the real import structure: stacks -> config, constructs;
  // constructs -> table-definition; apps import nothing of the platform.
  write('libs/synthesis/constructs/src/index.ts', "export * from './global-table';\n");
  write(
    'libs/synthesis/constructs/src/global-table.ts',
    "import { SERVICE_TABLE } from '@platform/table-definition';\n\nexport const tableKeys = () => [SERVICE_TABLE.partitionKey, SERVICE_TABLE.sortKey];\n",
  );
  write(
    'stacks/main.ts',
    "import { loadPlatform } from '@platform/config';\nimport { tableKeys } from '@platform/constructs';\n\nexport const stacks = () => loadPlatform().stacks.map((s) => [s.name, tableKeys()]);\n",
  );
  for (const app of apps) {
    const service = platform.services.find((s) => s.app === app)!.name;
    write(
      `apps/${app}/project.json`,
      `${JSON.stringify(
        {
          name: app,
          sourceRoot: `apps/${app}/src`,
          projectType: 'application',
          tags: ['type:app', `service:${service}`],
          targets: { build: { command: `node tools/build-lambda.mjs ${app}`, outputs: [`{workspaceRoot}/dist/apps/${app}`] } },
        },
        null,
        2,
      )}\n`,
    );
    write(`apps/${app}/src/main.ts`, `export const handler = async () => ({ statusCode: 200, body: '${app}' });\n`);
  }

  // Stand-in build: an empty zip per app. Stand-in synth: cdk.tf.json per stack
  // with the provider and backend shape the runner reads; counts its runs.
  write(
    'tools/build-lambda.mjs',
    "import { mkdirSync, writeFileSync } from 'node:fs';\nfor (const app of process.argv.slice(2)) {\n  mkdirSync(`dist/apps/${app}`, { recursive: true });\n  writeFileSync(`dist/apps/${app}/lambda.zip`, `zip of ${app}`);\n}\n",
  );
  const specs = platform.stacks.map((s) => ({
    name: s.name,
    regions: s.regions,
    accountId: s.accountId,
    deployRoleArn: roleArn(s.accountId, 'platform-deploy'),
    key: s.stateKey,
    dependencies: s.globalStack ? [s.globalStack] : [],
  }));
  write(
    'tools/synth.mjs',
    [
      "import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';",
      `const stacks = ${JSON.stringify(specs)};`,
      "appendFileSync('.synth-runs', 'synth\\n');",
      'const manifest = { version: "0.21.0", stacks: {} };',
      'for (const s of stacks) {',
      '  const dir = `cdktf.out/stacks/${s.name}`;',
      '  mkdirSync(dir, { recursive: true });',
      '  const provider = s.regions.map((r) => ({ alias: r, region: r, allowed_account_ids: [s.accountId],',
      '    assume_role: [{ role_arn: s.deployRoleArn, session_name: s.name }] }));',
      '  writeFileSync(`${dir}/cdk.tf.json`, JSON.stringify({ provider: { aws: provider },',
      '    terraform: { backend: { s3: { bucket: "state", key: s.key, region: "eu-west-1", encrypt: true, use_lockfile: true } } } }));',
      '  manifest.stacks[s.name] = { name: s.name, synthesizedStackPath: `stacks/${s.name}/cdk.tf.json`, workingDirectory: `stacks/${s.name}`, dependencies: s.dependencies };',
      '}',
      "writeFileSync('cdktf.out/manifest.json', JSON.stringify(manifest));",
      'console.log(`synthesized ${stacks.length} stacks`);',
      '',
    ].join('\n'),
  );

  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
      },
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');

  const nx = nxBin(REPO_ROOT);
  return {
    root,
    stacks,
    apps,
    nx(args, env = {}) {
      const result = spawnSync(process.execPath, [nx, ...args], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', ...env },
      });
      return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
    },
    git,
    write,
    synthRuns() {
      const file = join(root, '.synth-runs');
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Parses the JSON array that `nx show projects --json` prints. */
export function projectList(stdout: string): string[] {
  return (JSON.parse(stdout.slice(stdout.indexOf('['))) as string[]).sort();
}
