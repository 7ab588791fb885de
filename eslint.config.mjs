// ESLint for all TypeScript and JavaScript of the workspace: the recommended rules
// (without type information, to stay fast) and the bans this project relies on.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import {
  COMPOSITION_ROOT_FILES,
  GENERATOR_CONSTRAINTS,
  GENERATOR_FILES,
  LAYER_CONSTRAINTS,
  PROGRAM_ALIASES,
  TEST_CONSTRAINTS,
  TEST_FILES,
  ensureProjectGraph,
} from './tools/lint/layers.mjs';

const projectGraphDigest = await ensureProjectGraph();

/** Provider classes by deep path: the barrel loads every AWS resource class. */
const PROVIDER_BARREL = {
  name: '@cdktf/provider-aws',
  message:
    "import the class by deep path, e.g. '@cdktf/provider-aws/lib/s3-bucket': the barrel loads every AWS resource class (measured: 4.4 s and 561 MB per synth, 10.7 s per tsc).",
};

export default tseslint.config(
  { ignores: ['**/node_modules/', '**/dist/', '**/cdktf.out*/', '.nx/', 'coverage/', '.tmp/', '.bench/', '.terraform-verify/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    // Not read by any rule: a change of the Nx project graph changes the config, so that
    // `eslint --cache` re-lints every file (the layer rule's verdicts depend on the graph).
    settings: { projectGraphDigest },
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        // Node, for scripts and tools (TypeScript files get these from @types/node).
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', performance: 'readonly', require: 'readonly', module: 'writable',
        __dirname: 'readonly', __filename: 'readonly',
      },
    },
    rules: {
      'no-restricted-imports': ['error', { paths: [PROVIDER_BARREL] }],
      // The same ban for require() and import(), which no-restricted-imports does not see.
      'no-restricted-syntax': [
        'error',
        { selector: `CallExpression[callee.name='require'][arguments.0.value='${PROVIDER_BARREL.name}']`, message: PROVIDER_BARREL.message },
        { selector: `ImportExpression[source.value='${PROVIDER_BARREL.name}']`, message: PROVIDER_BARREL.message },
      ],
      // The layers: what may import what (tools/lint/layers.mjs, docs/architecture.md).
      '@nx/enforce-module-boundaries': ['error', { depConstraints: LAYER_CONSTRAINTS }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests, their helpers and benchmarks may also start the local servers (and, for the
    // programs, run the pipeline's checks); see TEST_CONSTRAINTS.
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': ['error', { depConstraints: TEST_CONSTRAINTS }] },
  },
  {
    // The Nx plugin's generators may read the runtime whose code they write.
    files: GENERATOR_FILES,
    rules: { '@nx/enforce-module-boundaries': ['error', { depConstraints: GENERATOR_CONSTRAINTS }] },
  },
  {
    // Composition roots may import the two cdktf programs; no library may. The test extras
    // apply to all their files: tools/ may import anything anyway, .github/ (pipeline) has none.
    files: COMPOSITION_ROOT_FILES,
    rules: { '@nx/enforce-module-boundaries': ['error', { depConstraints: TEST_CONSTRAINTS, allow: PROGRAM_ALIASES }] },
  },
  {
    // Tests and their helpers poke at untyped Terraform JSON and mocks; `any` is the point there.
    files: ['**/*.test.ts', '**/testing/**', '**/test-helpers.ts', 'stacks/test-workspace.ts'],
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The report reads synthesized Terraform JSON, which has no types.
    files: ['libs/pipeline/report/src/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // CommonJS files: require is how they import.
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // A module chosen at run time: the region API's handler (an environment variable), the
    // Lambda's CloudFront client (loaded only when the service invalidates).
    files: ['libs/local/topology/src/region-api-main.ts', 'apps/items-api/src/cloudfront-invalidator.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
