// What `npm run dev` (tools/dev.mjs) loads: the local topology and the config loader.
export * from '@platform/local-topology';
export { loadPlatform } from '@platform/config';
