// The global stack writes the outputs its regional stacks read; both sides take the
// names (and the regional side its defaults) from the service contract, so they cannot
// drift. This checks it end to end on every layer a service can switch on.
import { baseConfig, synthConfig } from './test-workspace';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];

function everyLayer(): any {
  const config = baseConfig();
  config.environments.prod.network = Object.fromEntries(
    REGIONS.map((r) => [r, { vpc: { tags: { Name: 'shared' } }, privateSubnets: { tags: { tier: 'private' } } }]),
  );
  config.services.items.edgeCache = { mode: 'invalidate' };
  config.services.items.aurora = { engine: 'aurora-postgresql', engineVersion: '16.4' };
  config.services.items.cache = { engine: 'valkey' };
  return config;
}

describe('global outputs and the regional stacks that read them', () => {
  const out = synthConfig(everyLayer());
  const outputs = new Set(Object.keys(out.stack('items-prod-global').output ?? {}));

  it.each(REGIONS)('the %s stack reads only outputs the global stack writes, each with a default', (region) => {
    const tf = out.stack(`items-prod-${region}`);
    const [state] = Object.values<any>(tf.data.terraform_remote_state);
    const read = new Set<string>();
    JSON.stringify(tf.resource).replace(/local\.global_outputs_\w+\.(\w+)/g, (_m, name: string) => {
      read.add(name);
      return '';
    });

    expect(read.size).toBeGreaterThan(5);
    for (const name of read) {
      expect(outputs).toContain(name);
      expect(Object.keys(state.defaults)).toContain(name);
    }
    for (const name of Object.keys(state.defaults)) expect(outputs).toContain(name);
  });
});
