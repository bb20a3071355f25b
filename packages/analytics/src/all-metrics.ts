import { annualizationFactor } from './annualization.js';
import { orderStatisticsFor, quantileOf, quantileRanks } from './internal/select.js';
import {
  type ResolvedRate,
  requireFraction,
  requireSameLength,
  resolveRate,
  toFloat64,
} from './internal/series.js';
import { kurtosisFromMoments, skewFromMoments } from './internal/stats.js';
import { omegaThreshold, rSquared } from './ratios.js';
import { cagrFromGrowth } from './returns.js';
import { cvarFrom, percentileFraction, tailRatioFrom } from './risk.js';
import { minimumTrackRecordLength, probabilisticSharpeRatio } from './sharpe-inference.js';
import type { AnnualizationOptions, Rate, Series } from './types.js';

/** Options of {@link allReturnMetrics}; each is passed to the metrics that take it. */
export interface AllReturnMetricsOptions extends AnnualizationOptions {
  /** Risk-free return per period for Sharpe, PSR, MinTRL and alpha; default 0. */
  riskFree?: Rate;
  /** Minimum acceptable return per period for Sortino and downside risk; default 0. */
  requiredReturn?: Rate;
  /** ANNUAL minimum acceptable return for the omega ratio (empyrical's convention); default 0. */
  omegaRequiredReturn?: number;
  /** Tail probability for VaR and CVaR; default 0.05. */
  cutoff?: number;
  /** Benchmark Sharpe ratio per period for PSR and MinTRL; default 0. */
  benchmarkSr?: number;
  /** Confidence for MinTRL; default 0.95. */
  confidence?: number;
  /** Benchmark returns aligned with the returns; adds the `benchmark` block. */
  factorReturns?: Series;
}

/** Metrics relative to a benchmark (present when `factorReturns` is given). */
export interface BenchmarkMetrics {
  alpha: number;
  beta: number;
  upAlpha: number;
  upBeta: number;
  downAlpha: number;
  downBeta: number;
  excessSharpe: number;
  informationRatio: number;
}

/** Every scalar return metric; each field equals the function of the same name. */
export interface ReturnMetrics {
  /** Number of periods, missing ones included. */
  periods: number;
  /** Number of non-NaN returns. */
  observations: number;
  /** {@link cumReturnsFinal}. */
  totalReturn: number;
  annualReturn: number;
  annualVolatility: number;
  sharpeRatio: number;
  sortinoRatio: number;
  downsideRisk: number;
  maxDrawdown: number;
  calmarRatio: number;
  omegaRatio: number;
  stabilityOfTimeseries: number;
  tailRatio: number;
  valueAtRisk: number;
  conditionalValueAtRisk: number;
  /** Biased skewness (scipy default). */
  skew: number;
  /** Biased EXCESS kurtosis (scipy default, normal = 0). */
  kurtosis: number;
  ulcerIndex: number;
  /** PSR of the per-period Sharpe ratio against `benchmarkSr`. */
  probabilisticSharpeRatio: number;
  /** MinTRL in periods against `benchmarkSr` at `confidence`. */
  minimumTrackRecordLength: number;
  benchmark?: BenchmarkMetrics;
}

/**
 * Kernels run over chunks of CHUNK values and keep their running state in a small Float64Array.
 * Besides pairwise-style accuracy (each chunk sums from zero), this matters for speed: V8
 * compiles a single million-iteration loop on stack replacement, deoptimises it where the loop
 * ends (no type feedback there yet) and may then leave it in baseline code for every later call,
 * several times slower. Many short calls give it complete feedback and a steady optimised kernel.
 */
const CHUNK = 16_384;

// The signs of r − threshold and r − required are a coin toss for the branch predictor, so the
// kernels split values into positive and negative parts without branching, exactly:
// (v + |v|) is 2v or 0 and (v − |v|) is 2v or 0, and scaling by a power of two is exact.

