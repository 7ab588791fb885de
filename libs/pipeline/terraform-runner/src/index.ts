export * from './terraform';
export * from './runner';
