// One Jest run for the whole workspace; TypeScript is stripped by SWC (no type
// checking here: `npm run typecheck` does that).
const { compilerOptions } = require('./tsconfig.base.json');
const { assertSupportedNode } = require('./tools/lib/supported-node.cjs');

// The tests run on the Node the functions run (.nvmrc, 24); an end-of-life Node stops here.
assertSupportedNode(__dirname);

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias}$`] = `<rootDir>/${target.replace(/^\.\//, "")}`;
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/stacks', '<rootDir>/bootstrap', '<rootDir>/tools', '<rootDir>/.github'],
  testMatch: ['**/*.test.ts', '**/*.spec.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  moduleNameMapper,
  // jose ships only ES modules; SWC turns them into CommonJS like our own sources.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/cdktf.out/'],
  testTimeout: 60000,
  // In CI, a test that failed half-way and left a server or client running must fail the
  // run, not hold it open until CI's own time limit (seen: stop 28, a writer left
  // retrying after a failed region-kill scenario). Jest still names the open handles.
  forceExit: Boolean(process.env.CI),
};
