export * from './time.js';
export * from './events.js';
export * from './errors.js';
export * from './api.js';
export * from './stream.js';
