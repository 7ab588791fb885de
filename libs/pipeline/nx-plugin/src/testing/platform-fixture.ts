// The Nx plugin tests' platform is the shared test fixture of @platform/config.
export { platformFixture } from '@platform/config/testing';
