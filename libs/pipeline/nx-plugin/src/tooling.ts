// @platform/nx-plugin/tooling: what the workspace's CLIs, benchmarks and end-to-end tests
// use besides the plugin. Kept apart from index.ts, which Nx loads on every command.
export * from './affected-stacks';
export * from './shards';
export * from './orphans';
export { serviceGenerator, type ServiceGeneratorOptions } from './generators/service/generator';
