export * from './consistency-token';
export * from './list-cursor';
export * from './migrations';
export * from './order';
export * from './order-cache';
export * from './orders-database';
export * from './orders-error';
export * from './orders-repository';
