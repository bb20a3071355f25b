import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { configSchema, type TradewatchConfig } from './schema.js';

/** A configuration problem; its message names the key and the problem, fit for a terminal. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadedConfig {
  config: TradewatchConfig;
  /** The file it came from, if any. */
  file: string | null;
  /** Admin token given by the environment (never stored in config objects that get printed). */
  adminToken: string | null;
  /** Non-fatal findings worth a log line (e.g. a world-readable config file). */
  warnings: string[];
}

export interface LoadOptions {
  /** Path from `--config`. */
  configPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Replaces `${NAME}` with the environment variable NAME; a missing variable is an error. */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  keyPath: string[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        throw new ConfigError(
          `config key "${keyPath.join('.')}": environment variable ${name} is not set`,
        );
      }
      return v;
    });
  }
  if (Array.isArray(value))
    return value.map((v, i) => substituteEnv(v, env, [...keyPath, String(i)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, [...keyPath, k])]),
    );
  }
  return value;
}

export function formatZodError(error: ZodError, prefix = 'config'): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
          : issue.message;
      return `${prefix} key "${key}": ${message}`;
    })
    .join('\n');
}

function resolveConfigPath(
  options: LoadOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
): string | null {
  const explicit = options.configPath ?? env.TRADEWATCH_CONFIG;
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
    return file;
  }
  const local = path.resolve(cwd, 'tradewatch.yaml');
  return existsSync(local) ? local : null;
}

/** Reads the YAML file (if any), applies environment overrides, validates once. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = resolveConfigPath(options, env, cwd);
  const warnings: string[] = [];
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (error) {
      throw new ConfigError(`config file ${file} is not valid YAML: ${(error as Error).message}`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError(`config file ${file} must be a mapping of keys to values`);
    }
    const mode = statSync(file).mode;
    if (process.platform !== 'win32' && (mode & 0o004) !== 0) {
      warnings.push(
        `config file ${file} is readable by every user (mode ${(mode & 0o777).toString(8)}); chmod 600 it if it holds secrets`,
      );
    }
    raw = substituteEnv(raw, env);
  }
  const merged = applyEnvOverrides(raw as Record<string, unknown>, env);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(formatZodError(parsed.error));
  }
  const config = parsed.data;
  config.data_dir = path.resolve(cwd, config.data_dir);
  if (!config.database.url) {
    config.database.url = `sqlite:${path.join(config.data_dir, 'tradewatch.db')}`;
  }
  const adminToken = env.TRADEWATCH_ADMIN_TOKEN?.trim() || null;
  if (adminToken !== null && adminToken.length < 16) {
    throw new ConfigError('TRADEWATCH_ADMIN_TOKEN must be at least 16 characters');
  }
  return { config, file, adminToken, warnings };
}

function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const server = { ...((raw.server as Record<string, unknown> | undefined) ?? {}) };
  if (env.TRADEWATCH_HOST) server.host = env.TRADEWATCH_HOST;
  if (env.TRADEWATCH_PORT) {
    const port = Number(env.TRADEWATCH_PORT);
    if (!Number.isInteger(port)) {
      throw new ConfigError(`TRADEWATCH_PORT: "${env.TRADEWATCH_PORT}" is not a port number`);
    }
    server.port = port;
  }
  if (Object.keys(server).length > 0) out.server = server;
  if (env.TRADEWATCH_DATA_DIR) out.data_dir = env.TRADEWATCH_DATA_DIR;
  if (env.TRADEWATCH_DATABASE_URL) {
    out.database = {
      ...(raw.database ?? {}),
      url: env.TRADEWATCH_DATABASE_URL,
    };
  }
  if (env.TRADEWATCH_TIMEZONE) out.timezone = env.TRADEWATCH_TIMEZONE;
  return out;
}

/** The configuration as a user may see it: secrets replaced by "[redacted]". */
export function redactConfig(config: TradewatchConfig): unknown {
  return redactSecrets(config);
}

const SECRET_KEY =
  /(password|secret|token|api_key|apikey|auth|private|credential|webhook_url|url)$/i;

function redactSecrets(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (key === 'url' || key.endsWith('_url')) return redactUrl(value);
    return SECRET_KEY.test(key) ? '[redacted]' : value;
  }
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, k)]));
  }
  return value;
}

/** Keeps scheme, host and port; drops credentials, path and query (where keys tend to live). */
export function redactUrl(value: string): string {
  if (value.startsWith('sqlite:')) return value;
  try {
    const u = new URL(value);
    const hasSecretParts =
      u.username || u.password || u.search || (u.pathname && u.pathname !== '/');
    return hasSecretParts ? `${u.protocol}//${u.host}/[redacted]` : `${u.protocol}//${u.host}`;
  } catch {
    return '[redacted]';
  }
}
