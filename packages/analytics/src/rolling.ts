import { annualizationFactor } from './annualization.js';
import { requirePositiveInteger, resolveRate, toFloat64 } from './internal/series.js';
import type { AnnualizationOptions, Rate, Series } from './types.js';

/** The window of a rolling statistic. */
export interface RollingWindow {
  /**
   * Number of periods in each window (a positive integer). As in empyrical, a window longer
   * than the series is shortened to the whole series, which gives a single value.
   */
  window: number;
}

/** Options of {@link rollSharpeRatio}. */
export interface RollSharpeRatioOptions extends RollingWindow, AnnualizationOptions {
  /** Risk-free return per period (a number or an aligned series); default 0. */
  riskFree?: Rate;
}

/** Options of {@link rollAnnualVolatility}. */
export interface RollAnnualVolatilityOptions extends RollingWindow, AnnualizationOptions {
  /** Scaling exponent; default 2. */
  alpha?: number;
}

/** Effective window and number of outputs; value j covers returns[j .. j + w − 1]. */
function windowing(n: number, window: number): { w: number; count: number } {
  requirePositiveInteger(window, 'window');
  if (n === 0) return { w: 0, count: 0 };
  const w = Math.min(window, n);
  return { w, count: n - w + 1 };
}

/** Windows per kernel call (see the note on chunked kernels in all-metrics.ts). */
const CHUNK = 16_384;

/**
 * Rolling mean and sample standard deviation of `a` (NaN skipped) over every window of `w`
 * periods, in O(n): running sums around a shift that is re-anchored every `w` windows, an exact
 * zero for constant windows (tracked by the length of the trailing run of equal values), and an
 * exact two-pass recount wherever cancellation leaves a non-positive variance. Writes
 * `means[j]` and `stds[j]` for the window starting at j.
 */
function rollingMeanStd(a: Float64Array, w: number, means: Float64Array, stds: Float64Array): void {
  // state: shift, count, s1, s2, run, last
  const st = Float64Array.of(0, 0, 0, 0, 0, NaN);
  for (let i = 0; i < w - 1; i++) trackRun(a[i]!, st);
  const windows = means.length;
  for (let j = 0; j < windows; j += CHUNK) {
    rollingKernel(a, w, j, Math.min(windows, j + CHUNK), st, means, stds);
  }
}

function trackRun(v: number, st: Float64Array): void {
  if (v !== v) return;
  if (v === st[5]) st[4]!++;
  else {
    st[5] = v;
    st[4] = 1;
  }
}

function rollingKernel(
  a: Float64Array,
  w: number,
  jStart: number,
  jEnd: number,
  st: Float64Array,
  means: Float64Array,
  stds: Float64Array,
): void {
  let shift = st[0]!;
  let count = st[1]!;
  let s1 = st[2]!;
  let s2 = st[3]!;
  let run = st[4]!;
  let last = st[5]!;
  for (let j = jStart; j < jEnd; j++) {
    const end = j + w - 1;
    const inn = a[end]!;
    if (inn === inn) {
      if (inn === last) run++;
      else {
        last = inn;
        run = 1;
      }
    }
    if (j % w === 0) {
      // Re-anchor: recount the window exactly around its first value.
      shift = NaN;
      count = 0;
      s1 = 0;
      s2 = 0;
      for (let i = j; i <= end; i++) {
        const v = a[i]!;
        if (v !== v) continue;
        if (shift !== shift) shift = v;
        const d = v - shift;
        count++;
        s1 += d;
        s2 += d * d;
      }
      if (shift !== shift) shift = 0;
    } else {
      const out = a[j - 1]!;
      if (out === out) {
        const d = out - shift;
        count--;
        s1 -= d;
        s2 -= d * d;
      }
      if (inn === inn) {
        const d = inn - shift;
        count++;
        s1 += d;
        s2 += d * d;
      }
    }
    if (count === 0) {
      means[j] = NaN;
      stds[j] = NaN;
    } else if (run >= count) {
      means[j] = last;
      stds[j] = count > 1 ? 0 : NaN;
    } else {
      means[j] = shift + s1 / count;
      let variance = (s2 - (s1 * s1) / count) / (count - 1);
      if (!(variance > 0)) variance = exactVariance(a, j, w);
      stds[j] = count > 1 ? Math.sqrt(variance) : NaN;
    }
  }
  st[0] = shift;
  st[1] = count;
  st[2] = s1;
  st[3] = s2;
  st[4] = run;
  st[5] = last;
}