/** state: count, sum, min, max of the non-NaN returns. */
function basicKernel(r: Float64Array, start: number, end: number, st: Float64Array): void {
  let count = 0;
  let sum = 0;
  let min = st[2]!;
  let max = st[3]!;
  for (let i = start; i < end; i++) {
    const x = r[i]!;
    if (x !== x) continue;
    count++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  st[0]! += count;
  st[1]! += sum;
  st[2] = min;
  st[3] = max;
}

/**
 * state: growth Π(1 + r), peak and worst drawdown of empyrical's start-at-100 curve, and
 * Σ drawdown². The product runs in order, like numpy's cumprod.
 */
function equityKernel(r: Float64Array, start: number, end: number, st: Float64Array): void {
  let growth = st[0]!;
  let peak = st[1]!;
  let worst = st[2]!;
  let sumSquares = 0;
  for (let i = start; i < end; i++) {
    const x = r[i]!;
    if (x === x) growth *= 1 + x;
    const v = growth * 100;
    if (v > peak) peak = v;
    const dd = (v - peak) / peak;
    if (dd < worst) worst = dd;
    sumSquares += dd * dd;
  }
  st[0] = growth;
  st[1] = peak;
  st[2] = worst;
  st[3]! += sumSquares;
}

/**
 * Least squares of y = Σ log1p(r) (NaN dropped, `m` values) on 0, 1, …, m − 1, without a
 * division per value: Σ (k − x̄)(y_k − ȳ) = ½ Σ_j j(m − j)·log1p(r_j) exactly, and Σ (y − ȳ)²
 * from each chunk's sums around its first y, merged with Chan's formula, which stays accurate
 * whatever the level of y.
 *
 * state: y, j (values seen), count, mean, M2 of y, Σ j(m − j)·z.
 */
function stabilityKernel(
  r: Float64Array,
  start: number,
  end: number,
  m: number,
  st: Float64Array,
): void {
  let y = st[0]!;
  let j = st[1]!;
  let sxy2 = 0;
  let bCount = 0;
  let bShift = 0;
  let bS1 = 0;
  let bS2 = 0;
  for (let i = start; i < end; i++) {
    const x = r[i]!;
    if (x !== x) continue;
    const z = Math.log1p(x);
    y += z;
    sxy2 += j * (m - j) * z;
    j++;
    if (bCount === 0) bShift = y;
    const d = y - bShift;
    bS1 += d;
    bS2 += d * d;
    bCount++;
  }
  st[0] = y;
  st[1] = j;
  st[5]! += sxy2;
  if (bCount === 0) return;
  const bMean = bShift + bS1 / bCount;
  const bM2 = bS2 - (bS1 * bS1) / bCount;
  const count = st[2]!;
  if (count === 0) {
    st[3] = bMean;
    st[4] = bM2;
  } else {
    const total = count + bCount;
    const delta = bMean - st[3]!;
    st[3]! += (delta * bCount) / total;
    st[4]! += bM2 + (delta * delta * count * bCount) / total;
  }
  st[2] = count + bCount;
}

/**
 * Excess-return sums for Sharpe (a = r − rf), omega (a − threshold) and Sortino/downside
 * (d = r − req). state: countA, ΣA, minA, maxA, Σ2·gains, Σ2·losses, countD, ΣD, Σ(2·shortfall)².
 */
function excessKernel(
  r: Float64Array,
  start: number,
  end: number,
  rfs: Float64Array | null,
  rf0: number,
  reqs: Float64Array | null,
  req0: number,
  threshold: number,
  st: Float64Array,
): void {
  let countA = 0;
  let sumA = 0;
  let minA = st[2]!;
  let maxA = st[3]!;
  let gains2 = 0;
  let losses2 = 0;
  let countD = 0;
  let sumD = 0;
  let shortfall4 = 0;
  for (let i = start; i < end; i++) {
    const x = r[i]!;
    if (x !== x) continue;
    const a = x - (rfs === null ? rf0 : rfs[i]!);
    if (a === a) {
      countA++;
      sumA += a;
      if (a < minA) minA = a;
      if (a > maxA) maxA = a;
      const o = a - threshold;
      const ao = Math.abs(o);
      gains2 += o + ao;
      losses2 += ao - o;
    }
    const d = x - (reqs === null ? req0 : reqs[i]!);
    if (d === d) {
      countD++;
      sumD += d;
      const short2 = d - Math.abs(d);
      shortfall4 += short2 * short2;
    }
  }
  st[0]! += countA;
  st[1]! += sumA;
  st[2] = minA;
  st[3] = maxA;
  st[4]! += gains2;
  st[5]! += losses2;
  st[6]! += countD;
  st[7]! += sumD;
  st[8]! += shortfall4;
}

/** state: Σ d², Σ d³, Σ d⁴ of d = r − rf − mean over the non-NaN differences. */
function momentsKernel(
  r: Float64Array,
  start: number,
  end: number,
  rfs: Float64Array | null,
  rf0: number,
  mean: number,
  st: Float64Array,
): void {
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = start; i < end; i++) {
    const d = r[i]! - (rfs === null ? rf0 : rfs[i]!) - mean;
    if (d !== d) continue;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  st[0]! += s2;
  st[1]! += s3;
  st[2]! += s4;
}

/** Σd², Σd³, Σd⁴ around `mean` of r − rf (all zero for a constant series). */
function momentsOf(
  r: Float64Array,
  rf: ResolvedRate,
  mean: number,
  constant: boolean,
): { s2: number; s3: number; s4: number } {
  if (constant) return { s2: 0, s3: 0, s4: 0 };
  const n = r.length;
  const st = new Float64Array(3);
  for (let s = 0; s < n; s += CHUNK) {
    momentsKernel(r, s, Math.min(n, s + CHUNK), rf.series, rf.scalar, mean, st);
  }
  return { s2: st[0]!, s3: st[1]!, s4: st[2]! };
}

/**
 * First benchmark pass, over the periods where both series are present, for all periods and the
 * benchmark-up and benchmark-down subsets at once. A 0/1 factor, +(f > 0), selects the subset:
 * V8 compiles it without a branch, and the benchmark's sign is unpredictable.
 * state: 0 upSize, 1 downSize, 2 pairs, 3 upPairs, 4 downPairs, 5 ΣF, 6 upΣF, 7 downΣF,
 * 8 Σ(r − f), 9 min(r − f), 10 max(r − f), 11 excessCount, 12 upExcessCount,
 * 13 downExcessCount, 14 Σ(r − rf), 15 Σ(f − rf), 16 up Σ(r − rf), 17 up Σ(f − rf),
 * 18 down Σ(r − rf), 19 down Σ(f − rf).
 */
function benchmarkSumsKernel(
  r: Float64Array,
  f: Float64Array,
  start: number,
  end: number,
  rfs: Float64Array | null,
  rf0: number,
  st: Float64Array,
): void {
  let upSize = 0;
  let downSize = 0;
  let pairs = 0;
  let upPairs = 0;
  let downPairs = 0;
  let sumF = 0;
  let upSumF = 0;
  let downSumF = 0;
  let sumAct = 0;
  let minAct = st[9]!;
  let maxAct = st[10]!;
  let exCount = 0;
  let upExCount = 0;
  let downExCount = 0;
  let exR = 0;
  let exF = 0;
  let upExR = 0;
  let upExF = 0;
  let downExR = 0;
  let downExF = 0;
  for (let i = start; i < end; i++) {
    const fi = f[i]!;
    const up = +(fi > 0);
    const down = +(fi < 0);
    upSize += up;
    downSize += down;
    const x = r[i]!;
    if (x !== x || fi !== fi) continue;
    pairs++;
    upPairs += up;
    downPairs += down;
    sumF += fi;
    upSumF += up * fi;
    downSumF += down * fi;
    const act = x - fi;
    sumAct += act;
    if (act < minAct) minAct = act;
    if (act > maxAct) maxAct = act;
    const rfi = rfs === null ? rf0 : rfs[i]!;
    if (rfi !== rfi) continue;
    const er = x - rfi;
    const ef = fi - rfi;
    exCount++;
    upExCount += up;
    downExCount += down;
    exR += er;
    exF += ef;
    upExR += up * er;
    upExF += up * ef;
    downExR += down * er;
    downExF += down * ef;
  }
  st[0]! += upSize;
  st[1]! += downSize;
  st[2]! += pairs;
  st[3]! += upPairs;
  st[4]! += downPairs;
  st[5]! += sumF;
  st[6]! += upSumF;
  st[7]! += downSumF;
  st[8]! += sumAct;
  st[9] = minAct;
  st[10] = maxAct;
  st[11]! += exCount;
  st[12]! += upExCount;
  st[13]! += downExCount;
  st[14]! += exR;
  st[15]! += exF;
  st[16]! += upExR;
  st[17]! += upExF;
  st[18]! += downExR;
  st[19]! += downExF;
}

/**
 * Second benchmark pass: co-moments around the subset means. empyrical centres only the
 * benchmark, so mean(res · r) is the covariance. state: cov, var(f), up cov, up var(f),
 * down cov, down var(f), Σ(active − mean)².
 */
function benchmarkMomentsKernel(
  r: Float64Array,
  f: Float64Array,
  start: number,
  end: number,
  means: Float64Array,
  st: Float64Array,
): void {
  const meanF = means[0]!;
  const upMeanF = means[1]!;
  const downMeanF = means[2]!;
  const meanAct = means[3]!;
  let cov = 0;
  let varF = 0;
  let upCov = 0;
  let upVarF = 0;
  let downCov = 0;
  let downVarF = 0;
  let act2 = 0;
  for (let i = start; i < end; i++) {
    const fi = f[i]!;
    const x = r[i]!;
    if (x !== x || fi !== fi) continue;
    const up = +(fi > 0);
    const down = +(fi < 0);
    const res = fi - meanF;
    cov += res * x;
    varF += res * res;
    const ru = up * (fi - upMeanF);
    upCov += ru * x;
    upVarF += ru * ru;
    const rd = down * (fi - downMeanF);
    downCov += rd * x;
    downVarF += rd * rd;
    const da = x - fi - meanAct;
    act2 += da * da;
  }
  st[0]! += cov;
  st[1]! += varF;
  st[2]! += upCov;
  st[3]! += upVarF;
  st[4]! += downCov;
  st[5]! += downVarF;
  st[6]! += act2;
}

/**
 * empyrical's regression for one subset of periods from its sums: beta = cov / var(f) over the
 * periods where both series are present (NaN when var(f) < 1e-30), alpha compounded from
 * mean((r − rf) − β(f − rf)), which is computed by linearity from the two excess sums.
 */
function regressionResult(
  size: number,
  pairs: number,
  cov: number,
  varF: number,
  excessCount: number,
  sumExcessR: number,
  sumExcessF: number,
  ann: number,
): { alpha: number; beta: number } {
  if (size < 2) return { alpha: NaN, beta: NaN };
  const variance = varF / pairs;
  const beta = variance < 1e-30 || variance !== variance ? NaN : cov / pairs / variance;
  const mean =
    excessCount === 0 || beta !== beta
      ? NaN
      : sumExcessR / excessCount - beta * (sumExcessF / excessCount);
  return { alpha: (1 + mean) ** ann - 1, beta };
}

/** The benchmark block: two chunked passes over the returns and the benchmark returns. */
function benchmarkMetrics(
  r: Float64Array,
  f: Float64Array,
  rf: ResolvedRate,
  ann: number,
): BenchmarkMetrics {
  const n = r.length;
  const sums = new Float64Array(20);
  sums[9] = Infinity;
  sums[10] = -Infinity;
  for (let s = 0; s < n; s += CHUNK) {
    benchmarkSumsKernel(r, f, s, Math.min(n, s + CHUNK), rf.series, rf.scalar, sums);
  }
  const [upSize, downSize, pairs, upPairs, downPairs, sumF, upSumF, downSumF, sumAct] = sums;
  const meanAct = pairs === 0 ? NaN : sumAct! / pairs!;
  const means = Float64Array.of(
    sumF! / pairs!,
    upSumF! / upPairs!,
    downSumF! / downPairs!,
    meanAct,
  );
  const co = new Float64Array(7);
  for (let s = 0; s < n; s += CHUNK) {
    benchmarkMomentsKernel(r, f, s, Math.min(n, s + CHUNK), means, co);
  }
  const act2 = sums[9] === sums[10] ? 0 : co[6]!;
  const all = regressionResult(n, pairs!, co[0]!, co[1]!, sums[11]!, sums[14]!, sums[15]!, ann);
  const u = regressionResult(
    upSize!,
    upPairs!,
    co[2]!,
    co[3]!,
    sums[12]!,
    sums[16]!,
    sums[17]!,
    ann,
  );
  const d = regressionResult(
    downSize!,
    downPairs!,
    co[4]!,
    co[5]!,
    sums[13]!,
    sums[18]!,
    sums[19]!,
    ann,
  );
  // empyrical applies nan_to_num to the tracking error.
  const te = pairs! > 1 ? Math.sqrt(act2 / (pairs! - 1)) : 0;
  const excessSharpe = n < 2 ? NaN : meanAct / te;
  return {
    alpha: all.alpha,
    beta: all.beta,
    upAlpha: u.alpha,
    upBeta: u.beta,
    downAlpha: d.alpha,
    downBeta: d.beta,
    excessSharpe,
    informationRatio: excessSharpe * Math.sqrt(ann),
  };
}

/**
 * Every scalar return metric in one object. A handful of tight passes over the returns and one
 * pass that extracts the two tails for VaR, CVaR and the tail ratio replace the dozens of array
 * operations the metrics would cost one by one. Each field equals the function of the same name
 * called with the matching options (see {@link AllReturnMetricsOptions}); the `benchmark` block
 * appears when `factorReturns` is given.
 *
 * @example
 * const m = allReturnMetrics(dailyReturns, { factorReturns: spyReturns });
 * m.sharpeRatio; m.maxDrawdown; m.benchmark?.beta;
 */
export function allReturnMetrics(
  returns: Series,
  options: AllReturnMetricsOptions = {},
): ReturnMetrics {
  const r = toFloat64(returns);
  const n = r.length;
  const ann = annualizationFactor(options);
  const rf = resolveRate(options.riskFree, n, 'riskFree');
  const req = resolveRate(options.requiredReturn, n, 'requiredReturn');
  const threshold = omegaThreshold({ ...options, requiredReturn: options.omegaRequiredReturn });
  const cutoff = options.cutoff ?? 0.05;
  requireFraction(cutoff, 'cutoff');
  const f =
    options.factorReturns === undefined ? null : toFloat64(options.factorReturns, 'factorReturns');
  if (f !== null) requireSameLength(r, f, 'returns', 'factorReturns');

  const basic = Float64Array.of(0, 0, Infinity, -Infinity);
  const equity = Float64Array.of(1, 100, 0, 0);
  const ex = Float64Array.of(0, 0, Infinity, -Infinity, 0, 0, 0, 0, 0);
  for (let s = 0; s < n; s += CHUNK) {
    const e = Math.min(n, s + CHUNK);
    basicKernel(r, s, e, basic);
    equityKernel(r, s, e, equity);
    excessKernel(r, s, e, rf.series, rf.scalar, req.series, req.scalar, threshold, ex);
  }
  const valid = basic[0]!;
  const meanR = valid === 0 ? NaN : basic[1]! / valid;
  const stability = new Float64Array(6);
  for (let s = 0; s < n; s += CHUNK)
    stabilityKernel(r, s, Math.min(n, s + CHUNK), valid, stability);
  const countA = ex[0]!;
  const meanA = countA === 0 ? NaN : ex[1]! / countA;
  const countD = ex[6]!;
  const rawMoments = momentsOf(r, NO_RATE, meanR, basic[2] === basic[3]);
  const excessIsRaw = rf.series === null && rf.scalar === 0;
  const excessMoments = excessIsRaw ? rawMoments : momentsOf(r, rf, meanA, ex[2] === ex[3]);

  const sqrtAnn = Math.sqrt(ann);
  const stdR = valid > 1 ? Math.sqrt(rawMoments.s2 / (valid - 1)) : NaN;
  const stdA = countA > 1 ? Math.sqrt(excessMoments.s2 / (countA - 1)) : NaN;
  const srPerPeriod = meanA / stdA;
  const annualReturn = n < 1 ? NaN : cagrFromGrowth(equity[0]!, n, ann);
  const downsideRisk =
    n < 1 ? NaN : Math.sqrt(countD === 0 ? NaN : (ex[8]! * 0.25) / countD) * sqrtAnn;
  const mdd = n < 1 ? NaN : equity[2]!;
  const calmar = mdd < 0 ? annualReturn / Math.abs(mdd) : NaN;

  const momentsR = {
    count: valid,
    mean: meanR,
    m2: rawMoments.s2 / valid,
    m3: rawMoments.s3 / valid,
    m4: rawMoments.s4 / valid,
  };
  const momentsA = {
    count: countA,
    mean: meanA,
    m2: excessMoments.s2 / countA,
    m3: excessMoments.s3 / countA,
    m4: excessMoments.s4 / countA,
  };
  const inference = {
    observedSr: srPerPeriod,
    benchmarkSr: options.benchmarkSr ?? 0,
    n: countA,
    skewness: skewFromMoments(momentsA, true),
    kurtosis: kurtosisFromMoments(momentsA, false, true),
  };

  let valueAtRisk = NaN;
  let cvar = NaN;
  let tail = NaN;
  if (valid > 0) {
    const q = percentileFraction(cutoff);
    const k = Math.floor((valid - 1) * cutoff);
    const ranks = [
      ...quantileRanks(valid, 0.05),
      ...quantileRanks(valid, 0.95),
      ...quantileRanks(valid, q),
    ];
    const order = orderStatisticsFor(r, valid, ranks, k);
    tail = tailRatioFrom(order);
    valueAtRisk = quantileOf(order, q);
    cvar = cvarFrom(order, k);
  }

  const metrics: ReturnMetrics = {
    periods: n,
    observations: valid,
    totalReturn: n === 0 ? NaN : equity[0]! - 1,
    annualReturn,
    annualVolatility: n < 2 ? NaN : stdR * sqrtAnn,
    sharpeRatio: n < 2 ? NaN : srPerPeriod * sqrtAnn,
    sortinoRatio: n < 2 ? NaN : ((countD === 0 ? NaN : ex[7]! / countD) * ann) / downsideRisk,
    downsideRisk,
    maxDrawdown: mdd,
    calmarRatio: Number.isFinite(calmar) ? calmar : NaN,
    omegaRatio: n < 2 || threshold !== threshold || !(ex[5]! > 0) ? NaN : ex[4]! / ex[5]!,
    stabilityOfTimeseries:
      n < 2 || valid < 2
        ? NaN
        : rSquared(((valid - 1) * valid * (valid + 1)) / 12, stability[5]! * 0.5, stability[4]!),
    tailRatio: tail,
    valueAtRisk,
    conditionalValueAtRisk: cvar,
    skew: skewFromMoments(momentsR, true),
    kurtosis: kurtosisFromMoments(momentsR, true, true),
    ulcerIndex: n < 1 ? NaN : Math.sqrt(equity[3]! / n),
    probabilisticSharpeRatio: probabilisticSharpeRatio(inference),
    minimumTrackRecordLength: minimumTrackRecordLength(inference, {
      confidence: options.confidence ?? 0.95,
    }),
  };
  if (f !== null) metrics.benchmark = benchmarkMetrics(r, f, rf, ann);
  return metrics;
}

const NO_RATE: ResolvedRate = { scalar: 0, series: null };
