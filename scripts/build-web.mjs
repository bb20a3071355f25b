#!/usr/bin/env node
// Builds the dashboard (packages/web) with Vite unless its dist is newer than every source file,
// so `npm start` stays fast after the first build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'packages/web');
if (!existsSync(path.join(web, 'index.html'))) process.exit(0);

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const built = path.join(web, 'dist/index.html');
const sources = Math.max(newest(web), newest(path.join(root, 'packages/protocol/src')));
if (existsSync(built) && statSync(built).mtimeMs >= sources && !process.argv.includes('--force'))
  process.exit(0);
const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
  cwd: web,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
