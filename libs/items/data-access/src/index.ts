export * from './item';
export * from './item-id';
export * from './item-schema';
export * from './item-size';
export * from './items-error';
export * from './items-repository';
