import type { AlertsConfig } from '../config.js';
import { matches, parseMatchers, type Matcher } from '../matchers.js';
import { severityRank, type Labels, type Severity } from '../model.js';
import { compileQuietWindows, type QuietWindow } from './quiet-hours.js';

/** A compiled route: which alerts it takes, where they go and with what timing. */
export interface Route {
  /** `r0`, `r1` … by position in the config; `default` for the implicit catch-all. */
  id: string;
  matchers: Matcher[];
  channels: string[];
  /** null: every label (`group_by: ["..."]`). */
  groupBy: string[] | null;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  continue: boolean;
  quiet: QuietWindow[];
  digestMs: number | null;
  escalate: { afterMs: number; channels: string[]; severity: Severity } | null;
}

const DEFAULT_TIMING = {
  groupWaitMs: 10_000,
  groupIntervalMs: 60_000,
  repeatIntervalMs: 4 * 3_600_000,
};

export function compileRoutes(config: AlertsConfig, defaultTz: string): Route[] {
  const globalQuiet = config.quiet_hours ? compileQuietWindows(config.quiet_hours, defaultTz) : [];
  if (config.routes.length === 0) {
    const channels = config.channels.map((c) => c.name);
    return [
      {
        id: 'default',
        matchers: [],
        channels: channels.length > 0 ? channels : ['log'],
        groupBy: ['alertname'],
        ...DEFAULT_TIMING,
        continue: false,
        quiet: globalQuiet,
        digestMs: null,
        escalate: null,
      },
    ];
  }
  return config.routes.map((r, i) => ({
    id: `r${i}`,
    matchers: parseMatchers(r.match),
    channels: r.channels,
    groupBy: r.group_by.includes('...') ? null : r.group_by,
    groupWaitMs: r.group_wait,
    groupIntervalMs: r.group_interval,
    repeatIntervalMs: r.repeat_interval,
    continue: r.continue,
    quiet:
      r.quiet_hours === false
        ? []
        : r.quiet_hours
          ? compileQuietWindows(r.quiet_hours, defaultTz)
          : globalQuiet,
    digestMs: r.digest ?? null,
    escalate: r.escalate
      ? { afterMs: r.escalate.after, channels: r.escalate.channels, severity: r.escalate.severity }
      : null,
  }));
}

/** Alerts no route takes still reach the log: nothing is silently dropped. */
export const FALLBACK_ROUTE: Route = {
  id: 'fallback',
  matchers: [],
  channels: ['log'],
  groupBy: ['alertname'],
  ...DEFAULT_TIMING,
  continue: false,
  quiet: [],
  digestMs: null,
  escalate: null,
};

/** The routes an alert goes to: the first match, and the next ones while `continue` is set. */
export function routesFor(routes: readonly Route[], labels: Labels): Route[] {
  const out: Route[] = [];
  for (const r of routes) {
    if (!matches(r.matchers, labels)) continue;
    out.push(r);
    if (!r.continue) break;
  }
  return out.length > 0 ? out : [FALLBACK_ROUTE];
}

export function groupLabelsOf(route: Route, labels: Labels): Labels {
  if (route.groupBy === null) return { ...labels };
  const out: Labels = {};
  for (const k of route.groupBy) {
    const v = labels[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function groupKeyOf(route: Route, groupLabels: Labels): string {
  const inner = Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`)
    .join(',');
  return `${route.id}:{${inner}}`;
}

export function highestSeverity(list: { severity: Severity }[]): Severity | null {
  let best: Severity | null = null;
  for (const a of list)
    if (best === null || severityRank(a.severity) > severityRank(best)) best = a.severity;
  return best;
}
