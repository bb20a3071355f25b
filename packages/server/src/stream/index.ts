export * from './live-stream.js';
export * from './routes.js';
