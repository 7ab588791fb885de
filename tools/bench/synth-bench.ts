// Benchmark: synthesize generated platforms of 1, 10 and 50 services (3
// environments, prod in 3 regions), each in a fresh process, and print stack
// count, wall time and peak memory (max RSS) of the whole process.
//   npm run bench:synth [-- --sizes 1,10,50 --runs 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '@platform/config';
import { integerOption, runCli } from '@platform/cli';
import { generatePlatform } from './generate-platform';
import { generateServices } from './generated-services';

const root = resolve(__dirname, '..', '..');

async function bench(sizes: number[], runs: number, generator: boolean): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'synth-bench-'));
  console.log(`synth benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0].model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; median of ${runs} runs`);
  console.log('services  stacks  wall s (median)  min..max        ms/stack  peak RSS MiB');
  try {
    for (const size of sizes) {
      let configPath = join(work, `platform-${size}.json`);
      let cleanup = () => {};
      if (generator) {
        const started = performance.now();
        const generated = await generateServices(size, work);
        console.log(`  (${size} services made with the service generator and bundled in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
        ({ configPath, cleanup } = generated);
      } else writeFileSync(configPath, JSON.stringify(generatePlatform(size)));
      const samples: { seconds: number; rssMiB: number }[] = [];
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
        if (r.status !== 0) throw new UserError(`synth of ${size} services failed:\n${r.stderr.trim()}`);
        stacks = Number(/synthesized (\d+) stacks/.exec(r.stdout)![1]);
        const rssMiB = Number(/max-rss-kib: (\d+)/.exec(r.stderr)![1]) / 1024;
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
          `${samples[0].seconds.toFixed(2)}..${samples.at(-1)!.seconds.toFixed(2)}`.padStart(14),
          ((med.seconds * 1000) / stacks).toFixed(1).padStart(10),
          peak.toFixed(0).padStart(13),
        ].join('  '),
      );
      cleanup();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void runCli(
  {
    name: 'bench:synth',
    command: 'npm run bench:synth --',
    summary: 'Synthesizes generated platforms of several sizes, each run in a fresh process; prints stacks, wall time and peak memory.',
    options: {
      sizes: { type: 'string', default: '1,10,50', valueName: '<a,b>', description: 'numbers of services (default: 1,10,50)' },
      runs: { type: 'string', default: '3', valueName: '<n>', description: 'runs per size, median reported (default: 3)' },
      generator: { type: 'boolean', default: false, description: 'make the services with the service generator (apps bundled), not a template copy' },
    },
  },
  ({ values }) =>
    bench(
      values.sizes.split(',').map((s) => integerOption('sizes', s.trim(), { min: 1 })!),
      integerOption('runs', values.runs, { min: 1 })!,
      values.generator,
    ),
);
