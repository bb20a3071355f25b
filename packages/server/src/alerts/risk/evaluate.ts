import {
  abs,
  dec,
  decFromString,
  decToNumber,
  div,
  mul,
  ZERO,
  type Dec,
} from '../../ledger/index.js';
import type { LimitValue, RiskConfig, ScopeLimitsConfig } from '../config.js';
import type { Labels } from '../model.js';
import type { BuiltinAlert } from '../rules/builtins.js';
import { scopeMetrics, type ScopeSnapshot } from './snapshot.js';

export type LimitUnit = 'currency' | 'percent' | 'count' | 'qty';

/** One configured limit of one scope, with where the scope stands against it. */
export interface LimitStatus {
  alert: BuiltinAlert;
  /** The config key, e.g. `daily_loss_limit`. */
  limit: string;
  scope: string;
  symbol: string | null;
  /** As written in the config (`500`, `2%`, `10`). */
  configured: string;
  /** The limit in `unit` (a percentage limit of money is resolved to money). */
  threshold: Dec | null;
  current: Dec | null;
  unit: LimitUnit;
  breached: boolean;
  labels: Labels;
  /** A sentence for messages (built on demand: most limits are not breached). */
  summary: () => string;
}

/** The limits of a scope: top-level values for the portfolio; `"*"` merged under an id's own. */
export function limitsOf(risk: RiskConfig, s: ScopeSnapshot): ScopeLimitsConfig | null {
  if (s.kind === 'portfolio') return risk;
  const table = s.kind === 'account' ? risk.accounts : risk.bots;
  const star = table['*'];
  const own = s.id === null ? undefined : table[s.id];
  if (!star && !own) return null;
  if (!star) return own!;
  if (!own) return star;
  const merged: ScopeLimitsConfig = { ...star, symbols: { ...star.symbols } };
  for (const [k, v] of Object.entries(own) as [keyof ScopeLimitsConfig, unknown][]) {
    if (k === 'symbols') continue;
    if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  }
  for (const [sym, v] of Object.entries(own.symbols)) {
    merged.symbols[sym] = { ...merged.symbols[sym], ...v };
  }
  return merged;
}

function scopeLabels(s: ScopeSnapshot): Labels {
  if (s.kind === 'portfolio') return { scope: 'portfolio' };
  return s.kind === 'account' ? { scope: 'account', account: s.id! } : { scope: 'bot', bot: s.id! };
}

const show = (d: Dec | null) => (d === null ? 'n/a' : String(decToNumber(d, 2)));
const written = (v: LimitValue) => (v.kind === 'pct' ? `${v.value}%` : v.value);

/** Resolves an amount-or-percentage limit against a base (null when the base is not positive). */
function resolve(v: LimitValue, base: Dec | null): Dec | null {
  const value = decFromString(v.value);
  if (v.kind === 'abs') return value;
  return base !== null && base > ZERO ? div(mul(base, value), dec(100)) : null;
}

/**
 * Every configured limit of every scope and whether it is breached (pure). Losses and drawdown
 * breach when they reach the limit; exposure, heat, position size and counts when they exceed
 * it; balance when it falls below it.
 */