function exactVariance(a: Float64Array, start: number, w: number): number {
  let count = 0;
  let sum = 0;
  for (let i = start; i < start + w; i++) {
    const v = a[i]!;
    if (v === v) {
      count++;
      sum += v;
    }
  }
  const mean = sum / count;
  let ss = 0;
  for (let i = start; i < start + w; i++) {
    const v = a[i]!;
    if (v === v) ss += (v - mean) * (v - mean);
  }
  return ss / (count - 1);
}

/**
 * {@link sharpeRatio} over a rolling window (empyrical `roll_sharpe_ratio`). Returns
 * `n − window + 1` values; value j covers returns[j .. j + window − 1]. Computed in O(n).
 *
 * @example
 * rollSharpeRatio([0.01, 0.02, -0.01, 0.015, 0.005], { window: 3 }); // ≈ [6.93, 8.23, 4.21]
 */
export function rollSharpeRatio(returns: Series, options: RollSharpeRatioOptions): Float64Array {
  const r = toFloat64(returns);
  const { w, count } = windowing(r.length, options.window);
  const out = new Float64Array(count);
  if (count === 0) return out;
  if (w < 2) return out.fill(NaN);
  const sqrtAnn = Math.sqrt(annualizationFactor(options));
  const rf = resolveRate(options.riskFree, r.length, 'riskFree');
  let excess = r;
  if (rf.series !== null || rf.scalar !== 0) {
    excess = new Float64Array(r.length);
    const rfs = rf.series;
    for (let i = 0; i < r.length; i++) excess[i] = r[i]! - (rfs === null ? rf.scalar : rfs[i]!);
  }
  const stds = new Float64Array(count);
  rollingMeanStd(excess, w, out, stds);
  for (let j = 0; j < count; j++) out[j] = (out[j]! / stds[j]!) * sqrtAnn;
  return out;
}

/**
 * {@link annualVolatility} over a rolling window (empyrical `roll_annual_volatility`).
 * Returns `n − window + 1` values. Computed in O(n).
 *
 * @example
 * rollAnnualVolatility([0.01, 0.02, -0.01, 0.015, 0.005], { window: 3 }); // ≈ [0.2425, 0.2551, 0.1997]
 */
export function rollAnnualVolatility(
  returns: Series,
  options: RollAnnualVolatilityOptions,
): Float64Array {
  const r = toFloat64(returns);
  const { w, count } = windowing(r.length, options.window);
  const out = new Float64Array(count);
  if (count === 0) return out;
  if (w < 2) return out.fill(NaN);
  const scale = annualizationFactor(options) ** (1 / (options.alpha ?? 2));
  const means = new Float64Array(count);
  rollingMeanStd(r, w, means, out);
  for (let j = 0; j < count; j++) out[j] = out[j]! * scale;
  return out;
}

/**
 * {@link maxDrawdown} over a rolling window (empyrical `roll_max_drawdown`): each window is
 * measured from a fresh starting capital. Returns `n − window + 1` values. O(n · window).
 *
 * @example
 * rollMaxDrawdown([0, -0.06, -0.07, -0.01, -0.09, -0.02, -0.06, -0.08, -0.05], { window: 6 });
 * // ≈ [-0.2282, -0.2745, -0.2899, -0.2747]
 */
export function rollMaxDrawdown(returns: Series, options: RollingWindow): Float64Array {
  const r = toFloat64(returns);
  const { w, count } = windowing(r.length, options.window);
  const out = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    let growth = 1;
    let peak = 100;
    let worst = 0;
    for (let i = j; i < j + w; i++) {
      const x = r[i]!;
      if (x === x) growth *= 1 + x;
      const v = growth * 100;
      if (v > peak) peak = v;
      const dd = (v - peak) / peak;
      if (dd < worst) worst = dd;
    }
    out[j] = worst;
  }
  return out;
}
