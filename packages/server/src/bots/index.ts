export * from './bot-service.js';
export * from './routes.js';
