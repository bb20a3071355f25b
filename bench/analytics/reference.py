"""numpy reference for bench/analytics/run.mjs.

Computes the metrics of allReturnMetrics the way empyrical does — one vectorised function per
metric, numpy's nan-aware reductions, np.percentile/np.partition for the tails, scipy's moment
formulas — on the float64 file the benchmark wrote, and prints JSON with the metrics and the best
of 3 timings of the computation alone (after one warm-up run).

    python3 reference.py FILE N OPTIONS_JSON

FILE holds 2·N little-endian float64: N returns, then N benchmark returns. Only numpy is needed
(the normal CDF and quantile come from the standard library). Two deliberate departures from a
literal port, both shared with the library: VaR and CVaR drop NaN (empyrical would return NaN),
and omega sums with np.sum rather than Python's built-in sum, which would be unfairly slow.
"""
import json
import math
import sys
import time
from statistics import NormalDist

import numpy as np


def cum_returns_final(r):
    return np.nanprod(r + 1) - 1


def annual_return(r, ann):
    return np.nanprod(r + 1) ** (1 / (len(r) / ann)) - 1


def annual_volatility(r, ann):
    return np.nanstd(r, ddof=1) * ann**0.5


def sharpe_ratio(r, rf, ann):
    adj = r - rf
    return np.nanmean(adj) / np.nanstd(adj, ddof=1) * np.sqrt(ann)


def downside_risk(r, req, ann):
    d = np.clip(r - req, -np.inf, 0)
    return np.sqrt(np.nanmean(np.square(d))) * np.sqrt(ann)


def sortino_ratio(r, req, ann):
    return np.nanmean(r - req) * ann / downside_risk(r, req, ann)


def drawdown_series(r):
    out = np.empty(len(r) + 1)
    out[0] = 100
    out[1:] = np.where(np.isnan(r), 0.0, r) + 1
    np.cumprod(out[1:], out=out[1:])
    out[1:] *= 100
    peak = np.fmax.accumulate(out)
    return ((out - peak) / peak)[1:]


def max_drawdown(r):
    return np.nanmin(drawdown_series(r))


def calmar_ratio(r, ann):
    mdd = max_drawdown(r)
    if not mdd < 0:
        return np.nan
    v = annual_return(r, ann) / abs(mdd)
    return np.nan if np.isinf(v) else v


def omega_ratio(r, rf, required, ann):
    threshold = required if ann == 1 else (1 + required) ** (1 / ann) - 1
    x = r - rf - threshold
    gains = np.sum(x[x > 0])
    losses = -np.sum(x[x < 0])
    return gains / losses if losses > 0 else np.nan


def stability_of_timeseries(r):
    y = np.cumsum(np.log1p(r[~np.isnan(r)]))
    x = np.arange(len(y), dtype=float)
    dx = x - x.mean()
    dy = y - y.mean()
    den = np.sqrt(np.mean(dx * dx) * np.mean(dy * dy))
    rho = 0.0 if den == 0 else min(1.0, max(-1.0, np.mean(dx * dy) / den))
    return rho**2


def tail_ratio(r):
    c = r[~np.isnan(r)]
    return abs(np.percentile(c, 95)) / abs(np.percentile(c, 5))


def value_at_risk(r, cutoff):
    return np.percentile(r[~np.isnan(r)], 100 * cutoff)


def conditional_value_at_risk(r, cutoff):
    c = r[~np.isnan(r)]
    k = int((len(c) - 1) * cutoff)
    return np.mean(np.partition(c, k)[: k + 1])


def moments(r):
    c = r[~np.isnan(r)]
    d = c - c.mean()
    d2 = d * d
    return c.mean(), d2.mean(), (d2 * d).mean(), (d2 * d2).mean()


def skew(r):
    mean, m2, m3, _ = moments(r)
    return np.nan if m2 <= (np.finfo(float).eps * mean) ** 2 else m3 / m2**1.5


def kurtosis(r, fisher=True):
    mean, m2, _, m4 = moments(r)
    k = np.nan if m2 <= (np.finfo(float).eps * mean) ** 2 else m4 / m2**2
    return k - 3 if fisher else k


def ulcer_index(r):
    dd = drawdown_series(r)
    return np.sqrt(np.mean(dd * dd))


