export * from './apply-duration';
export * from './aws';
export * from './preflight';
