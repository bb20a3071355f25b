import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * End-to-end tests run the BUILT hub (`npm test` builds first) as a real process on a real
 * loopback port, exactly as `npm start` does.
 */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI; TRADEWATCH_E2E_CLI points the suite at another build (e.g. a clean checkout). */
export const CLI =
  process.env.TRADEWATCH_E2E_CLI ?? path.join(ROOT, 'packages/server/dist/cli/main.js');
export const E2E_ADMIN = 'tw_e2e_admin_token_0123456789abcdef';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface HubProcess {
  url: string;
  port: number;
  dir: string;
  child: ChildProcess;
  output(): string;
  /** Authorised JSON request against the hub. */
  api<T = unknown>(
    method: string,
    route: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: T }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** Reuse a data directory (restart tests). */
  dir?: string;
  /** YAML written to <dir>/tradewatch.yaml and passed with --config. */
  configYaml?: string;
  env?: Record<string, string>;
  /** CLI command and arguments (default: serve). */
  args?: string[];
  port?: number;
}

export async function startHubProcess(options: StartOptions = {}): Promise<HubProcess> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'tradewatch-e2e-'));
  const port = options.port ?? (await freePort());
  const args = options.args ?? ['serve'];
  if (options.configYaml !== undefined) {
    const file = path.join(dir, 'tradewatch.yaml');
    writeFileSync(file, options.configYaml, { mode: 0o600 });
    args.unshift('--config', file);
  }
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: dir,
    env: {
      ...process.env,
      TRADEWATCH_DATA_DIR: dir,
      TRADEWATCH_PORT: String(port),
      TRADEWATCH_HOST: '127.0.0.1',
      TRADEWATCH_ADMIN_TOKEN: E2E_ADMIN,
      TRADEWATCH_CONFIG: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`hub exited early (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hub did not answer /livez within 20 s:\n${output}`);
    }
    try {
      const r = await fetch(`${url}/livez`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url,
    port,
    dir,
    child,
    output: () => output,
    async api<T>(method: string, route: string, body?: unknown, token = E2E_ADMIN) {
      const res = await fetch(`${url}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body: parsed as T };
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      return exited;
    },
  };
}

/** Runs a `tradewatch` command to completion. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, TRADEWATCH_CONFIG: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(options.input ?? '');
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, stdout, stderr };
}
