// Starts the built hub (`tradewatch serve`) in a child process on a free port with a fresh
// data directory, for benchmarks and end-to-end tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'packages/server/dist/cli/main.js');
export const ADMIN = 'tw_bench_admin_token_0123456789abcdef';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startHub({ dataDir, env = {}, args = [] } = {}) {
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'tradewatch-bench-'));
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: {
      ...process.env,
      TRADEWATCH_DATA_DIR: dir,
      TRADEWATCH_PORT: String(port),
      TRADEWATCH_HOST: '127.0.0.1',
      TRADEWATCH_ADMIN_TOKEN: ADMIN,
      TRADEWATCH_CONFIG: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hub exited early:\n${output}`);
    try {
      const r = await fetch(`${url}/livez`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = Date.now() - started;
  return {
    url,
    dir,
    child,
    readyMs,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return;
      child.kill(signal);
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Peak RSS of a process in MB, from /proc (VmHWM). */
export function peakRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat; after the "(comm) " split they are 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
