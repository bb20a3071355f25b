import type { Rate, Series } from '../types.js';

/**
 * The values as a `Float64Array`, copying only when the input is not one already. Kernels take
 * typed arrays only so that V8 keeps their loops monomorphic.
 */
export function toFloat64(values: Series, name = 'returns'): Float64Array {
  if (values instanceof Float64Array) return values;
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new TypeError(`${name} must be an array of numbers or a Float64Array`);
  }
  return Float64Array.from(values);
}

/**
 * A rate resolved for a kernel: `series` is null when the rate is one number for every period.
 */
export interface ResolvedRate {
  scalar: number;
  series: Float64Array | null;
}

/** Resolves a number-or-series rate against the length of the returns it is aligned with. */
export function resolveRate(rate: Rate | undefined, length: number, name: string): ResolvedRate {
  if (rate === undefined) return { scalar: 0, series: null };
  if (typeof rate === 'number') return { scalar: rate, series: null };
  const series = toFloat64(rate, name);
  if (series.length !== length) {
    throw new RangeError(
      `${name} must be a number or a series of the same length as the returns (${length}), got length ${series.length}`,
    );
  }
  return { scalar: 0, series };
}

/** Throws unless two aligned series have the same length. */
export function requireSameLength(
  a: Float64Array,
  b: Float64Array,
  nameA: string,
  nameB: string,
): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `${nameA} and ${nameB} must have the same length (positions are aligned), got ${a.length} and ${b.length}`,
    );
  }
}

/** Throws unless `value` is a finite number in [0, 1]. */
export function requireFraction(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
  }
}

/** Throws unless `value` is a positive integer. */
export function requirePositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}
