import { toFloat64 } from './internal/series.js';
import type { Series } from './types.js';

/**
 * Underwater curve, empyrical's convention: the account starts at 100 before the first return,
 * `V[t] = 100 · Π_{i≤t}(1 + r[i])` (NaN counts as 0), and `u[t] = (V[t] − M[t]) / M[t]` with
 * `M[t] = max(100, V[0..t])`. Values are ≤ 0; 0 means at a high-water mark.
 */
export function underwater(r: Float64Array): Float64Array {
  const n = r.length;
  const out = new Float64Array(n);
  let growth = 1;
  let peak = 100;
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    if (x === x) growth *= 1 + x;
    const v = growth * 100;
    if (v > peak) peak = v;
    out[i] = (v - peak) / peak;
  }
  return out;
}

/**
 * Maximum drawdown: the worst peak-to-trough decline of the compounded equity curve, measured
 * from the starting capital (so a loss in the first period counts). Returns a number ≤ 0, e.g.
 * −0.1 for a 10% drawdown; NaN for an empty series.
 *
 * @example
 * maxDrawdown([0.1, -0.1, 0.1]); // -0.1
 */
export function maxDrawdown(returns: Series): number {
  const r = toFloat64(returns);
  const n = r.length;
  if (n < 1) return NaN;
  let growth = 1;
  let peak = 100;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    if (x === x) growth *= 1 + x;
    const v = growth * 100;
    if (v > peak) peak = v;
    const dd = (v - peak) / peak;
    if (dd < worst) worst = dd;
  }
  return worst;
}

/** One drawdown episode of {@link drawdownSeries}. Indices are positions in the returns. */
export interface DrawdownPeriod {
  /**
   * Index of the last period that closed at the high-water mark before the decline; −1 when the
   * peak is the starting capital (the very first return was a loss).
   */
  peakIndex: number;
  /** Index of the trough (the first one, if the low is touched twice). */
  valleyIndex: number;
  /** Index of the first period that closes back at or above the peak; null while underwater. */
  recoveryIndex: number | null;
  /** Drawdown at the trough, ≤ 0 (−0.25 = 25% below the peak). */
  depth: number;
  /** Periods from peak to trough. */
  declinePeriods: number;
  /** Periods from trough to recovery; null while underwater. */
  recoveryPeriods: number | null;
  /** Periods from peak to recovery; null while underwater. */
  duration: number | null;
  /** Periods that closed below the peak (up to the end of the series if not recovered). */
  underwaterPeriods: number;
}

/** Result of {@link drawdownSeries}. */
export interface DrawdownAnalysis {
  /** Drawdown from the running high-water mark after each period (≤ 0), as in empyrical. */
  underwater: Float64Array;
  /** Every drawdown episode, deepest first (ties: earliest first). */
  drawdowns: DrawdownPeriod[];
}

/**
 * The underwater curve and every drawdown episode with its peak, trough, recovery, depth and
 * durations, sorted by depth. The deepest episode's `depth` equals {@link maxDrawdown}.
 *
 * @example
 * const { underwater, drawdowns } = drawdownSeries([0.1, -0.1, 0.05, 0.1]);
 * // underwater ≈ [0, -0.1, -0.055, 0]
 * // drawdowns[0] = { peakIndex: 0, valleyIndex: 1, recoveryIndex: 3, depth: -0.1, duration: 3, … }
 */
export function drawdownSeries(returns: Series): DrawdownAnalysis {
  const r = toFloat64(returns);
  const uw = underwater(r);
  const n = uw.length;
  const drawdowns: DrawdownPeriod[] = [];
  let i = 0;
  while (i < n) {
    if (!(uw[i]! < 0)) {
      i++;
      continue;
    }
    const peakIndex = i - 1;
    let valleyIndex = i;
    let depth = uw[i]!;
    let j = i + 1;
    while (j < n && uw[j]! < 0) {
      if (uw[j]! < depth) {
        depth = uw[j]!;
        valleyIndex = j;
      }
      j++;
    }
    const recovered = j < n;
    const recoveryIndex = recovered ? j : null;
    drawdowns.push({
      peakIndex,
      valleyIndex,
      recoveryIndex,
      depth,
      declinePeriods: valleyIndex - peakIndex,
      recoveryPeriods: recovered ? j - valleyIndex : null,
      duration: recovered ? j - peakIndex : null,
      underwaterPeriods: j - i,
    });
    i = j;
  }
  drawdowns.sort((a, b) => a.depth - b.depth || a.peakIndex - b.peakIndex);
  return { underwater: uw, drawdowns };
}

/**
 * Ulcer index (Peter Martin, 1987): the root mean square of the underwater curve,
 * `sqrt(mean(u[t]²))`, as a fraction (multiply by 100 for Martin's percent units). It weighs
 * both the depth and the duration of drawdowns. NaN for an empty series.
 *
 * QuantStats divides by n − 1 instead of n and measures drawdowns from the first period's
 * close rather than from the starting capital.
 *
 * @example
 * ulcerIndex([0.1, -0.1, 0.05, 0.1]); // ≈ 0.0571
 */
export function ulcerIndex(returns: Series): number {
  const r = toFloat64(returns);
  const n = r.length;
  if (n < 1) return NaN;
  let growth = 1;
  let peak = 100;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    if (x === x) growth *= 1 + x;
    const v = growth * 100;
    if (v > peak) peak = v;
    const dd = (v - peak) / peak;
    sum += dd * dd;
  }
  return Math.sqrt(sum / n);
}
