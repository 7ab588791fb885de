// The guard Jest and tools/run-ts.mjs run first: an end-of-life Node stops with one line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lowestSupported, unsupportedNode } = require('./supported-node.cjs') as {
  lowestSupported: (range: string) => string;
  unsupportedNode: (version: string, range: string) => string | undefined;
};

const ENGINES = '^22.13.0 || ^24.0.0';

describe('supported Node', () => {
  it('given the engines range, when Node 20 runs, then it refuses with the range and how to get Node 24', () => {
    expect(unsupportedNode('v20.20.2', ENGINES)).toBe(
      'Node 20.20.2 is running, but this workspace needs Node 22.13.0 or newer (package.json engines: "^22.13.0 || ^24.0.0"; 24 recommended): ' +
        'put Node 24 first on PATH: export PATH="$(tools/use-node.sh):$PATH" (README, "Node")',
    );
  });

  it.each(['22.12.0', '18.20.8'])('refuses %s, below the lowest allowed version', (version) => {
    expect(unsupportedNode(version, ENGINES)).toContain(`Node ${version} is running`);
  });

  it.each(['22.13.0', '24.0.0', '24.22.3', '26.1.0'])('accepts %s', (version) => {
    expect(unsupportedNode(version, ENGINES)).toBeUndefined();
  });

  it('reads the lowest version of the caret alternatives, whatever their order', () => {
    expect(lowestSupported('^24.0.0 || ^22.13.0')).toBe('22.13.0');
  });

  it('names a range it cannot read instead of guessing', () => {
    expect(() => lowestSupported('>=22')).toThrow('package.json engines.node is ">=22"; expected caret ranges joined by ||, e.g. "^22.13.0 || ^24.0.0"');
  });

  it('is what the workspace says: Node 22 or 24, and the workflows and tools/use-node.sh use 24 (.nvmrc)', () => {
    const root = join(__dirname, '..', '..');
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node).toBe(ENGINES);
    expect(readFileSync(join(root, '.nvmrc'), 'utf8').trim()).toBe('24');
  });

  it('runs this test suite on Node 22 or newer', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});
