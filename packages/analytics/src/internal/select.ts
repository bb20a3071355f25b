/**
 * Order statistics over the first `count` values of a scratch buffer, found by quickselect.
 * Each selection narrows the part of the buffer later selections must look at, so several
 * quantiles of one sample (VaR, CVaR, the two tails) cost little more than one.
 * The buffer is reordered in place and must not contain NaN.
 */
export class OrderStatistics {
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

  /**
   * numpy's default (`method='linear'`) quantile: the value at virtual index (n − 1)·q,
   * interpolated between its neighbours exactly as numpy's `_lerp` does.
   */
  quantile(q: number): number {
    const n = this.count;
    if (n === 0) return NaN;
    const vi = (n - 1) * q;
    let prev: number;
    let next: number;
    if (vi >= n - 1) {
      return this.kth(n - 1);
    } else if (vi < 0) {
      return this.kth(0);
    } else {
      prev = Math.floor(vi);
      next = prev + 1;
    }
    const gamma = vi - prev;
    const a = this.kth(prev);
    const b = this.kth(next);
    const diff = b - a;
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
  }
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
