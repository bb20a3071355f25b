import { annualizationFactor } from './annualization.js';
import { OrderStatistics } from './internal/select.js';
import { requireFraction, requireSameLength, resolveRate, toFloat64 } from './internal/series.js';
import { kurtosisFromMoments, skewFromMoments } from './internal/stats.js';
import { normalCdf, normalQuantile } from './normal.js';
import { omegaThreshold, rSquared } from './ratios.js';
import { cagrFromGrowth } from './returns.js';
import { percentileFraction } from './risk.js';
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

/** Per-subset accumulators of the benchmark regression (all / benchmark up / benchmark down). */
class Regression {
  size = 0;
  pairs = 0;
  sumF = 0;
  meanF = NaN;
  cov = 0;
  varF = 0;
  excessCount = 0;
  sumExcessR = 0;
  sumExcessF = 0;

  result(ann: number): { alpha: number; beta: number } {
    if (this.size < 2) return { alpha: NaN, beta: NaN };
    const varF = this.varF / this.pairs;
    const beta = varF < 1e-30 || varF !== varF ? NaN : this.cov / this.pairs / varF;
    // mean((r − rf) − β(f − rf)) over the same periods, by linearity.
    const mean =
      this.excessCount === 0 || beta !== beta
        ? NaN
        : this.sumExcessR / this.excessCount - beta * (this.sumExcessF / this.excessCount);
    return { alpha: (1 + mean) ** ann - 1, beta };
  }
}

