#!/usr/bin/env node
// Benchmark: synthesize generated platforms of 1, 10 and 50 services (3
// environments, prod in 3 regions), each in a fresh process, and print stack
// count, wall time and peak memory (max RSS) of the whole process.
//   npm run bench:synth [-- --sizes 1,10,50 --runs 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePlatform } from './generate-platform.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1,10,50' }, runs: { type: 'string', default: '3' } } });
const sizes = values.sizes.split(',').map(Number);
const runs = Number(values.runs);
const work = mkdtempSync(join(tmpdir(), 'synth-bench-'));

console.log(`synth benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0].model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; median of ${runs} runs`);
console.log('services  stacks  wall s (median)  min..max        ms/stack  peak RSS MiB');
for (const size of sizes) {
  const configPath = join(work, `platform-${size}.json`);
  writeFileSync(configPath, JSON.stringify(generatePlatform(size)));
  const samples = [];
  let stacks = 0;
  for (let i = 0; i < runs; i++) {
    const outdir = join(work, `out-${size}`);
    rmSync(outdir, { recursive: true, force: true });
    const start = performance.now();
    const r = spawnSync(process.execPath, ['tools/synth.mjs', '--config', configPath, '--outdir', outdir, '--no-table'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, SYNTH_REPORT_MAX_RSS: '1' },
    });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    stacks = Number(/synthesized (\d+) stacks/.exec(r.stdout)[1]);
    const rssMiB = Number(/max-rss-kib: (\d+)/.exec(r.stderr)[1]) / 1024;
    samples.push({ seconds, rssMiB });
  }
  samples.sort((a, b) => a.seconds - b.seconds);
  const med = samples[Math.floor(samples.length / 2)];
  const peak = Math.max(...samples.map((s) => s.rssMiB));
  console.log(
    [
      String(size).padStart(8),
      String(stacks).padStart(6),
      med.seconds.toFixed(2).padStart(15),
      `${samples[0].seconds.toFixed(2)}..${samples.at(-1).seconds.toFixed(2)}`.padStart(14),
      ((med.seconds * 1000) / stacks).toFixed(1).padStart(10),
      peak.toFixed(0).padStart(13),
    ].join('  '),
  );
}
rmSync(work, { recursive: true, force: true });
