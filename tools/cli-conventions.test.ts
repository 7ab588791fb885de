import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

// Every CLI of the workspace, as a user starts it: --help answers, and what the user can
// fix (an unknown option, an option npm took because `--` was forgotten, packages not
// installed) is one line on stderr with no stack trace.

const ROOT = path.join(__dirname, '..');
const RUN_TS = path.join(ROOT, 'tools', 'run-ts.mjs');

interface Cli {
  /** Arguments of `node`. */
  readonly argv: readonly string[];
  /** Name that starts its messages. */
  readonly name: string;
  /** The npm script that runs it, and one of its string options, for the forgotten `--`. */
  readonly npmScript: string;
  readonly option?: string;
}

const ts = (entry: string) => [RUN_TS, path.join(ROOT, entry)];
const CLIS: Cli[] = [
  { name: 'synth', argv: [path.join(ROOT, 'tools', 'synth.mjs')], npmScript: 'synth', option: 'outdir' },
  { name: 'report', argv: ts('tools/report.ts'), npmScript: 'report', option: 'outdir' },
  { name: 'canary:cdktn', argv: ts('tools/canary-cdktn.ts'), npmScript: 'canary:cdktn', option: 'node' },
  { name: 'build', argv: ts('tools/build-lambda.ts'), npmScript: 'build' },
  { name: 'dev', argv: ts('tools/dev.ts'), npmScript: 'dev', option: 'service' },
  { name: 'bootstrap', argv: ts('bootstrap/cli.ts'), npmScript: 'bootstrap', option: 'outdir' },
  { name: 'terraform-runner', argv: ts('libs/pipeline/terraform-runner/src/cli.ts'), npmScript: 'plan', option: 'stack' },
  { name: 'plan-review', argv: ts('libs/pipeline/plan-review/src/cli.ts'), npmScript: 'review', option: 'plans' },
  { name: 'policy-check', argv: ts('libs/pipeline/policy-check/src/cli.ts'), npmScript: 'policy:check', option: 'stacks' },
  { name: 'preflight', argv: ts('libs/pipeline/preflight/src/cli.ts'), npmScript: 'preflight', option: 'env' },
  { name: 'affected-stacks', argv: ts('libs/pipeline/nx-plugin/src/affected-stacks-cli.ts'), npmScript: 'affected', option: 'base' },
  { name: 'bench:synth', argv: ts('tools/bench/synth-bench.ts'), npmScript: 'bench:synth', option: 'runs' },
  { name: 'bench:items-cold-start', argv: ts('apps/items-api/bench/cold-start.ts'), npmScript: 'bench:items-cold-start', option: 'runs' },
  { name: 'bench:items-load', argv: ts('apps/items-api/bench/load.ts'), npmScript: 'bench:items-load', option: 'duration' },
  { name: 'bench:local-topology', argv: ts('libs/local/topology/bench/local-topology-bench.ts'), npmScript: 'bench:local-topology', option: 'seconds' },
  { name: 'bench:region-kill', argv: ts('libs/local/topology/bench/region-kill-bench.ts'), npmScript: 'bench:region-kill', option: 'trials' },
  { name: 'bench:pipelines', argv: ts('libs/pipeline/nx-plugin/bench/affected-bench.ts'), npmScript: 'bench:pipelines', option: 'services' },
  { name: 'rollout', argv: ts('tools/rollout/rollout-cli.ts'), npmScript: 'rollout', option: 'env' },
  { name: 'region', argv: ts('libs/pipeline/rollout/src/region-cli.ts'), npmScript: 'region', option: 'env' },
  { name: 'promotion', argv: ts('libs/pipeline/rollout/src/promotion-cli.ts'), npmScript: 'promotion', option: 'affected' },
  { name: 'bench:rollout', argv: ts('tools/bench/rollout-plan-bench.ts'), npmScript: 'bench:rollout', option: 'runs' },
];

