import { createHash } from 'node:crypto';

/** The alert model shared by the engine, the API and the channels. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return s === 'critical' ? 2 : s === 'warning' ? 1 : 0;
}

export type Labels = Record<string, string>;
export type Annotations = Record<string, string>;

export type AlertStatus = 'firing' | 'resolved';

/**
 * Where an alert comes from. Level-triggered sources (risk, liveness, rules) are re-derived on
 * every evaluation, so an alert of that source that is no longer derived resolves.
 */
export type AlertSource = 'risk' | 'liveness' | 'rule' | 'event' | 'command' | 'delivery' | 'sink';

export interface AlertRecord {
  fingerprint: string;
  name: string;
  severity: Severity;
  /** Identity labels plus `alertname` and `severity`. */
  labels: Labels;
  annotations: Annotations;
  status: AlertStatus;
  source: AlertSource;
  /** Event alerts (OrderRejected, TradeClosed …) fire once and expire quietly. */
  oneshot: boolean;
  startsAt: number;
  endsAt: number | null;
  updatedAt: number;
  ackedAt: number | null;
  ackedBy: string | null;
  escalatedAt: number | null;
  /** How many times this fingerprint has started firing. */
  episode: number;
}

/** What a rule or another module says about one alert. */
export interface FireSignal {
  name: string;
  severity: Severity;
  /** Identity labels (bot, account, symbol, strategy …); `alertname` and `severity` are added. */
  labels: Labels;
  annotations: Annotations;
  source: AlertSource;
  oneshot?: boolean;
}

/**
 * Identity of an alert: its name and labels except `severity` (a limit that goes from warning to
 * critical is the same alert). Stable across restarts and instances.
 */
export function fingerprint(name: string, labels: Labels): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== 'severity' && k !== 'alertname')
    .sort();
  let identity = name;
  for (const k of keys) identity += `\u0000${k}\u0001${labels[k]}`;
  const known = fingerprints.get(identity);
  if (known !== undefined) return known;
  const fp = createHash('sha256').update(identity).digest('hex').slice(0, 16);
  // Rules re-derive the same alerts on every evaluation: remember recent identities.
  if (fingerprints.size >= FINGERPRINT_MEMO) fingerprints.clear();
  fingerprints.set(identity, fp);
  return fp;
}

const FINGERPRINT_MEMO = 100_000;
const fingerprints = new Map<string, string>();

export function fullLabels(name: string, severity: Severity, labels: Labels): Labels {
  const out: Labels = { alertname: name, severity };
  for (const [k, v] of Object.entries(labels)) {
    if (k !== 'alertname' && k !== 'severity' && v !== '') out[k] = v;
  }
  return out;
}

export function hashOf(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p}\u0000`);
  return h.digest('hex').slice(0, 32);
}
