export * from './policy';
export * from './settings';
export * from './bootstrap-plan';
export * from './state-bucket';
export * from './github-oidc-provider';
export * from './pipeline-roles';
export * from './cross-account-role';
export * from './bootstrap-stack';
