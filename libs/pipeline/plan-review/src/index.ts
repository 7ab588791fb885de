export * from './plan-json';
export * from './summarize';
export * from './guard';
export * from './markdown';
export * from './review';
export * from './by-service';
