export * from './clock.js';
export * from './trading-day.js';
