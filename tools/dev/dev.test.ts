import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `npm run dev` as a user runs it: a real process, its start-up lines, a request
// through the front door, then a signal; afterwards nothing may be left running and
// every port it printed must be free again.

const ROOT = join(__dirname, '../..');
const DEV = [join(ROOT, 'tools', 'run-ts.mjs'), join(ROOT, 'tools', 'dev.ts')];

jest.setTimeout(180_000);

interface Running {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

function startDev(args: string[], env: NodeJS.ProcessEnv = process.env): Running {
  const child = spawn(process.execPath, [...DEV, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const running: Running = {
    child,
    output: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (d: Buffer) => (running.output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (running.output += d.toString()));
  return running;
}

async function waitForLine(running: Running, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = running.output.match(pattern);
    if (match) return match;
    if (running.child.exitCode !== null) throw new Error(`dev exited with ${running.child.exitCode} before printing ${pattern}:\n${running.output}`);
    if (Date.now() > deadline) throw new Error(`dev did not print ${pattern} within ${timeoutMs} ms:\n${running.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // The wildcard address: DynamoDB Local binds every interface.
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

/** Processes whose command line mentions `text` (the topology's data directory names every JVM). */
function processesMentioning(text: string): string[] {
  const res = spawnSync('pgrep', ['-f', text], { encoding: 'utf8' });
  return res.stdout.split('\n').filter((l) => l && Number(l) !== process.pid);
}

async function stopsCleanly(signal: NodeJS.Signals, args: string[], regionCount: number): Promise<void> {
  const dev = startDev(args);
  try {
    const [, frontDoorPort] = await waitForLine(dev, /^front door: http:\/\/127\.0\.0\.1:(\d+)$/m, 150_000);
    const [, token] = await waitForLine(dev, /^dev token: (\S+)$/m, 10_000);
    await waitForLine(dev, /^ready in /m, 10_000);
    const auth = { authorization: `Bearer ${token}` };
    const ports = [...dev.output.matchAll(/^[a-z0-9 -]+: http:\/\/127\.0\.0\.1:(\d+)/gm)].map((m) => Number(m[1]));
    // cloudfront api, the issuer, a table and an API per region, the front door.
    expect(ports).toHaveLength(3 + 2 * regionCount);
    expect(ports).toContain(Number(frontDoorPort));
    const dataDirs = [...dev.output.matchAll(/data in (\S+?)\/[a-z0-9-]+\)/g)].map((m) => m[1]);
    expect(dataDirs.length).toBe(regionCount);

    const created = await fetch(`http://127.0.0.1:${frontDoorPort}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ name: 'through the front door' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-local-region')).toBe('eu-west-1');
    // The config's cache mode (ttl, 60 s): the second GET is served by the front door's cache.
    const { id } = (await created.json()) as { id: string };
    const reads = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${frontDoorPort}/items/${id}`, { headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=60');
      reads.push(res.headers.get('x-cache'));
    }
    expect(reads).toEqual(['Miss from local-edge', 'Hit from local-edge']);
    // The dev token carries every scope; `token --scopes` mints narrower ones from the running issuer.
    expect(claimsOf(token).scope).toBe('items:read items:write');
    const minted = spawnSync(process.execPath, [...DEV, 'token', '--scopes', 'items:read'], { cwd: ROOT, encoding: 'utf8' });
    expect(minted.status).toBe(0);
    expect(claimsOf(minted.stdout.trim()).scope).toBe('items:read');

    dev.child.kill(signal);
    expect(await dev.exited).toBe(0);
    expect(dev.output).toContain('dev: stopped; every port is free');
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
    expect(processesMentioning(dataDirs[0])).toEqual([]);
    expect(existsSync(dataDirs[0])).toBe(false);
  } finally {
    if (dev.child.exitCode === null) {
      dev.child.kill('SIGKILL');
      await dev.exited;
    }
  }
}

describe('npm run dev', () => {
  it('prints a line per component, serves through the front door, and Ctrl-C (SIGINT) stops everything and frees the ports', async () => {
    await stopsCleanly('SIGINT', ['--probe-interval-ms', '200'], 2);
  });

  it('stops everything on SIGTERM too', async () => {
    await stopsCleanly('SIGTERM', ['--probe-interval-ms', '200', '--regions', 'eu-west-1'], 1);
  });

  it('runs orders with auth as items: prints a dev token whose sub is the customer, and refuses a request without one', async () => {
    const dev = startDev(['--service', 'orders', '--probe-interval-ms', '200']);
    try {
      const [, frontDoorPort] = await waitForLine(dev, /^front door: http:\/\/127\.0\.0\.1:(\d+)$/m, 150_000);
      const [, token] = await waitForLine(dev, /^dev token: (\S+)$/m, 10_000);
      await waitForLine(dev, /^ready in /m, 10_000);
      expect(claimsOf(token)).toMatchObject({ sub: 'local-developer', scope: 'orders/orders:read orders/orders:write' });
      const url = `http://127.0.0.1:${frontDoorPort}/customers/local-developer/orders`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(dev.output).toContain(`-H "authorization: Bearer $TOKEN"`);
      const minted = spawnSync(process.execPath, [...DEV, 'token', '--service', 'orders', '--subject', 'c1'], { cwd: ROOT, encoding: 'utf8' });
      expect([minted.status, claimsOf(minted.stdout.trim()).sub]).toEqual([0, 'c1']);
    } finally {
      dev.child.kill('SIGINT');
      await dev.exited;
    }
  });

  it('says how to install Java when there is none, and starts nothing', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'no-java-'));
    try {
      const dev = startDev([], { HOME: process.env.HOME, PATH: emptyDir });
      expect(await dev.exited).toBe(1);
      expect(dev.output).toContain('apt-get install -y default-jre-headless');
      expect(dev.output).not.toContain('front door:');
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  it('says in one line that no dev runs when asked for a token', () => {
    const res = spawnSync(process.execPath, [...DEV, 'token', '--service', 'orders', '--environment', 'prod'], { cwd: ROOT, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/no npm run dev is running for service orders in prod/)]);
  });

  it('names the config path and the choices when the service is unknown', async () => {
    const dev = startDev(['--service', 'nope']);
    expect(await dev.exited).toBe(1);
    expect(dev.output).toContain('there is no service "nope" under services; choose one of items');
  });
});
