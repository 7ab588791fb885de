export * from './terraform-json';
export * from './rules';
export * from './suppressions';
export * from './check';
export * from './markdown';
export * from './sarif';
export * from './rules-privilege-escalation';
