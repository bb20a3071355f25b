#!/usr/bin/env node
// `npm run bench`: builds, then runs every benchmark in bench/<name>/run.mjs in turn (each prints
// its figures beside the limit it is measured against). `npm run bench -- ingest analytics`
// runs only those; arguments after `--args` go to each benchmark.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const split = argv.indexOf('--args');
const only = (split === -1 ? argv : argv.slice(0, split)).filter((a) => !a.startsWith('-'));
const extra = split === -1 ? [] : argv.slice(split + 1);

const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const benches = readdirSync(path.join(root, 'bench'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(root, 'bench', d.name, 'run.mjs')))
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name));
let failed = 0;
for (const name of benches) {
  console.log(`\n=== bench/${name} ===`);
  const r = spawnSync(process.execPath, [path.join(root, 'bench', name, 'run.mjs'), ...extra], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
console.log(`\n${benches.length - failed} of ${benches.length} benchmarks ran to completion.`);
process.exit(failed > 0 ? 1 : 0);
