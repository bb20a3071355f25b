/** Something that can answer "the k-th smallest value" and "the sum of the k + 1 smallest". */
export interface RankSource {
  readonly count: number;
  kth(k: number): number;
  sumOfSmallest(k: number): number;
}

/**
 * numpy's default (`method='linear'`) quantile: the value at virtual index (n − 1)·q,
 * interpolated between its neighbours exactly as numpy's `_lerp` does.
 */
export function quantileOf(src: RankSource, q: number): number {
  const n = src.count;
  if (n === 0) return NaN;
  const vi = (n - 1) * q;
  if (vi >= n - 1) return src.kth(n - 1);
  if (vi < 0) return src.kth(0);
  const prev = Math.floor(vi);
  const gamma = vi - prev;
  const a = src.kth(prev);
  const b = src.kth(prev + 1);
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/**
 * Order statistics over the first `count` values of a scratch buffer, found by quickselect.
 * Each selection narrows the part of the buffer later selections must look at, so several
 * quantiles of one sample (VaR, CVaR, the two tails) cost little more than one.
 * The buffer is reordered in place and must not contain NaN.
 */
export class OrderStatistics implements RankSource {
  /** Indices whose value is final (every element left of it is ≤, right of it ≥), ascending. */
  private readonly fixed: number[] = [];

  constructor(
    private readonly buf: Float64Array,
    readonly count: number,
  ) {}

  /** The k-th smallest value (0-based). */
  kth(k: number): number {
    const fixed = this.fixed;
    let lo = 0;
    let hi = this.count - 1;
    let pos = 0;
    while (pos < fixed.length && fixed[pos]! < k) {
      lo = fixed[pos]! + 1;
      pos++;
    }
    if (pos < fixed.length) {
      if (fixed[pos] === k) return this.buf[k]!;
      hi = fixed[pos]! - 1;
    }
    selectInPlace(this.buf, lo, hi, k);
    fixed.splice(pos, 0, k);
    return this.buf[k]!;
  }

  /** Sum of the `k + 1` smallest values (after `kth(k)` they sit in `buf[0..k]`). */
  sumOfSmallest(k: number): number {
    this.kth(k);
    const buf = this.buf;
    let s = 0;
    for (let i = 0; i <= k; i++) s += buf[i]!;
    return s;
  }

  /** numpy's linear quantile; see {@link quantileOf}. */
  quantile(q: number): number {
    return quantileOf(this, q);
  }
}

/**
 * Order statistics of the non-NaN values of `x` that only answers ranks in the two tails: ranks
 * ≤ `lowMax` and ≥ `highMin` (0-based, among `count` non-NaN values). One pass copies just the
 * values beyond two thresholds read off a sorted stride sample (with a safety margin), and the
 * small tail buffers are selected in; if the sample misjudged a tail, or the tails are not small,
 * it falls back to a full quickselect. Either way the answers are exact.
 */
export function tailOrderStatistics(
  x: Float64Array,
  count: number,
  lowMax: number,
  highMin: number,
): RankSource {
  const full = (): RankSource => {
    const { buf, count: c } = compactValid(x);
    return new OrderStatistics(buf, c);
  };
  const lowShare = (lowMax + 1) / count;
  const highShare = (count - highMin) / count;
  if (count < 20_000 || lowShare + highShare > 0.3) return full();

  // A sorted stride sample of the non-NaN values.
  const n = x.length;
  const size = 4096;
  const sample = new Float64Array(size);
  let s = 0;
  const stride = n / size;
  for (let j = 0; j < size; j++) {
    let i = Math.floor(j * stride);
    while (i < n && x[i]! !== x[i]!) i++;
    if (i < n) sample[s++] = x[i]!;
  }
  const sorted = sample.subarray(0, s).sort();
  // Margins of ~6 binomial standard deviations (plus a constant) keep a miss very unlikely.
  const lowAt = Math.min(s - 1, Math.ceil(lowShare * s + 6 * Math.sqrt(s * lowShare) + 8));
  const highAt = Math.max(0, Math.floor(s - highShare * s - 6 * Math.sqrt(s * highShare) - 9));
  const lowT = lowMax < 0 ? -Infinity : sorted[lowAt]!;
  const highT = highMin >= count ? Infinity : sorted[highAt]!;
  if (!(lowT < highT)) return full();

  const expectLow = ((lowAt + 1) / s) * count;
  const expectHigh = ((s - highAt) / s) * count;
  const low = new Float64Array(Math.ceil(expectLow * 1.5) + 64);
  const high = new Float64Array(Math.ceil(expectHigh * 1.5) + 64);
  const lowCap = low.length;
  const highCap = high.length;
  let cl = 0;
  let ch = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v <= lowT) {
      if (cl === lowCap) return full();
      low[cl++] = v;
    } else if (v >= highT) {
      if (ch === highCap) return full();
      high[ch++] = v;
    }
  }
  // Every value ≤ lowT is in `low`, so rank k < cl overall is rank k there; likewise at the top.
  if (cl <= lowMax || count - ch > highMin) return full();
  return new Tails(new OrderStatistics(low, cl), new OrderStatistics(high, ch), count);
}

