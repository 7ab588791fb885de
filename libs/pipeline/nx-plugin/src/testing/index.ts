// @platform/nx-plugin/testing: a throw-away Nx workspace with the plugin, and generated platforms.
export * from './temp-workspace';
export * from './generated-platform';
