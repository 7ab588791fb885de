// Day two end to end, as a user runs it, in a throw-away copy of this workspace (its
// tracked files, node_modules linked): generate an Aurora service with a cache, build,
// test and synth it, run it in dev and create/read a record over HTTP, add a region and
// check the changed stacks against docs/pipelines.md ("Adding a region: what changes"),
// then remove the service and check config, CODEOWNERS and the orphan report.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { orphanNotice } from '@platform/nx-plugin/tooling';

const WORKSPACE = path.join(__dirname, '..', '..');
const SERVICE = 'ledger';
const APP = `${SERVICE}-api`;
const OWNER = '@acme/ledger-team';
const NEW_REGION = 'eu-central-1';

jest.setTimeout(30 * 60_000);

let root: string;
let dev: ChildProcess | undefined;
const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_INTERACTIVE: 'false', CI: 'true' };

/** Runs a command in the temp workspace; a failure shows the command and its output. */
function run(command: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}
function ok(command: string, args: string[]): string {
  const r = run(command, args);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const git = (...args: string[]) => ok('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', ...args]);
const config = () => JSON.parse(readFileSync(path.join(root, 'config/platform.json'), 'utf8'));

/** Every synthesized stack's Terraform JSON by stack name. */
function synth(): Map<string, string> {
  ok('npm', ['run', 'synth', '--', '--no-table']);
  const dir = path.join(root, 'cdktf.out', 'stacks');
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name, 'cdk.tf.json'), 'utf8')]));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `npm run dev` for the service and resolves once it says "ready". */
/** Starts `npm run dev` for the service; answers the dev token it prints (its routes need one, as in AWS). */
async function startDev(port: number): Promise<string | undefined> {
  // Its own process group, so that cleanup stops npm, the topology and its servers.
  dev = spawn('npm', ['run', 'dev', '--', '--service', SERVICE, '--port', String(port)], { cwd: root, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  return new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run dev not ready after 240 s:\n${output}`)), 240_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready in [\d.]+ s/.test(output)) {
        clearTimeout(timer);
        resolve(/^dev token: (\S+)$/m.exec(output)?.[1]);
      }
    };
    dev!.stdout!.on('data', onData);
    dev!.stderr!.on('data', onData);
    dev!.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run dev exited ${code} before it was ready:\n${output}`));
    });
  });
}

function stopDev(): void {
  if (dev?.pid !== undefined && dev.exitCode === null) {
    try {
      process.kill(-dev.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  dev = undefined;
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'day-two-e2e-'));
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: WORKSPACE, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(path.join(WORKSPACE, file))) continue; // deleted in the work tree
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    cpSync(path.join(WORKSPACE, file), path.join(root, file));
  }
  symlinkSync(path.join(WORKSPACE, 'node_modules'), path.join(root, 'node_modules'));
  // The other apps' bundles, as after the README's `npm run build` (synth packages every app).
  if (existsSync(path.join(WORKSPACE, 'dist', 'apps'))) cpSync(path.join(WORKSPACE, 'dist', 'apps'), path.join(root, 'dist', 'apps'), { recursive: true });
  else ok('npm', ['run', 'build']);
  env.NX_CACHE_DIRECTORY = path.join(root, '.nx-e2e-cache');
  env.NX_WORKSPACE_DATA_DIRECTORY = path.join(root, '.nx-e2e-data');
  writeFileSync(path.join(root, '.gitignore'), `${readFileSync(path.join(root, '.gitignore'), 'utf8')}\n.nx-e2e-cache/\n.nx-e2e-data/\n`);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'workspace');
});

