export * from './state.js';
export * from './holder.js';
export * from './valuation.js';
export * from './codec.js';
export * from './repository.js';
export * from './format.js';
export * from './incremental-valuation.js';
