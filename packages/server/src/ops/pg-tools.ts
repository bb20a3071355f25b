import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Running pg_dump / pg_restore / psql without leaking the password: it goes in PGPASSWORD,
 * never on the command line (where `ps` shows it) or in an error message.
 */
export interface PgConnection {
  /** The URL without the password (safe for argv). */
  url: string;
  env: NodeJS.ProcessEnv;
}

export function pgConnection(url: string): PgConnection {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  // libpq does not read `+` as a space (URLSearchParams writes it so): re-encode with %20.
  const params = [...u.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  u.search = params ? `?${params}` : '';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return { url: u.toString(), env };
}

/** Finds an executable in `dir` (when given) or on PATH; null if there is none. */
export function findExecutable(name: string, dir?: string): string | null {
  const dirs = dir ? [dir] : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const d of dirs) {
    const candidate = path.join(d, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export class ToolError extends Error {
  override name = 'ToolError';
}

/** Runs a tool to completion; rejects with its stderr (passwords scrubbed) on failure. */
export async function runTool(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  secret?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) =>
      reject(new ToolError(`${path.basename(file)} could not run: ${e.message}`)),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve(out);
      let text = err.trim() || out.trim();
      if (secret) text = text.split(secret).join('[redacted]');
      reject(new ToolError(`${path.basename(file)} failed (exit ${code}): ${text.slice(0, 2000)}`));
    });
  });
}

/** Major version of a PostgreSQL client tool (`pg_dump (PostgreSQL) 15.20` → 15). */
export async function toolMajorVersion(file: string): Promise<number | null> {
  try {
    const out = await runTool(file, ['--version'], process.env);
    const m = /(\d+)(?:\.\d+)?/.exec(out.replace(/^[^)]*\)/, ''));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
