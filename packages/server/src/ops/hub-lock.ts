import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { TradewatchConfig } from '../config/index.js';

/**
 * How a command knows the hub is running: the hub writes `<data_dir>/tradewatch.lock` (its
 * pid, URL and start time) once it listens and removes it when it stops; a command also asks
 * the configured port's `/livez`. A lock whose process is gone and whose port is silent is
 * stale (a crash) and ignored.
 */
export const LOCK_NAME = 'tradewatch.lock';

export interface LockInfo {
  pid: number;
  url: string;
  started_at: string;
  version: string;
}

export function lockPath(config: TradewatchConfig): string {
  return path.join(config.data_dir, LOCK_NAME);
}

export function writeLock(config: TradewatchConfig, info: LockInfo): void {
  try {
    writeFileSync(lockPath(config), JSON.stringify(info) + '\n', { mode: 0o644 });
  } catch {
    // A read-only data dir: restore then relies on the port check alone.
  }
}

/** Removes the lock if it is this process's. */
export function removeLock(config: TradewatchConfig, pid = process.pid): void {
  const info = readLock(config);
  if (info && info.pid === pid) rmSync(lockPath(config), { force: true });
}

export function readLock(config: TradewatchConfig): LockInfo | null {
  const file = lockPath(config);
  if (!existsSync(file)) return null;
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockInfo>;
    return typeof v.pid === 'number' && typeof v.url === 'string' ? (v as LockInfo) : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** GET url/livez within `timeoutMs`; true when it answers 200. */
export function livezAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL('/livez', url);
    } catch {
      resolve(false);
      return;
    }
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.get(target, { timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export interface RunningHub {
  running: boolean;
  /** Why we think so (or why a lock file was ignored). */
  reason: string;
}

export async function detectRunningHub(config: TradewatchConfig): Promise<RunningHub> {
  const lock = readLock(config);
  const host = ['0.0.0.0', '::', ''].includes(config.server.host)
    ? '127.0.0.1'
    : config.server.host;
  const scheme = config.security.tls.cert ? 'https' : 'http';
  const configured = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
  if (lock) {
    if (processAlive(lock.pid)) {
      return {
        running: true,
        reason: `a hub (pid ${lock.pid}, ${lock.url}, started ${lock.started_at}) holds ${lockPath(config)}`,
      };
    }
    if (await livezAnswers(lock.url)) {
      return { running: true, reason: `a hub answers at ${lock.url} (from ${lockPath(config)})` };
    }
  }
  if (config.server.port !== 0 && (await livezAnswers(configured))) {
    return { running: true, reason: `a hub answers at ${configured}/livez` };
  }
  return {
    running: false,
    reason: lock
      ? `stale ${LOCK_NAME} of pid ${lock.pid} ignored (no such process)`
      : 'no hub found',
  };
}