def psr_and_mintrl(r, rf, benchmark_sr, confidence):
    adj = r - rf
    sr = np.nanmean(adj) / np.nanstd(adj, ddof=1)
    n = np.count_nonzero(~np.isnan(adj))
    factor = 1 - skew(adj) * sr + (kurtosis(adj, fisher=False) - 1) / 4 * sr**2
    z = (sr - benchmark_sr) * math.sqrt(n - 1) / math.sqrt(factor)
    psr = 0.5 * math.erfc(-z / math.sqrt(2))
    # No track record is long enough when the observed SR does not beat the benchmark.
    if not sr > benchmark_sr:
        return psr, math.inf
    mintrl = 1 + factor * (NormalDist().inv_cdf(confidence) / (sr - benchmark_sr)) ** 2
    return psr, mintrl


def beta_aligned(r, f):
    independent = np.where(np.isnan(r), np.nan, f)
    residual = independent - np.nanmean(independent)
    covariance = np.nanmean(residual * r)
    variance = np.nanmean(residual * residual)
    return np.nan if variance < 1e-30 else covariance / variance


def alpha_beta_aligned(r, f, rf, ann):
    if len(r) < 2:
        return np.nan, np.nan
    b = beta_aligned(r, f)
    alpha_series = (r - rf) - b * (f - rf)
    return (np.nanmean(alpha_series) + 1) ** ann - 1, b


def excess_sharpe(r, f):
    active = r - f
    te = np.nan_to_num(np.nanstd(active, ddof=1))
    return np.nanmean(active) / te


def compute(r, f, o):
    ann, rf, req = o["periodsPerYear"], o["riskFree"], o["requiredReturn"]
    cutoff = o["cutoff"]
    psr, mintrl = psr_and_mintrl(r, rf, o["benchmarkSr"], o["confidence"])
    alpha, beta = alpha_beta_aligned(r, f, rf, ann)
    up = f > 0
    up_alpha, up_beta = alpha_beta_aligned(r[up], f[up], rf, ann)
    down = f < 0
    down_alpha, down_beta = alpha_beta_aligned(r[down], f[down], rf, ann)
    es = excess_sharpe(r, f)
    return {
        "totalReturn": cum_returns_final(r),
        "annualReturn": annual_return(r, ann),
        "annualVolatility": annual_volatility(r, ann),
        "sharpeRatio": sharpe_ratio(r, rf, ann),
        "sortinoRatio": sortino_ratio(r, req, ann),
        "downsideRisk": downside_risk(r, req, ann),
        "maxDrawdown": max_drawdown(r),
        "calmarRatio": calmar_ratio(r, ann),
        "omegaRatio": omega_ratio(r, rf, o["omegaRequiredReturn"], ann),
        "stabilityOfTimeseries": stability_of_timeseries(r),
        "tailRatio": tail_ratio(r),
        "valueAtRisk": value_at_risk(r, cutoff),
        "conditionalValueAtRisk": conditional_value_at_risk(r, cutoff),
        "skew": skew(r),
        "kurtosis": kurtosis(r),
        "ulcerIndex": ulcer_index(r),
        "probabilisticSharpeRatio": psr,
        "minimumTrackRecordLength": mintrl,
        "benchmark.alpha": alpha,
        "benchmark.beta": beta,
        "benchmark.upAlpha": up_alpha,
        "benchmark.upBeta": up_beta,
        "benchmark.downAlpha": down_alpha,
        "benchmark.downBeta": down_beta,
        "benchmark.excessSharpe": es,
        "benchmark.informationRatio": es * np.sqrt(ann),
    }


def main():
    path, n, options = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    data = np.fromfile(path, dtype="<f8")
    if data.size != 2 * n:
        sys.exit(f"expected {2 * n} float64 values in {path}, found {data.size}")
    r, f = data[:n], data[n:]
    with np.errstate(all="ignore"):
        metrics = compute(r, f, options)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            compute(r, f, options)
            times.append((time.perf_counter() - t0) * 1000)
    # JSON has no NaN or Infinity: NaN becomes null, infinities the strings JS would print.
    out = {
        k: None if np.isnan(v) else float(v) if np.isfinite(v) else ("Infinity" if v > 0 else "-Infinity")
        for k, v in metrics.items()
    }
    print(json.dumps({"numpy": np.__version__, "bestMs": min(times), "metrics": out}))


if __name__ == "__main__":
    main()