/** This process's environment without what `npm test` adds, so no option looks taken by npm. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  return { ...env, ...extra };
}

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(argv: readonly string[], env = cleanEnv()): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...argv], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function expectOneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0];
}

describe.each(CLIS)('$name', (cli) => {
  let help: Result;
  let unknown: Result;
  let npmTook: Result | undefined;
  beforeAll(async () => {
    [help, unknown, npmTook] = await Promise.all([
      run([...cli.argv, '--help']),
      run([...cli.argv, '--no-such-option']),
      cli.option
        ? // What `npm run <script> --<option> x` leaves the CLI: the option in the environment, x as an argument.
          run([...cli.argv, 'x'], cleanEnv({ npm_lifecycle_event: cli.npmScript, [`npm_config_${cli.option.replace(/-/g, '_')}`]: 'true' }))
        : Promise.resolve(undefined),
    ]);
  });

  it('answers --help with its usage on stdout, exit 0', () => {
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: /);
    expect(help.stdout).toContain('-h, --help');
  });

  it('names an unknown option in one line, exit 2', () => {
    expect(expectOneLine(unknown.stderr)).toMatch(new RegExp(`^${cli.name}: unknown option --no-such-option; see .+ --help$`));
    expect(unknown.code).toBe(2);
  });

  (cli.option ? it : it.skip)('says how to write an option npm took for itself, exit 2', () => {
    expect(expectOneLine(npmTook!.stderr)).toBe(`${cli.name}: npm took --${cli.option} for itself: write npm run ${cli.npmScript} -- --${cli.option} x`);
    expect(npmTook!.code).toBe(2);
  });
});

describe('npm run without --', () => {
  it('says how to write `npm run report --outdir x`', () => {
    const result = spawnSync('npm', ['run', '--silent', 'report', '--outdir', 'x'], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8' });
    expect(expectOneLine(result.stderr)).toBe('report: npm took --outdir for itself: write npm run report -- --outdir x');
    expect(result.status).toBe(2);
  });
});

describe('tools/run-ts.mjs', () => {
  it('says to run npm ci when the packages are not installed', () => {
    // A checkout without node_modules: the launcher and what it reads before any package
    // (the supported-Node check, package.json's engines), and nothing to resolve esbuild from.
    const checkout = mkdtempSync(path.join(tmpdir(), 'no-deps-'));
    mkdirSync(path.join(checkout, 'tools', 'lib'), { recursive: true });
    cpSync(RUN_TS, path.join(checkout, 'tools', 'run-ts.mjs'));
    cpSync(path.join(ROOT, 'tools', 'lib', 'supported-node.cjs'), path.join(checkout, 'tools', 'lib', 'supported-node.cjs'));
    cpSync(path.join(ROOT, 'package.json'), path.join(checkout, 'package.json'));
    writeFileSync(path.join(checkout, 'main.ts'), 'console.log("ran");\n');
    const result = spawnSync(process.execPath, ['tools/run-ts.mjs', 'main.ts'], {
      cwd: checkout,
      env: cleanEnv({ NODE_PATH: path.join(checkout, 'nowhere') }),
      encoding: 'utf8',
    });
    expect(expectOneLine(result.stderr)).toBe('dependencies are not installed: run `npm ci` first');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
  });

  it('names a package the entry needs that is not installed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'missing-package-'));
    writeFileSync(path.join(dir, 'main.ts'), "import 'no-such-package-installed';\nconsole.log('ran');\n");
    const result = spawnSync(process.execPath, [RUN_TS, path.join(dir, 'main.ts')], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8' });
    expect(expectOneLine(result.stderr)).toBe('dependency "no-such-package-installed" is not installed: run `npm ci` first');
    expect(result.status).toBe(1);
  });

  it('runs the entry with its arguments, and its own folder as __dirname', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'entry-'));
    writeFileSync(path.join(dir, 'main.ts'), 'const args: string[] = process.argv.slice(2);\nconsole.log(JSON.stringify([__dirname, __filename, args]));\n');
    const result = spawnSync(process.execPath, [RUN_TS, path.join(dir, 'main.ts'), 'a', '--b'], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([dir, path.join(dir, 'main.ts'), ['a', '--b']]);
  });
});
