// Benchmark of the Nx side of the pipelines on a generated platform: the plugin's
// graph computation (createNodes for every stack) and `nx show projects --affected`,
// in a temporary workspace (see temp-workspace.ts) with NX_DAEMON=false, as in CI.
//   npm run bench:pipelines -- [--services 50] [--runs 5]
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { integerOption, runCli } from '@platform/cli';
import { createNodesV2 } from '../src';
import { affectedStacks } from '../src/affected-stacks';
import { generatedConfig } from '../src/testing/generated-platform';
import { REPO_ROOT, createTempWorkspace, projectList } from '../src/testing/temp-workspace';
import { median } from '@platform/bench-stats';


const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

async function main(serviceCount: number, runs: number) {
  const config = generatedConfig(serviceCount);
  const probe = `svc${String(Math.ceil(serviceCount / 2)).padStart(2, '0')}`;
  const ws = createTempWorkspace({ config });
  try {
    console.log(`platform: ${serviceCount} services, ${ws.stacks.length} stacks, ${ws.apps.length} apps; changes touch ${probe}`);
    console.log(
      `machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${
        process.version
      }; NX_DAEMON=false; ${runs} runs, median`,
    );
    const rows: [string, number[]][] = [];

    const plugin: number[] = [];
    for (let i = 0; i < runs; i++) {
      const [, ms] = time(() => createNodesV2[1](['config/platform.json'], {}, { workspaceRoot: ws.root, nxJsonConfiguration: {} }));
      plugin.push(ms);
    }
    rows.push(['plugin createNodes, warm (validate config, build every stack project)', plugin]);

    // Cold: a new process loading the plugin (its TypeScript bundled by tools/run-ts.mjs,
    // zod, the config loader), as an Nx plugin worker does; timed inside the process.
    const cold: number[] = [];
    const script = [
      `const { loadTs } = await import(${JSON.stringify(join(REPO_ROOT, 'tools/run-ts.mjs'))});`,
      'const t = performance.now();',
      "const { createNodesV2 } = await loadTs('libs/pipeline/nx-plugin/src/index.ts');",
      `createNodesV2[1](['config/platform.json'], {}, { workspaceRoot: ${JSON.stringify(ws.root)}, nxJsonConfiguration: {} });`,
      'console.log(performance.now() - t);',
    ].join('\n');
    for (let i = 0; i < runs; i++) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
      cold.push(Number(out.trim().split('\n').pop()));
    }
    rows.push(['plugin createNodes, cold (new process: load the plugin, then as above)', cold]);

    const nxRun = (label: string, args: string[], check?: (out: string) => void) => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const [result, ms] = time(() => ws.nx(args));
        if (result.code !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${result.stderr}`);
        check?.(result.stdout);
        times.push(ms);
      }
      rows.push([label, times]);
    };

    nxRun('nx graph --file (whole project graph, process start to exit)', ['graph', `--file=${join(ws.root, 'dist', 'graph.json')}`]);
    nxRun('nx show projects', ['show', 'projects', '--json']);

    ws.write(`apps/${probe}-api/src/main.ts`, '// changed\n');
    nxRun(
      'nx show projects --affected (one app file changed: app + its 8 regional stacks)',
      ['show', 'projects', '--affected', '--base=HEAD', '--json'],
      (out) => {
        const got = projectList(out);
        if (got.length !== 1 + 8) throw new Error(`expected ${probe}-api and its 8 regional stacks, got ${got.length}`);
      },
    );
    ws.git('checkout', '-q', '--', '.');

    ws.write('libs/synthesis/constructs/src/global-table.ts', '// changed\n');
    nxRun(
      'nx show projects --affected (one construct file changed: every stack)',
      ['show', 'projects', '--affected', '--base=HEAD', '--json'],
      (out) => {
        const got = projectList(out);
        if (got.length !== ws.stacks.length + 2) throw new Error(`expected every stack, got ${got.length}`);
      },
    );
    ws.git('checkout', '-q', '--', '.');

    const changed = generatedConfig(serviceCount);
    changed.services[probe].lambda = { ...changed.services[probe].lambda, memorySizeMb: 1024 };
    ws.write('config/platform.json', JSON.stringify(changed, null, 2));
    const narrowed: number[] = [];
    for (let i = 0; i < runs; i++) {
      const [result, ms] = time(() => affectedStacks({ workspaceRoot: ws.root, base: 'HEAD' }));
      if (result.stacks.length !== 11) throw new Error(`expected the 11 stacks of ${probe}, got ${result.stacks.length}`);
      narrowed.push(ms);
    }
    rows.push(['affected stacks of a one-service config change (config diff; nx not needed)', narrowed]);
    ws.git('checkout', '-q', '--', '.');

    const width = Math.max(...rows.map(([label]) => label.length));
    console.log(`\n${'measurement'.padEnd(width)}  median   min      max`);
    for (const [label, times] of rows) {
      console.log(
        `${label.padEnd(width)}  ${fmt(median(times)).padEnd(8)} ${fmt(Math.min(...times)).padEnd(8)} ${fmt(Math.max(...times))}`,
      );
    }
  } finally {
    ws.remove();
  }
}

void runCli(
  {
    name: 'bench:pipelines',
    command: 'npm run bench:pipelines --',
    summary: "The Nx side of the pipelines on a generated platform: the plugin's createNodes (warm and cold) and nx show projects --affected, with NX_DAEMON=false.",
    options: {
      services: { type: 'string', default: '50', valueName: '<n>', description: 'services of the generated platform (default: 50)' },
      runs: { type: 'string', default: '5', valueName: '<n>', description: 'runs of each measurement, median reported (default: 5)' },
    },
  },
  ({ values }) => main(integerOption('services', values.services, { min: 1, max: 99 })!, integerOption('runs', values.runs, { min: 1 })!),
);