afterAll(() => {
  stopDev();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('day two: an Aurora service with a cache, from generator to removal', () => {
  it('generates, builds, tests, synthesizes and serves it; a new region changes the stacks docs/pipelines.md names; removal leaves no trace but the orphan report', async () => {
    // Generate.
    ok('npx', ['nx', 'g', '@platform/nx-plugin:service', SERVICE, '--data=aurora', '--cache', `--owners=${OWNER}`, '--no-interactive']);
    expect(config().services[SERVICE]).toMatchObject({ app: APP, aurora: expect.any(Object), cache: expect.any(Object) });
    expect(readFileSync(path.join(root, '.github/CODEOWNERS'), 'utf8')).toContain(OWNER);

    // Build, test, synth.
    ok('npm', ['run', 'build', '--', APP]);
    expect(existsSync(path.join(root, 'dist/apps', APP, 'lambda.zip'))).toBe(true);
    ok('npx', ['nx', 'run', `${APP}:test`]);
    ok('npx', ['nx', 'run', `${SERVICE}-data-access:test`]);
    const before = synth();
    const ownStacks = [...before.keys()].filter((s) => s.startsWith(`${SERVICE}-`));
    expect(ownStacks).toContain(`${SERVICE}-dev-global`);

    // Dev: PostgreSQL + Redis on loopback; one record created and read back.
    const port = await freePort();
    try {
      const token = await startDev(port);
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const base = `http://127.0.0.1:${port}`;
      const created = await fetch(`${base}/${SERVICE}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'e2e-1', ...auth },
        body: JSON.stringify({ name: 'first order', tags: ['e2e'] }),
      });
      const body = (await created.json()) as { id: string; name: string };
      expect([created.status, body.name]).toEqual([201, 'first order']);
      const read = await fetch(`${base}/${SERVICE}/${body.id}`, { headers: { 'cache-control': 'no-cache', ...auth } });
      expect([read.status, ((await read.json()) as { name: string }).name]).toEqual([200, 'first order']);
    } finally {
      stopDev();
    }

    // The service as merged: the base the orphan report compares with.
    git('add', '-A');
    git('commit', '-qm', `service ${SERVICE}`);

    // Add a region to dev, with the network its Aurora and cache need.
    const withRegion = config();
    const dev = withRegion.environments.dev;
    const [firstNetwork] = Object.values(dev.network) as unknown[];
    dev.regions.push(NEW_REGION);
    dev.network[NEW_REGION] = firstNetwork;
    // A service with weighted routing and explicit weights needs one for the new region too (the config says so).
    for (const svc of Object.values(withRegion.services) as { routing?: { weights?: Record<string, number> } }[]) {
      const weights = svc.routing?.weights;
      if (weights) weights[NEW_REGION] = Object.values(weights)[0]!;
    }
    writeFileSync(path.join(root, 'config/platform.json'), `${JSON.stringify(withRegion, null, 2)}\n`);
    const after = synth();
    const changed = [...after.keys()].filter((s) => before.get(s) !== after.get(s)).sort();
    // docs/pipelines.md: every global stack of the environment, a new regional stack per
    // service, and the other regional stacks only of a service with Aurora through the
    // writer endpoint (all) or with edge failover paths (the first region's).
    const devServices = [...before.keys()].filter((s) => s.endsWith('-dev-global')).map((s) => s.slice(0, -'-dev-global'.length));
    const listsEveryRegion = (s: string) => {
      const svc = withRegion.services[s];
      // A cache alone does not: a region's policy names its own replication group and the primary's (service-contract.ts).
      return svc.aurora?.writeRouting === 'writer-endpoint';
    };
    // With edge failover paths, the first region's stack too: its record of the ring of
    // secondaries answers for the region before it, which wraps round to the new last one.
    const hasFailoverRing = (s: string) => (withRegion.services[s].edgeCache?.failoverPaths?.length ?? 0) > 0;
    const expected = [
      ...new Set(
        devServices.flatMap((s) => [
          `${s}-dev-global`,
          `${s}-dev-${NEW_REGION}`,
          ...(listsEveryRegion(s) ? dev.regions.filter((r: string) => r !== NEW_REGION).map((r: string) => `${s}-dev-${r}`) : []),
          ...(hasFailoverRing(s) ? [`${s}-dev-${dev.regions[0]}`] : []),
        ]),
      ),
    ].sort();
    expect(changed).toEqual(expected);
    expect(devServices).toContain(SERVICE);
    git('commit', '-qam', `region ${NEW_REGION} in dev`);
    const devStacks = [...after.keys()].filter((s) => s.startsWith(`${SERVICE}-dev-`));

    // Remove the service.
    const removal = ok('npx', ['nx', 'g', '@platform/nx-plugin:remove-service', SERVICE, '--no-interactive']);
    expect(config().services[SERVICE]).toBeUndefined();
    expect(existsSync(path.join(root, 'apps', APP))).toBe(false);
    expect(existsSync(path.join(root, 'libs', SERVICE))).toBe(false);
    expect(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')).not.toContain(`@${SERVICE}/`);
    expect(readFileSync(path.join(root, '.github/CODEOWNERS'), 'utf8')).not.toContain(OWNER);
    expect(removal).toContain('destroy-orphans:dev');

    // The orphan report (config diff, no AWS) names every stack and the destroy path.
    const orphans = run('npm', ['run', '--silent', 'orphans', '--', '--env', 'dev', '--base', 'HEAD']);
    expect(orphans.status).toBe(1);
    const listed = orphans.stdout.trim().split('\n').map((line) => line.split('\t')[0]!);
    expect([...listed].sort()).toEqual([...devStacks].sort());
    expect(listed.at(-1)).toBe(`${SERVICE}-dev-global`);
    expect(orphans.stderr).toContain(orphanNotice('dev', listed));
  });
});
