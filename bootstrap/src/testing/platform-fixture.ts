// The bootstrap tests' platform is the shared test fixture of @platform/config.
export { bootstrapPlatformFixture } from '@platform/config/testing';
