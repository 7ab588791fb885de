#!/usr/bin/env node
// The Jest part of `npm test`, in two phases:
//   1. every suite except the timing-sensitive ones, on two workers;
//   2. the timing-sensitive ones alone, one at a time (--runInBand).
// `node tools/test/run-jest.cjs <jest args>` (`npm test -- <jest args>`) runs Jest once
// with those arguments instead.
//
// Why: on a 2-core machine Jest's default is one worker (cores - 1), and with one worker
// it runs everything in band. Most suites are CPU-bound (synth, Nx, ESLint, the Terraform
// stand-in): on two workers they took 300 s of wall time against about 400 s in band
// (docs/benchmarks.md, "npm test"). The suites in SERIAL assert on wall-clock behaviour
// (health checks every 250 ms, a region killed and detected, writes acknowledged within a
// bound) against servers they start (DynamoDB Local JVMs, PostgreSQL, Redis, chromium):
// beside a CPU-bound worker their timers slip and they fail (seen when .ci/run ran
// verify:terraform beside the tests, docs/pipelines.md), so they keep the machine to
// themselves.
//
// Both phases always run, so one run reports every failure; the exit code is the first
// non-zero one.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const JEST = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

/** Folders whose suites start servers and may time them: their suites run alone unless named below. */
const TIMED_AREAS = ['libs/local/', 'tools/dev/'];

/**
 * Suites in those folders that assert no wall-clock bound: no timing, fake clocks, or
 * waits whose limits (10-150 s) only stop a hung test (the DynamoDB Local wrapper, the
 * regional table's crash test, `npm run dev` started and stopped, which the day-two and
 * docs tests also do on the workers). They run on the workers. A new suite in those
 * folders runs alone until it is named here.
 */
const NOT_TIMING_SENSITIVE = [
  'libs/local/dynamodb-local/src/dynamodb-local',
  'libs/local/lambda-http-adapter/src/api-gateway-event',
  'libs/local/topology/src/dev-session',
  'libs/local/topology/src/edge-cache',
  'libs/local/topology/src/local-jwt-authorizer',
  'libs/local/topology/src/region-router',
  'libs/local/topology/src/region-table',
  'libs/local/topology/src/status-page',
  'libs/local/topology/src/topology-config',
  'libs/local/topology/src/write-stamp',
  'tools/dev/dev',
];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Test paths (regular expressions, as Jest's testPathPatterns) whose suites run alone. */
const SERIAL = [
  ...TIMED_AREAS.map((area) => {
    const except = NOT_TIMING_SENSITIVE.filter((f) => f.startsWith(area)).map((f) => escapeRegExp(f.slice(area.length)));
    return `/${escapeRegExp(area)}${except.length ? `(?!(${except.join('|')})\\.test\\.ts$)` : ''}`;
  }),
  '/apps/items-api/src/items-api-resilience\\.test\\.ts$',
];

/** The argument lists of the two phases. */
function phases() {
  // A --testPathIgnorePatterns on the command line replaces the config's: keep those.
  const { testPathIgnorePatterns } = require(path.join(ROOT, 'jest.config.js'));
  return [
    { name: 'parallel (2 workers)', args: ['--ci', '--maxWorkers=2', '--testPathIgnorePatterns', ...testPathIgnorePatterns, ...SERIAL] },
    { name: 'timing-sensitive (in band)', args: ['--ci', '--runInBand', '--testPathPatterns', ...SERIAL] },
  ];
}

function jest(args) {
  const result = spawnSync(process.execPath, [JEST, ...args], { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

function main(argv) {
  if (argv.length) return jest(['--ci', ...argv]);
  let exitCode = 0;
  for (const phase of phases()) {
    const started = performance.now();
    console.log(`\n=== Jest, ${phase.name} ===`);
    const status = jest(phase.args);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`=== Jest, ${phase.name}: ${status === 0 ? 'passed' : `FAILED (exit ${status})`} in ${seconds} s ===`);
    if (status !== 0 && exitCode === 0) exitCode = status;
  }
  return exitCode;
}

module.exports = { SERIAL, NOT_TIMING_SENSITIVE, phases };

if (require.main === module) process.exit(main(process.argv.slice(2)));