class Tails implements RankSource {
  constructor(
    private readonly low: OrderStatistics,
    private readonly high: OrderStatistics,
    readonly count: number,
  ) {}

  kth(k: number): number {
    if (k < this.low.count) return this.low.kth(k);
    const offset = this.count - this.high.count;
    if (k >= offset) return this.high.kth(k - offset);
    throw new RangeError(`rank ${k} is outside the tails this selection kept`);
  }

  sumOfSmallest(k: number): number {
    if (k < this.low.count) return this.low.sumOfSmallest(k);
    throw new RangeError(`rank ${k} is outside the tails this selection kept`);
  }
}

/** The ranks numpy's linear quantile q reads among `count` sorted values. */
export function quantileRanks(count: number, q: number): number[] {
  const vi = (count - 1) * q;
  if (vi >= count - 1) return [count - 1];
  if (vi < 0) return [0];
  const prev = Math.floor(vi);
  return [prev, prev + 1];
}

/**
 * A {@link RankSource} for the non-NaN values of `x` (there are `count`) that can answer the
 * given ranks, and `sumOfSmallest(k)` for every k ≤ `sumUpTo`.
 */
export function orderStatisticsFor(
  x: Float64Array,
  count: number,
  ranks: number[],
  sumUpTo = -1,
): RankSource {
  let lowMax = sumUpTo;
  let highMin = count;
  for (const k of ranks) {
    if (k < count / 2) lowMax = Math.max(lowMax, k);
    else highMin = Math.min(highMin, k);
  }
  return tailOrderStatistics(x, count, lowMax, highMin);
}

/** Number of non-NaN values. */
export function countValid(x: Float64Array): number {
  let c = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === x[i]) c++;
  return c;
}

/** Copies the non-NaN values of `x` into a new buffer; returns it and how many were copied. */
export function compactValid(x: Float64Array): { buf: Float64Array; count: number } {
  const n = x.length;
  const buf = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v === v) buf[count++] = v;
  }
  return { buf, count };
}

/**
 * Rearranges `a[lo..hi]` so that `a[k]` holds the value it would have if the range were sorted,
 * with no larger value before it and no smaller one after it. Hoare partitioning around a
 * median of three; falls back to a full sort of the range if partitioning degenerates.
 */
export function selectInPlace(a: Float64Array, lo: number, hi: number, k: number): void {
  let budget = 2 * Math.ceil(Math.log2(hi - lo + 2)) + 16;
  while (hi > lo) {
    if (hi - lo < 24) {
      insertionSort(a, lo, hi);
      return;
    }
    if (--budget < 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    const mid = lo + ((hi - lo) >>> 1);
    // Order a[lo] ≤ a[mid] ≤ a[hi] so that the scans below cannot run off the range.
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] ≤ pivot ≤ a[i..hi], and everything strictly between j and i equals pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function insertionSort(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
