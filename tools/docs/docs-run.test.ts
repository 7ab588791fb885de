import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WORKSPACE_ROOT, docFiles, readDoc } from './doc-files';
import { RUNS_IN_TEST, compareShownOutput, runnableBlocks, type RunnableBlock } from './runnable-blocks';

// Docs that run: the README walkthrough and every block of docs/ marked
// `<!-- runs-in-test -->` are run, in order and in one shell, against a real
// `npm run dev` started as the README starts it; each output a doc shows after a block
// is compared with what the block printed (status lines, the headers shown, JSON keys).

jest.setTimeout(240_000);

/** How the README starts dev for the walkthrough; the test runs the same, on a free port instead of 8080. */
const DOC_PORT = '127.0.0.1:8080';
const DOC_START = 'npm run dev -- --port 8080';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('compareShownOutput (the docs test can fail)', () => {
  const shown = 'HTTP/1.1 200 OK\netag: "2"\nx-cache: Miss from local-edge\n\n{"id":"...","version":2}';

  it('given the printed output has the shown status, headers and JSON keys, when compared, then nothing differs', () => {
    expect(compareShownOutput(shown, 'HTTP/1.1 200 OK\r\nEtag: "2"\r\nx-cache: Miss from local-edge\r\nvia: x\r\n\r\n{"version":3,"id":"abc"}')).toEqual([]);
  });

  it('given a stale read (the old ETag from the cache), when compared, then the header differences are named', () => {
    expect(compareShownOutput(shown, 'HTTP/1.1 200 OK\r\netag: "1"\r\nx-cache: Hit from local-edge\r\n\r\n{"id":"abc","version":1}')).toEqual([
      'header etag: "2" shown, "1" printed',
      'header x-cache: Miss from local-edge shown, Hit from local-edge printed',
    ]);
  });

  it('given another status or other JSON keys, when compared, then each is named', () => {
    expect(compareShownOutput(shown, 'HTTP/1.1 404 Not Found\r\netag: "2"\r\nx-cache: Miss from local-edge\r\n\r\n{"error":{}}')).toEqual([
      'status 200 shown, 404 printed (body: {"error":{}})',
      'JSON shape differs: shown {"id":"string","version":"number"}, printed {"error":{}}',
    ]);
  });

  it('given a marker on a block that is not sh, when the blocks are read, then it says so', () => {
    expect(() => runnableBlocks('x.md', `${RUNS_IN_TEST}\n\`\`\`ts\nconst a = 1;\n\`\`\`\n`)).toThrow('x.md:2: <!-- runs-in-test --> marks a ```ts block; it must mark a ```sh block');
  });
});

describe('docs that run', () => {
  const readme = readDoc('README.md');
  const blocks: RunnableBlock[] = docFiles().flatMap((file) => runnableBlocks(file, readDoc(file)));

  it('the README starts dev the way this test does, and its walkthrough is marked to run', () => {
    expect(readme).toContain(`\`\`\`sh\n${DOC_START}\n\`\`\``);
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThanOrEqual(5);
  });

  it('runs every marked block against npm run dev and prints what the docs show', async () => {
    const port = await freePort();
    const dev = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'run-ts.mjs'), join(WORKSPACE_ROOT, 'tools', 'dev.ts'), '--port', String(port)], {
      cwd: WORKSPACE_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let devOutput = '';
    dev.stdout!.on('data', (d: Buffer) => (devOutput += d.toString()));
    dev.stderr!.on('data', (d: Buffer) => (devOutput += d.toString()));
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    try {
      const deadline = Date.now() + 150_000;
      while (!/^ready in /m.test(devOutput)) {
        if (dev.exitCode !== null || Date.now() > deadline) throw new Error(`npm run dev did not start:\n${devOutput}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const script = ['set -euo pipefail', ...blocks.flatMap((b, i) => [`printf '\\n@@@block ${i}@@@\\n'`, b.script.replaceAll(DOC_PORT, `127.0.0.1:${port}`)])].join('\n');
      const run = spawnSync('bash', ['-c', script], { cwd: WORKSPACE_ROOT, encoding: 'utf8', timeout: 120_000 });
      const where = (b: RunnableBlock) => `${b.file}:${b.line}`;
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
      const outputs = run.stdout.split(/\n@@@block \d+@@@\n/).slice(1);
      expect(outputs).toHaveLength(blocks.length);
      const problems = blocks.flatMap((b, i) => (b.shownOutput === undefined ? [] : compareShownOutput(b.shownOutput, outputs[i]!).map((p) => `${where(b)}: ${p}`)));
      expect(problems).toEqual([]);
    } finally {
      dev.kill('SIGINT');
      await exited;
    }
  });
});
