export * from './endpoint-proxy';
export * from './postgres-server';
