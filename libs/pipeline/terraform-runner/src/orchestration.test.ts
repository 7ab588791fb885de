// plan / deploy / destroy through Nx (the inferred targets, their dependsOn and the
// terraform runner) with a stand-in terraform first on PATH that records every call.
import { join } from 'node:path';
import { type StandIn, type TerraformCall, installStandIn } from './testing/stand-in';
import { type TempWorkspace, createTempWorkspace } from '@platform/nx-plugin/testing';

jest.setTimeout(180_000);

const DEV = ['items-dev-global', 'items-dev-eu-west-1', 'items-dev-us-east-1'];
const [GLOBAL, EU, US] = DEV;

let ws: TempWorkspace;
let tf: StandIn;
beforeAll(() => {
  ws = createTempWorkspace();
});
afterAll(() => ws?.remove());

/** A fresh stand-in and no synth output, plan files or Nx cache from earlier tests. */
function reset() {
  tf = installStandIn();
  ws.git('clean', '-fdxq', '-e', 'node_modules');
}

const workdir = (stack: string) => join(ws.root, 'cdktf.out', 'stacks', stack);
const planFile = (stack: string) => join(ws.root, 'dist', 'terraform', stack, 'plan.tfplan');
const callsIn = (stack: string) => tf.calls().filter((c) => c.cwd === workdir(stack));
const indexOf = (calls: TerraformCall[], stack: string, command: string) =>
  calls.findIndex((c) => c.cwd === workdir(stack) && c.args[0] === command);
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => ws.nx(args, tf.env(env));

describe('deploy of one environment', () => {
  let code: number;
  beforeAll(() => {
    reset();
    code = run(['run-many', '-t', 'deploy', '-p', DEV.join(','), '--parallel=3']).code;
  });

  it('succeeds and synthesizes once for all stacks', () => {
    expect(code).toBe(0);
    expect(ws.synthRuns()).toBe(1);
  });

  it('inits, plans to a file, shows it as JSON and applies exactly that file, in the stack folder', () => {
    const calls = callsIn(GLOBAL);

    expect(calls.map((c) => c.args[0])).toEqual(['init', 'plan', 'show', 'init', 'apply']);
    expect(calls[1].args).toContain(`-out=${planFile(GLOBAL)}`);
    expect(calls[2].args).toEqual(['show', '-json', '-no-color', planFile(GLOBAL)]);
    expect(calls[4].args).toEqual(['apply', '-input=false', '-no-color', '-lock-timeout=300s', planFile(GLOBAL)]);
  });

  it('applies a regional stack after its global stack, with the plan made last for it', () => {
    const all = tf.calls();
    for (const regional of [EU, US]) {
      const lastPlanAt = all.map((c, i) => (c.cwd === workdir(regional) && c.args[0] === 'plan' ? i : -1)).reduce((a, b) => Math.max(a, b));
      const lastPlan = all[lastPlanAt];
      const apply = callsIn(regional).find((c) => c.args[0] === 'apply')!;

      expect(indexOf(all, regional, 'apply')).toBeGreaterThan(indexOf(all, GLOBAL, 'apply'));
      expect(lastPlan.args).toContain(`-out=${planFile(regional)}`);
      expect(apply.args.at(-1)).toBe(planFile(regional));
      // Planned after the global stack was applied, or planned again then.
      expect(lastPlanAt).toBeGreaterThan(indexOf(all, GLOBAL, 'apply'));
    }
  });

  it('touches no stack that was not asked for', () => {
    const dirs = new Set(tf.calls().map((c) => c.cwd));

    expect([...dirs].sort()).toEqual(DEV.map(workdir).sort());
  });
});

describe('one command at a time', () => {
  beforeEach(reset);

  it('plans a regional stack after its global stack', () => {
    expect(run(['run', `${EU}:plan`]).code).toBe(0);

    const all = tf.calls();
    expect(indexOf(all, GLOBAL, 'plan')).toBeGreaterThanOrEqual(0);
    expect(indexOf(all, EU, 'plan')).toBeGreaterThan(indexOf(all, GLOBAL, 'show'));
    expect(all.some((c) => c.args[0] === 'apply')).toBe(false);
  });

  it('stops the dependents of a failing stack, and only them', () => {
    const result = run(['run-many', '-t', 'deploy', '-p', [...DEV, 'orders-dev-global'].join(','), '--parallel=3'], {
      TF_STANDIN_FAIL: `apply:${GLOBAL}`,
    });

    expect(result.code).not.toBe(0);
    expect(callsIn(EU).some((c) => c.args[0] === 'apply')).toBe(false);
    expect(callsIn(US).some((c) => c.args[0] === 'apply')).toBe(false);
    expect(callsIn('orders-dev-global').some((c) => c.args[0] === 'apply')).toBe(true);
  });

  it('destroys the regional stacks before their global stack', () => {
    const result = run(['run', `${GLOBAL}:destroy`], { PLATFORM_DESTROY: 'dev' });

    expect(result.code).toBe(0);
    const all = tf.calls();
    for (const regional of [EU, US]) {
      expect(callsIn(regional).map((c) => c.args.slice(0, 2))).toEqual([
        ['init', '-input=false'],
        ['plan', '-destroy'],
        ['show', '-json'],
        ['apply', '-input=false'],
      ]);
      expect(indexOf(all, regional, 'apply')).toBeLessThan(indexOf(all, GLOBAL, 'plan'));
    }
    expect(callsIn(GLOBAL).at(-1)!.args[0]).toBe('apply');
  });

  it('destroys nothing unless PLATFORM_DESTROY names the environment', () => {
    const result = run(['run', `${GLOBAL}:destroy`], { PLATFORM_DESTROY: 'prod' });

    expect(result.code).not.toBe(0);
    expect(tf.calls()).toEqual([]);
  });
});
