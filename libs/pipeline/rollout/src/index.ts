export * from './plan';
export * from './gates';
export * from './execute';
export * from './deployment-record';
export * from './reviewed-plans';
export * from './promotion';
export * from './evacuation';
export * from './migrations';
