import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the runner is a plain CommonJS script (npm test runs it with node)
const { SERIAL, NOT_TIMING_SENSITIVE, phases } = require('./run-jest.cjs') as {
  SERIAL: string[];
  NOT_TIMING_SENSITIVE: string[];
  phases: () => { name: string; args: string[] }[];
};

const ROOT = path.join(__dirname, '..', '..');

/** The test files Jest would run with these arguments (relative to the root). */
function listTests(args: string[]): string[] {
  const jest = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--listTests', ...args], { cwd: ROOT, encoding: 'utf8' });
  if (jest.status !== 0) throw new Error(`jest --listTests failed: ${jest.stderr}`);
  return jest.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((f) => path.relative(ROOT, f))
    .sort();
}

describe('npm test runs Jest in two phases', () => {
  it('runs every test file exactly once: the timing-sensitive ones in band, the others on two workers', () => {
    const all = listTests([]);
    const [parallel, serial] = phases().map((p) => listTests(p.args.filter((a) => a !== '--ci' && !a.startsWith('--maxWorkers') && a !== '--runInBand')));
    expect([...parallel, ...serial].sort()).toEqual(all);
    expect(parallel.filter((f) => serial.includes(f))).toEqual([]);
    // The config's own ignores still apply to the parallel phase (no build output, no synth output).
    expect(parallel.some((f) => /(^|\/)(dist|cdktf\.out|node_modules)\//.test(f))).toBe(false);
    expect(serial).toContain('libs/local/topology/src/local-topology.test.ts');
    expect(serial).toContain('libs/local/topology/src/status-page.browser.test.ts');
    expect(parallel).toContain('libs/local/topology/src/status-page.test.ts');
    expect(parallel).toContain('libs/local/dynamodb-local/src/dynamodb-local.test.ts');
    expect(parallel).toContain('tools/dev/dev.test.ts');
    expect(serial).toContain('tools/dev/local-rollout.test.ts');
    expect(phases()[1].args).toContain('--runInBand');
    expect(phases()[0].args).toContain('--maxWorkers=2');
  });

  it('names no pattern that matches no test file (a renamed suite would silently run on two workers)', () => {
    const all = listTests([]);
    expect(SERIAL.filter((p) => !all.some((f) => new RegExp(p).test(`/${f}`)))).toEqual([]);
    expect(NOT_TIMING_SENSITIVE.filter((name) => !all.includes(`${name}.test.ts`))).toEqual([]);
  });
});
