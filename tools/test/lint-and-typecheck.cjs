#!/usr/bin/env node
// The lint and type-check steps of `npm test`, side by side: `npm run lint` (ESLint) and
// `npm run typecheck` (tsc) each keep one core busy for about 11-13 s, so on two cores
// they take the time of the longer one instead of the sum. Each one's output is printed
// when it ends, whole (not interleaved); both always run, so one run reports both, and
// the exit code is the first non-zero one (lint's, then typecheck's).
const { spawn } = require('node:child_process');

const STEPS = ['lint', 'typecheck'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (err) => resolve({ script, code: 1, output: `${output}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ script, code: code ?? (signal ? 1 : 0), output }));
  });
}

async function main() {
  const started = performance.now();
  const results = await Promise.all(STEPS.map(run));
  for (const r of results) {
    process.stdout.write(`\n> ${r.script}: ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`}\n`);
    if (r.output) process.stdout.write(r.output.endsWith('\n') ? r.output : `${r.output}\n`);
  }
  console.log(`lint and typecheck: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return results.find((r) => r.code !== 0)?.code ?? 0;
}

main().then((code) => process.exit(code));
