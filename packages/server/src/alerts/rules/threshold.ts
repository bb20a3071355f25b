import { dec, decToNumber, type Dec } from '../../ledger/index.js';
import type { RuleConfig } from '../config.js';
import type { FireSignal } from '../model.js';
import { scopeMetrics, type ScopeSnapshot } from '../risk/snapshot.js';

function compare(value: Dec, op: RuleConfig['op'], threshold: Dec): boolean {
  switch (op) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
  }
}

/**
 * User threshold rules (`alerts.rules`): `metric op value` per scope, firing once the condition
 * has held for `for`. Pure except for the pending times it keeps between evaluations.
 */
export class RuleEvaluator {
  /** `rule\0scope` → when the condition started holding. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly rules: readonly RuleConfig[]) {}

  evaluate(snapshots: readonly ScopeSnapshot[], now: number): FireSignal[] {
    const out: FireSignal[] = [];
    const seen = new Set<string>();
    for (const rule of this.rules) {
      const threshold = dec(rule.value);
      for (const s of snapshots) {
        if (s.kind !== rule.scope) continue;
        if (rule.targets && (s.id === null || !rule.targets.includes(s.id))) continue;
        const value = scopeMetrics(s)[rule.metric];
        const key = `${rule.name}\u0000${s.scope}`;
        if (value === null || !compare(value, rule.op, threshold)) continue;
        seen.add(key);
        const since = this.pending.get(key) ?? now;
        this.pending.set(key, since);
        if (now - since < rule.for) continue;
        const labels: Record<string, string> = { scope: s.kind, rule: rule.name };
        if (s.kind === 'account') labels.account = s.id!;
        if (s.kind === 'bot') labels.bot = s.id!;
        const shown = decToNumber(value, 4);
        out.push({
          name: rule.name,
          severity: rule.severity,
          labels,
          annotations: {
            summary:
              rule.summary ?? `${rule.metric} is ${shown} (${rule.op} ${rule.value}) on ${s.scope}`,
            value: String(shown),
            threshold: `${rule.op} ${rule.value}`,
          },
          source: 'rule',
        });
      }
    }
    for (const key of [...this.pending.keys()]) if (!seen.has(key)) this.pending.delete(key);
    return out;
  }
}
