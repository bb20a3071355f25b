import { performance } from 'node:perf_hooks';
import type { AlertSignal } from '../alert-sink.js';
import type { ProbeResult } from './checks/checks.js';
import type { ProbeConfig } from './config.js';
import { safeMessage } from './checks/measure.js';

/** The part of fetch a probe needs (tests inject their own). */
export type ProbeFetch = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ status: number }>;

export const defaultProbeFetch: ProbeFetch = async (url, init) => {
  const res = await fetch(url, { signal: init.signal, redirect: 'manual' });
  await res.body?.cancel().catch(() => undefined);
  return { status: res.status };
};

/** Whether a status code matches `expect_status` (a code, a class like 2xx, or a list). Pure. */
export function statusMatches(status: number, expect: ProbeConfig['expect_status']): boolean {
  const list = Array.isArray(expect) ? expect : [expect];
  return list.some((e) =>
    typeof e === 'number' ? e === status : Math.floor(status / 100) === Number(e[0]),
  );
}

function describeFetchError(error: unknown, timeoutS: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutS} s`;
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  if (cause?.code) return `connection failed (${cause.code})`;
  return safeMessage(error);
}

/** One probe's state: its last result and the failures in a row (the URL never leaves here). */
export class ProbeState {
  result: ProbeResult;
  failuresInRow = 0;
  alerting = false;

  constructor(readonly probe: ProbeConfig) {
    this.result = {
      name: probe.name,
      at: null,
      ok: true,
      responseMs: null,
      statusCode: null,
      error: null,
      slow: false,
    };
  }

  /** Checks once; returns the alert transition it causes, if any. */
  async check(
    fetchImpl: ProbeFetch,
    now: () => number,
  ): Promise<{ fire?: AlertSignal; resolve?: boolean }> {
    const p = this.probe;
    const start = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetchImpl(p.url, { signal: AbortSignal.timeout(p.timeout * 1000) });
      statusCode = res.status;
      if (!statusMatches(res.status, p.expect_status))
        error = `answered ${res.status}, expected ${Array.isArray(p.expect_status) ? p.expect_status.join(' or ') : p.expect_status}`;
    } catch (e) {
      error = describeFetchError(e, p.timeout);
    }
    const responseMs = performance.now() - start;
    this.result = {
      name: p.name,
      at: now(),
      ok: error === null,
      responseMs: statusCode === null ? null : responseMs,
      statusCode,
      error,
      slow: error === null && p.warn_ms !== undefined && responseMs > p.warn_ms,
    };
    return this.apply(this.result);
  }

  /** Counts a result (pure state transition; exposed for tests). */
  apply(result: ProbeResult): { fire?: AlertSignal; resolve?: boolean } {
    this.result = result;
    if (result.ok) {
      this.failuresInRow = 0;
      if (this.alerting) {
        this.alerting = false;
        return { resolve: true };
      }
      return {};
    }
    this.failuresInRow += 1;
    if (!this.alerting && this.failuresInRow >= this.probe.failures_before_alert) {
      this.alerting = true;
      return {
        fire: {
          name: 'ProbeFailed',
          severity: 'warning',
          labels: { probe: this.probe.name },
          summary: `probe ${this.probe.name} failed ${this.failuresInRow} time${this.failuresInRow > 1 ? 's' : ''} in a row: ${result.error ?? 'failed'}`,
        },
      };
    }
    return {};
  }
}
