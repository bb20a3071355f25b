export * from './rebuild.js';
export { registerRebuildCommand } from './command.js';