export function evaluateLimits(
  risk: RiskConfig,
  snapshots: readonly ScopeSnapshot[],
): LimitStatus[] {
  const out: LimitStatus[] = [];
  for (const s of snapshots) {
    const limits = limitsOf(risk, s);
    if (!limits) continue;
    const m = scopeMetrics(s);
    const labels = scopeLabels(s);
    const where = s.scope;
    const push = (
      alert: BuiltinAlert,
      limit: string,
      configured: string,
      threshold: Dec | null,
      current: Dec | null,
      unit: LimitUnit,
      breached: boolean,
      summary: () => string,
      extra: Labels = {},
      symbol: string | null = null,
    ) =>
      out.push({
        alert,
        limit,
        scope: where,
        symbol,
        configured,
        threshold,
        current,
        unit,
        breached: threshold !== null && current !== null && breached,
        labels: { ...labels, ...extra },
        summary,
      });

    if (limits.daily_loss_limit) {
      const threshold = resolve(limits.daily_loss_limit, s.dayStart);
      const pnl = m.day_pnl ?? ZERO;
      const loss = pnl < ZERO ? -pnl : ZERO;
      push(
        'DailyLossLimit',
        'daily_loss_limit',
        written(limits.daily_loss_limit),
        threshold,
        loss,
        'currency',
        threshold !== null && loss > ZERO && loss >= threshold,
        () => `Daily loss ${show(loss)} reached the limit of ${show(threshold)} (${where})`,
      );
    }
    if (limits.max_drawdown_pct !== undefined) {
      const threshold = dec(limits.max_drawdown_pct);
      const current = m.drawdown_pct ?? ZERO;
      push(
        'MaxDrawdown',
        'max_drawdown_pct',
        String(limits.max_drawdown_pct),
        threshold,
        current,
        'percent',
        current >= threshold,
        () =>
          `Drawdown ${show(current)}% (${show(m.drawdown)}) reached the limit of ${limits.max_drawdown_pct}% (${where})`,
      );
    }
    if (limits.max_gross_exposure_pct !== undefined) {
      const threshold = dec(limits.max_gross_exposure_pct);
      const current = m.gross_exposure_pct;
      push(
        'ExposureLimit',
        'max_gross_exposure_pct',
        String(limits.max_gross_exposure_pct),
        threshold,
        current,
        'percent',
        current !== null && current > threshold,
        () =>
          `Gross exposure ${show(m.gross_exposure)} is ${show(current)}% of equity, above the limit of ${limits.max_gross_exposure_pct}% (${where})`,
      );
    }
    if (limits.max_portfolio_heat_pct !== undefined) {
      const threshold = dec(limits.max_portfolio_heat_pct);
      const current = m.heat_pct;
      const flagged =
        s.unprotected.length > 0 ? `; without a stop: ${s.unprotected.join(', ')}` : '';
      push(
        'PortfolioHeat',
        'max_portfolio_heat_pct',
        String(limits.max_portfolio_heat_pct),
        threshold,
        current,
        'percent',
        current !== null && current > threshold,
        () =>
          `Open risk if every stop were hit is ${show(s.heat)} (${show(current)}% of equity), above ${limits.max_portfolio_heat_pct}% (${where})${flagged}`,
      );
    }
    if (limits.max_open_positions !== undefined) {
      const threshold = dec(limits.max_open_positions);
      const current = m.open_positions ?? ZERO;
      push(
        'MaxOpenPositions',
        'max_open_positions',
        String(limits.max_open_positions),
        threshold,
        current,
        'count',
        current > threshold,
        () =>
          `${show(current)} open positions, more than the limit of ${limits.max_open_positions} (${where})`,
      );
    }
    if (limits.min_balance && s.cash !== null) {
      const threshold = resolve(limits.min_balance, s.figures.opening + s.figures.cashFlows);
      push(
        'LowBalance',
        'min_balance',
        written(limits.min_balance),
        threshold,
        s.cash,
        'currency',
        threshold !== null && s.cash < threshold,
        () => `Cash ${show(s.cash)} is below the minimum of ${show(threshold)} (${where})`,
      );
    }
    // Position limits: the scope-wide value, overridden per symbol.
    const symbols = new Set([...s.positions.map((p) => p.symbol)]);
    for (const symbol of [...symbols].sort()) {
      const p = s.positions.find((x) => x.symbol === symbol)!;
      const own = limits.symbols[symbol];
      const maxValue = own?.max_position_value ?? limits.max_position_value;
      const maxQty = own?.max_position_qty ?? limits.max_position_qty;
      if (maxValue) {
        const threshold = resolve(maxValue, s.figures.equity);
        push(
          'PositionLimit',
          'max_position_value',
          written(maxValue),
          threshold,
          p.value,
          'currency',
          threshold !== null && p.value > threshold,
          () =>
            `${symbol} position value ${show(p.value)} is above the limit of ${show(threshold)} (${where})`,
          { symbol, limit: 'value' },
          symbol,
        );
      }
      if (maxQty !== undefined) {
        const threshold = dec(maxQty);
        const qty = abs(p.qty);
        push(
          'PositionLimit',
          'max_position_qty',
          String(maxQty),
          threshold,
          qty,
          'qty',
          qty > threshold,
          () => `${symbol} position of ${show(qty)} is above the limit of ${maxQty} (${where})`,
          { symbol, limit: 'qty' },
          symbol,
        );
      }
    }
  }
  return out;
}

/** `current / threshold` in percent, for the dashboard's gauges. */
export function utilization(s: LimitStatus): number | null {
  if (s.threshold === null || s.current === null || s.threshold === ZERO) return null;
  if (s.alert === 'LowBalance') {
    // Cash above the minimum uses none of the limit; at the minimum, all of it.
    return s.current <= ZERO ? 100 : decToNumber(div(s.threshold * 100n, s.current), 2);
  }
  return decToNumber(div(s.current * 100n, s.threshold), 2);
}
