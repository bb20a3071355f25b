import type { ProblemDetail } from '@tradewatch/protocol';
import type { AlertSeverity, AlertSignal } from '../alert-sink.js';
import { isObject, toText } from './mapping.js';

/**
 * Prometheus Alertmanager's webhook receiver payload, version 4 (Alertmanager docs,
 * "webhook_config"): `{version: "4", status, receiver, groupLabels, commonLabels,
 * commonAnnotations, externalURL, alerts: [{status, labels, annotations, startsAt, endsAt,
 * generatorURL, fingerprint}]}`. Each alert fires or resolves the hub alert named by its
 * `alertname` label with the rest of its labels; `source="alertmanager"` is added so the hub's own
 * alerts never collide with infrastructure ones.
 */
export interface AlertmanagerAction {
  kind: 'fire' | 'resolve';
  signal: AlertSignal;
}

export type AlertmanagerResult =
  { ok: true; actions: AlertmanagerAction[] } | { ok: false; problems: ProblemDetail[] };

function severityOf(labels: Record<string, string>): AlertSeverity {
  switch ((labels.severity ?? labels.priority ?? '').toLowerCase()) {
    case 'critical':
    case 'page':
    case 'error':
    case 'high':
    case 'p1':
      return 'critical';
    case 'info':
    case 'informational':
    case 'none':
    case 'low':
      return 'info';
    default:
      return 'warning';
  }
}

function stringRecord(v: unknown, path: string, problems: ProblemDetail[]): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    problems.push({ path, message: 'expected an object of strings' });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') {
      problems.push({ path: `${path}.${k}`, message: 'expected a string' });
      continue;
    }
    out[k] = val;
  }
  return out;
}

export function mapAlertmanager(body: unknown): AlertmanagerResult {
  const problems: ProblemDetail[] = [];
  if (!isObject(body)) {
    return {
      ok: false,
      problems: [{ path: '', message: 'expected the Alertmanager webhook JSON object' }],
    };
  }
  const version = toText(body.version);
  if (version !== undefined && version !== '4') {
    problems.push({
      path: 'version',
      message: `unsupported payload version "${version}"; expected "4"`,
    });
  }
  if (!Array.isArray(body.alerts)) {
    problems.push({
      path: 'alerts',
      message: body.alerts === undefined ? 'required' : 'expected an array',
    });
    return { ok: false, problems };
  }
  const common = stringRecord(body.commonAnnotations, 'commonAnnotations', problems);
  const actions: AlertmanagerAction[] = [];
  body.alerts.forEach((raw: unknown, i) => {
    const at = `alerts.${i}`;
    if (!isObject(raw)) {
      problems.push({ path: at, message: 'expected an alert object' });
      return;
    }
    const labels = stringRecord(raw.labels, `${at}.labels`, problems);
    const annotations = {
      ...common,
      ...stringRecord(raw.annotations, `${at}.annotations`, problems),
    };
    const status = toText(raw.status) ?? toText(body.status);
    if (status !== 'firing' && status !== 'resolved') {
      problems.push({
        path: `${at}.status`,
        message: `expected "firing" or "resolved", got ${JSON.stringify(raw.status ?? body.status)}`,
      });
      return;
    }
    const name = labels.alertname;
    if (!name) {
      problems.push({ path: `${at}.labels.alertname`, message: 'required' });
      return;
    }
    const { alertname: _omit, ...identity } = labels;
    const signal: AlertSignal = {
      name: name.slice(0, 128),
      severity: severityOf(labels),
      labels: { ...identity, source: 'alertmanager' },
      summary: (
        annotations.summary ??
        annotations.message ??
        annotations.description ??
        name
      ).slice(0, 500),
      ...(annotations.description ? { description: annotations.description.slice(0, 4000) } : {}),
    };
    actions.push({ kind: status === 'firing' ? 'fire' : 'resolve', signal });
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, actions };
}
