export * from './read-synth';
export * from './report';
