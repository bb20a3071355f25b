export * from './tokens.js';
export * from './token-repository.js';
