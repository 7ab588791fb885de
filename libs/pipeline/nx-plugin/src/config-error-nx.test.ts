// What a user sees when config/platform.json is wrong and they run any Nx command:
// the config's own error line and nothing else (issue: Nx used to wrap it in "Failed to
// process project graph", the plugin's path and a --verbose hint). Runs the real nx on
// a copy of this workspace whose config is a fixture with one mistake.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformFixture } from '@platform/config/testing';
import { nxBin } from './affected-stacks';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..', '..', '..');
// Everything of the workspace but its config, its Nx data and its build outputs.
const NOT_LINKED = new Set(['config', '.nx', '.git', '.env', 'cdktf.out', 'dist', '.terraform-verify', '.bench', '.tmp']);

function workspaceWithConfig(config: unknown, withDotEnv: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'nx-config-error-'));
  for (const entry of readdirSync(ROOT)) if (!NOT_LINKED.has(entry)) symlinkSync(join(ROOT, entry), join(dir, entry));
  if (withDotEnv) copyFileSync(join(ROOT, '.env'), join(dir, '.env'));
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config', 'platform.json'), JSON.stringify(config, null, 2));
  return dir;
}

function nx(dir: string, args: string[]) {
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_ISOLATE_PLUGINS: undefined, CI: 'true' };
  return spawnSync(process.execPath, [nxBin(ROOT), ...args], { cwd: dir, env, encoding: 'utf8' });
}

describe('an Nx command on a workspace whose platform config is wrong', () => {
  const config = platformFixture() as { environments: Record<string, { accountId: string }> };
  const env = Object.keys(config.environments)[0];
  config.environments[env].accountId = '42';
  const line = `config/platform.json: environments.${env}.accountId: AWS account id must be exactly 12 digits (got "42")`;
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.each([['show', 'projects'], ['graph', '--file=stdout']])('given the workspace .env, nx %s %s prints the config error line once, and nothing else, and exits 1', (...args) => {
    const dir = workspaceWithConfig(config, true);
    dirs.push(dir);
    const result = nx(dir, args);
    expect({ status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({ status: 1, stderr: `${line}\n`, stdout: '' });
  });

  it('through node_modules/.bin/nx, as npx runs it, the same one line', () => {
    const dir = workspaceWithConfig(config, true);
    dirs.push(dir);
    const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_ISOLATE_PLUGINS: undefined, CI: 'true' };
    const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', '.bin', 'nx'), 'show', 'projects'], { cwd: dir, env, encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({ status: 1, stderr: `${line}\n`, stdout: '' });
  });

  // On the Nx daemon the plugin runs in the daemon's process, and the client prints what
  // it throws under Nx's heading. Nx starts a daemon by default on a developer's machine
  // (not in CI, nor, as on these machines, in a container), so nx.json turns it off.
  it('with the daemon on, Nx wraps the same line in its own heading: why nx.json turns the daemon off', () => {
    const dir = workspaceWithConfig(config, true);
    dirs.push(dir);
    const daemon = (args: string[]) =>
      spawnSync(process.execPath, [nxBin(ROOT), ...args], { cwd: dir, env: { ...process.env, NX_DAEMON: 'true', CI: undefined, NX_NO_CLOUD: 'true' }, encoding: 'utf8' });
    try {
      const result = daemon(['show', 'projects']);
      expect(result.status).toBe(1);
      expect(result.stderr + result.stdout).toContain('Failed to process project graph');
    } finally {
      daemon(['daemon', '--stop']);
    }
    expect((JSON.parse(readFileSync(join(ROOT, 'nx.json'), 'utf8')) as { useDaemonProcess?: boolean }).useDaemonProcess).toBe(false);
  });

  it('without the .env (plugin isolated in a worker), Nx wraps the same line in its own heading: why the .env exists', () => {
    const dir = workspaceWithConfig(config, false);
    dirs.push(dir);
    const result = nx(dir, ['show', 'projects']);
    expect(result.status).toBe(1);
    expect(result.stderr + result.stdout).toContain(line);
    expect(result.stderr + result.stdout).toContain('Failed to process project graph');
  });
});
