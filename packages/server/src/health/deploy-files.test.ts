import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/test-hub.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const RULES = path.join(ROOT, 'deploy/prometheus/tradewatch-alerts.yml');
const PROMETHEUS = path.join(ROOT, 'deploy/prometheus/prometheus.yml');
const DASHBOARD = path.join(ROOT, 'deploy/grafana/tradewatch-dashboard.json');
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

/** Metric names a PromQL text uses (histogram series map back to their family). */
function metricNames(text: string): string[] {
  const names = text.match(/\b(tradewatch_[a-z_]+|process_[a-z_]+|nodejs_[a-z0-9_]+)\b/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|count|sum)$/, '')))];
}

describe('shipped Prometheus rules and Grafana dashboard', () => {
  let t: TestHub;
  let exported: Set<string>;

  beforeAll(async () => {
    t = await startTestHub('sqlite');
    const text = await t.hub.metrics.metrics();
    exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  });
  afterAll(async () => t.close());

  it.skipIf(!hasPromtool)('pass promtool check rules and check config', () => {
    const rules = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(rules.stdout + rules.stderr).toContain('SUCCESS');
    expect(rules.status).toBe(0);
    const config = spawnSync('promtool', ['check', 'config', PROMETHEUS], { encoding: 'utf8' });
    expect(config.status).toBe(0);
  });

  it('alert rules only use metrics the hub exports', () => {
    const missing = metricNames(readFileSync(RULES, 'utf8')).filter((n) => !exported.has(n));
    expect(missing).toEqual([]);
  });

  it('every dashboard query uses metrics the hub exports', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
      templating: { list: { definition?: string }[] };
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr)),
      ...dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : [])),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    const missing = metricNames(exprs.join('\n')).filter((n) => !exported.has(n));
    expect(missing).toEqual([]);
  });
});