/**
 * Every scalar return metric in one object, computed in two fused passes over the returns and
 * one quickselect, which is much cheaper than calling each function in turn. Each field equals
 * the function of the same name called with the matching options (see
 * {@link AllReturnMetricsOptions}); the `benchmark` block appears when `factorReturns` is given.
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
  const rfs = rf.series;
  const rf0 = rf.scalar;
  const req = resolveRate(options.requiredReturn, n, 'requiredReturn');
  const reqs = req.series;
  const req0 = req.scalar;
  const threshold = omegaThreshold({ ...options, requiredReturn: options.omegaRequiredReturn });
  const cutoff = options.cutoff ?? 0.05;
  requireFraction(cutoff, 'cutoff');
  const f =
    options.factorReturns === undefined ? null : toFloat64(options.factorReturns, 'factorReturns');
  if (f !== null) requireSameLength(r, f, 'returns', 'factorReturns');
  const excessIsRaw = rfs === null && rf0 === 0;

  const buf = new Float64Array(n);
  let valid = 0;
  let sumR = 0;
  let minR = Infinity;
  let maxR = -Infinity;
  let countA = 0;
  let sumA = 0;
  let minA = Infinity;
  let maxA = -Infinity;
  let countD = 0;
  let sumD = 0;
  let sumShort2 = 0;
  let gains = 0;
  let losses = 0;
  let growth = 1;
  let peak = 100;
  let worst = 0;
  let ulcer = 0;
  let logCum = 0;
  let stabN = 0;
  let stabMeanY = 0;
  let stabSxy = 0;
  let stabSyy = 0;
  const all = new Regression();
  const up = new Regression();
  const down = new Regression();
  let countAct = 0;
  let sumAct = 0;
  let minAct = Infinity;
  let maxAct = -Infinity;

  // Pass 1: everything that needs no mean.
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    const fi = f === null ? NaN : f[i]!;
    if (f !== null) {
      all.size++;
      const sub = fi > 0 ? up : fi < 0 ? down : null;
      if (sub !== null) sub.size++;
      if (x === x && fi === fi) {
        const rfi = rfs === null ? rf0 : rfs[i]!;
        all.pairs++;
        all.sumF += fi;
        const act = x - fi;
        countAct++;
        sumAct += act;
        if (act < minAct) minAct = act;
        if (act > maxAct) maxAct = act;
        if (sub !== null) {
          sub.pairs++;
          sub.sumF += fi;
        }
        if (rfi === rfi) {
          all.excessCount++;
          all.sumExcessR += x - rfi;
          all.sumExcessF += fi - rfi;
          if (sub !== null) {
            sub.excessCount++;
            sub.sumExcessR += x - rfi;
            sub.sumExcessF += fi - rfi;
          }
        }
      }
    }
    if (x === x) {
      growth *= 1 + x;
      buf[valid++] = x;
      sumR += x;
      if (x < minR) minR = x;
      if (x > maxR) maxR = x;
      const a = x - (rfs === null ? rf0 : rfs[i]!);
      if (a === a) {
        countA++;
        sumA += a;
        if (a < minA) minA = a;
        if (a > maxA) maxA = a;
      }
      const o = a - threshold;
      if (o > 0) gains += o;
      else if (o < 0) losses -= o;
      const d = x - (reqs === null ? req0 : reqs[i]!);
      if (d === d) {
        countD++;
        sumD += d;
        if (d < 0) sumShort2 += d * d;
      }
      // Online least squares of Σlog1p(r) on 0, 1, 2, … (Welford's co-moment update).
      logCum += Math.log1p(x);
      const k = stabN;
      stabN++;
      const dx = k - (k - 1) / 2; // k − previous mean of 0..k−1
      const dy = logCum - stabMeanY;
      stabMeanY += dy / stabN;
      const dyNew = logCum - stabMeanY;
      stabSxy += dx * dyNew;
      stabSyy += dy * dyNew;
    }
    const v = growth * 100;
    if (v > peak) peak = v;
    const dd = (v - peak) / peak;
    if (dd < worst) worst = dd;
    ulcer += dd * dd;
  }

  const meanR = valid === 0 ? NaN : sumR / valid;
  const meanA = countA === 0 ? NaN : sumA / countA;
  const meanAct = countAct === 0 ? NaN : sumAct / countAct;
  all.meanF = all.sumF / all.pairs;
  up.meanF = up.sumF / up.pairs;
  down.meanF = down.sumF / down.pairs;
  const constR = minR === maxR;
  const constA = minA === maxA;
  const constAct = minAct === maxAct;

  // Pass 2: central moments and co-moments around the means of pass 1.
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let a2 = 0;
  let a3 = 0;
  let a4 = 0;
  let act2 = 0;
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    if (x === x) {
      const d = x - meanR;
      const d2 = d * d;
      s2 += d2;
      s3 += d2 * d;
      s4 += d2 * d2;
      if (!excessIsRaw) {
        const a = x - (rfs === null ? rf0 : rfs[i]!);
        if (a === a) {
          const da = a - meanA;
          const da2 = da * da;
          a2 += da2;
          a3 += da2 * da;
          a4 += da2 * da2;
        }
      }
    }
    if (f !== null) {
      const fi = f[i]!;
      if (x === x && fi === fi) {
        const res = fi - all.meanF;
        all.cov += res * x;
        all.varF += res * res;
        const sub = fi > 0 ? up : fi < 0 ? down : null;
        if (sub !== null) {
          const rs = fi - sub.meanF;
          sub.cov += rs * x;
          sub.varF += rs * rs;
        }
        const da = x - fi - meanAct;
        act2 += da * da;
      }
    }
  }
  if (constR) s2 = s3 = s4 = 0;
  if (excessIsRaw) {
    a2 = s2;
    a3 = s3;
    a4 = s4;
  } else if (constA) {
    a2 = a3 = a4 = 0;
  }
  if (constAct) act2 = 0;

  const sqrtAnn = Math.sqrt(ann);
  const stdR = valid > 1 ? Math.sqrt(s2 / (valid - 1)) : NaN;
  const stdA = countA > 1 ? Math.sqrt(a2 / (countA - 1)) : NaN;
  const srPerPeriod = meanA / stdA;
  const annualReturn = n < 1 ? NaN : cagrFromGrowth(growth, n, ann);
  const downsideRisk = n < 1 ? NaN : Math.sqrt(countD === 0 ? NaN : sumShort2 / countD) * sqrtAnn;
  const mdd = n < 1 ? NaN : worst;
  const calmar = mdd < 0 ? annualReturn / Math.abs(mdd) : NaN;

  const momentsR = { count: valid, mean: meanR, m2: s2 / valid, m3: s3 / valid, m4: s4 / valid };
  const momentsA = {
    count: countA,
    mean: meanA,
    m2: a2 / countA,
    m3: a3 / countA,
    m4: a4 / countA,
  };
  const skewA = skewFromMoments(momentsA, true);
  const kurtA = kurtosisFromMoments(momentsA, false, true);
  const benchmarkSr = options.benchmarkSr ?? 0;
  const varianceFactor = 1 - skewA * srPerPeriod + ((kurtA - 1) / 4) * srPerPeriod * srPerPeriod;
  const psr =
    countA >= 2 && varianceFactor > 0
      ? normalCdf(((srPerPeriod - benchmarkSr) * Math.sqrt(countA - 1)) / Math.sqrt(varianceFactor))
      : NaN;
  const confidence = options.confidence ?? 0.95;
  let minTrl: number;
  if (srPerPeriod !== srPerPeriod) minTrl = NaN;
  else if (!(srPerPeriod > benchmarkSr)) minTrl = Infinity;
  else if (!(varianceFactor > 0)) minTrl = NaN;
  else {
    const z = normalQuantile(confidence) / (srPerPeriod - benchmarkSr);
    minTrl = 1 + varianceFactor * z * z;
  }

  const order = new OrderStatistics(buf, valid);
  let valueAtRisk = NaN;
  let cvar = NaN;
  let tail = NaN;
  if (valid > 0) {
    const left = order.quantile(0.05);
    const right = order.quantile(0.95);
    tail = Math.abs(right) / Math.abs(left);
    valueAtRisk = order.quantile(percentileFraction(cutoff));
    const k = Math.floor((valid - 1) * cutoff);
    cvar = order.sumOfSmallest(k) / (k + 1);
  }

  const metrics: ReturnMetrics = {
    periods: n,
    observations: valid,
    totalReturn: n === 0 ? NaN : growth - 1,
    annualReturn,
    annualVolatility: n < 2 ? NaN : stdR * sqrtAnn,
    sharpeRatio: n < 2 ? NaN : srPerPeriod * sqrtAnn,
    sortinoRatio: n < 2 ? NaN : ((countD === 0 ? NaN : sumD / countD) * ann) / downsideRisk,
    downsideRisk,
    maxDrawdown: mdd,
    calmarRatio: Number.isFinite(calmar) ? calmar : NaN,
    omegaRatio: n < 2 || threshold !== threshold || !(losses > 0) ? NaN : gains / losses,
    stabilityOfTimeseries:
      n < 2 || stabN < 2
        ? NaN
        : rSquared(((stabN - 1) * stabN * (stabN + 1)) / 12, stabSxy, stabSyy),
    tailRatio: tail,
    valueAtRisk,
    conditionalValueAtRisk: cvar,
    skew: skewFromMoments(momentsR, true),
    kurtosis: kurtosisFromMoments(momentsR, true, true),
    ulcerIndex: n < 1 ? NaN : Math.sqrt(ulcer / n),
    probabilisticSharpeRatio: psr,
    minimumTrackRecordLength: minTrl,
  };
  if (f !== null) {
    const a = all.result(ann);
    const u = up.result(ann);
    const d = down.result(ann);
    const te = countAct > 1 ? Math.sqrt(act2 / (countAct - 1)) : 0;
    const excessSharpe = n < 2 ? NaN : meanAct / te;
    metrics.benchmark = {
      alpha: a.alpha,
      beta: a.beta,
      upAlpha: u.alpha,
      upBeta: u.beta,
      downAlpha: d.alpha,
      downBeta: d.beta,
      excessSharpe,
      informationRatio: excessSharpe * sqrtAnn,
    };
  }
  return metrics;
}
