import type { Command } from 'commander';
import type { LoadedConfig } from '../../config/index.js';

export interface HubOptions {
  url?: string;
  token?: string;
}

/** Adds `--url` and `--token` to a command that talks to the running hub. */
export function withHubOptions(cmd: Command): Command {
  return cmd
    .option(
      '--url <url>',
      'hub URL (default: $TRADEWATCH_URL, server.public_url or http://host:port from the config)',
    )
    .option(
      '--token <token>',
      'API token (default: $TRADEWATCH_TOKEN, then $TRADEWATCH_ADMIN_TOKEN)',
    );
}

export class HubRequestError extends Error {
  override name = 'HubRequestError';
}

/** A small JSON client for the hub's API, for CLI commands that need the running hub. */
export function hubClient(
  loaded: LoadedConfig,
  options: HubOptions,
  env: NodeJS.ProcessEnv = process.env,
) {
  const server = loaded.config.server;
  const host = server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
  const base = (
    options.url ??
    env.TRADEWATCH_URL ??
    server.public_url ??
    `http://${host}:${server.port}`
  ).replace(/\/+$/, '');
  const token =
    options.token ??
    env.TRADEWATCH_TOKEN ??
    env.TRADEWATCH_ADMIN_TOKEN ??
    loaded.adminToken ??
    undefined;
  return {
    base,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      if (!token) {
        throw new HubRequestError(
          'no API token: pass --token or set TRADEWATCH_TOKEN (create one with: tradewatch token create)',
        );
      }
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch {
        throw new HubRequestError(
          `cannot reach the hub at ${base}: is it running (tradewatch serve)? Use --url to point elsewhere.`,
        );
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      if (!res.ok) {
        const message = (parsed as { message?: string } | null)?.message ?? `HTTP ${res.status}`;
        throw new HubRequestError(`the hub answered ${res.status}: ${message}`);
      }
      return parsed as T;
    },
  };
}
