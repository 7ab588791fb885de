import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const SCRIPT = path.join(__dirname, 'lint-and-typecheck.cjs');

/** Runs the script with a stand-in npm first on PATH: `npm run --silent <step>` prints and exits as `exits` says. */
function runWith(exits: Record<string, number>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'lint-and-typecheck-'));
  try {
    const npm = path.join(dir, 'npm');
    writeFileSync(npm, `#!/bin/sh\necho "$3 says hello"\nexit $(node -e 'console.log(JSON.parse(process.env.EXITS)[process.argv[1]] ?? 0)' "$3")\n`);
    chmodSync(npm, 0o755);
    return spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}`, EXITS: JSON.stringify(exits) } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('lint-and-typecheck', () => {
  it('runs both steps and prints each one\'s output whole', () => {
    const r = runWith({});
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/> lint: passed\nlint says hello\n\n> typecheck: passed\ntypecheck says hello\n/);
  });

  it('fails with the failing step\'s exit code, and still runs and reports the other', () => {
    const r = runWith({ typecheck: 2 });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('> lint: passed');
    expect(r.stdout).toContain('> typecheck: FAILED (exit 2)\ntypecheck says hello');
  });
});
