export * from './relational-data-layer';
