import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { ConfigError, type TradewatchConfig } from '../config/index.js';

export interface TlsServerOptions {
  key: Buffer;
  cert: Buffer;
  /** Findings worth a log line (a key readable by every user). */
  warnings: string[];
}

/**
 * The `https` options for Fastify when `security.tls` names a certificate and key (paths are
 * relative to data_dir); null when the hub should speak plain HTTP. The pair is checked here,
 * at boot, so a wrong path or a key that does not match the certificate stops the start with a
 * message naming the key instead of failing on the first connection.
 */
export function tlsServerOptions(config: TradewatchConfig): TlsServerOptions | null {
  const tls = config.security.tls;
  if (!tls.cert || !tls.key) return null;
  const certFile = path.resolve(config.data_dir, tls.cert);
  const keyFile = path.resolve(config.data_dir, tls.key);
  const read = (file: string, key: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError(
        `config key "security.tls.${key}": cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  };
  const cert = read(certFile, 'cert');
  const key = read(keyFile, 'key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(
      `config key "security.tls": the certificate and key do not form a usable pair (${(error as Error).message})`,
    );
  }
  const warnings: string[] = [];
  if (process.platform !== 'win32' && (statSync(keyFile).mode & 0o004) !== 0) {
    warnings.push(`TLS key ${keyFile} is readable by every user; chmod 600 it`);
  }
  return { key, cert, warnings };
}
