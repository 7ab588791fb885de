import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WatchedServer, findFreePort, watchdogPid, watchdogScript } from './server-process';

const ROOT = join(__dirname, '../../../..');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('watchdogScript', () => {
  it('reports the server’s pid and stops the server when its stdin closes (the parent exits)', async () => {
    const child = spawn('sh', ['-c', watchdogScript({ reportPid: true }), 'sh', 'sleep', '60'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(watchdogPid(d.toString().trim())!)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    expect(alive(pid)).toBe(true);
    child.stdin!.end(); // what our exit does, SIGKILL included
    await exited;
    expect(await waitFor(() => !alive(pid), 2000)).toBe(true);
  });

  it('exits with the server’s status when the server ends first', async () => {
    const child = spawn('sh', ['-c', watchdogScript(), 'sh', 'sh', '-c', 'exit 3'], { stdio: ['pipe', 'ignore', 'inherit'] });

    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(3);
    child.stdin!.end();
  });

  it('asks for a fast shutdown with SIGINT when told to', () => {
    expect(watchdogScript({ stopSignal: 'INT' })).toContain('kill -INT "$pid"');
    expect(watchdogScript()).not.toContain('-INT');
  });
});

describe('watchdogPid', () => {
  it('reads only the watchdog’s own line', () => {
    expect(watchdogPid('watchdog-server-pid 4242')).toBe(4242);
    expect(watchdogPid('server started, pid 4242')).toBeUndefined();
  });
});

describe('findFreePort', () => {
  it('gives a loopback port that can be bound', async () => {
    const port = await findFreePort();
    const server = createServer();

    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    await new Promise((resolve) => server.close(resolve));
    expect(port).toBeGreaterThan(0);
  });
});

describe('killAtExit', () => {
  it('runs the registered kills when the process exits, not the forgotten ones', async () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'tools/run-ts.mjs'), join(__dirname, 'testing/kill-at-exit-fixture.ts')], { encoding: 'utf8', timeout: 30_000 });
    const pid = Number(run.stdout.trim());

    expect([run.status, run.stderr.includes('must not run')]).toEqual([0, false]);
    expect(pid).toBeGreaterThan(0);
    expect(await waitFor(() => !alive(pid), 2000)).toBe(true);
  });
});

describe('WatchedServer', () => {
  it('given a server that prints and waits, then it knows the server\'s pid and last lines, and a signal to the server ends the run', async () => {
    const lines: string[] = [];
    const server = new WatchedServer(['sh', '-c', 'echo one; echo two; echo three; exec sleep 30'], {
      watchdog: watchdogScript({ reportPid: true }),
      killAtExitSignal: 'SIGKILL',
      tailLines: 2,
      onLine: (line) => lines.push(line),
    });
    for (let i = 0; i < 100 && (server.serverPid === undefined || lines.length < 3); i++) await new Promise((r) => setTimeout(r, 20));
    expect([server.isRunning, typeof server.serverPid, lines, server.tail]).toEqual([true, 'number', ['one', 'two', 'three'], ['two', 'three']]);
    server.signal('SIGTERM');
    await server.exited;
    expect(server.isRunning).toBe(false);
  });
});
