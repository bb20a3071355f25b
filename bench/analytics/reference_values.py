"""Regenerates the reference values that packages/analytics/src/*.test.ts quote as literals
where empyrical's own test suite has none (skew/kurtosis variants, ulcer index, PSR/DSR/MinTRL,
normal quantiles, VaR/CVaR on a fixed sample). Needs numpy and scipy:

    python3 bench/analytics/reference_values.py
"""
import math

import numpy as np
from scipy import stats

nan = np.nan
mixed = np.array([nan, 1.0, 10.0, -4.0, 2.0, 3.0, 2.0, 1.0, -10.0]) / 100
clean = mixed[~np.isnan(mixed)]


def show(label, value):
    print(f"{label}: {value!r}")


print("# moments of empyrical's mixed_returns (NaN dropped), scipy", stats.__name__)
show("skew bias=True", float(stats.skew(clean)))
show("skew bias=False", float(stats.skew(clean, bias=False)))
show("kurtosis fisher=True bias=True", float(stats.kurtosis(clean)))
show("kurtosis fisher=False bias=True", float(stats.kurtosis(clean, fisher=False)))
show("kurtosis fisher=True bias=False", float(stats.kurtosis(clean, bias=False)))

print("# ulcer index (RMS of empyrical's drawdown_series, start value 100)")
out = np.concatenate([[100.0], 100 * np.cumprod(1 + np.nan_to_num(mixed))])
peak = np.fmax.accumulate(out)
dd = ((out - peak) / peak)[1:]
show("underwater", dd.tolist())
show("ulcer", float(np.sqrt(np.mean(dd**2))))

print("# PSR / MinTRL of mixed_returns: per-period SR, biased skew, biased raw kurtosis")
sr = clean.mean() / clean.std(ddof=1)
g3 = stats.skew(clean)
g4 = stats.kurtosis(clean, fisher=False)
n = len(clean)
show("sr", float(sr))
show("psr(0)", float(stats.norm.cdf(sr * math.sqrt(n - 1) / math.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2))))
show("mintrl(0, 0.95)", float(1 + (1 - g3 * sr + (g4 - 1) / 4 * sr**2) * (stats.norm.ppf(0.95) / sr) ** 2))

print("# Bailey & Lopez de Prado (2012), appendix PSR class example")
mu, sigma, skew, kurt = 1.5, 12**0.5, -0.72, 5.78
sr, sr_ref, obs, prob = mu / sigma, 1 / 12**0.5, 59.895, 0.95
for moments, (s3, s4) in ((2, (0, 3)), (3, (skew, 3)), (4, (skew, kurt))):
    f = 1 - sr * s3 + sr**2 * (s4 - 1) / 4.0
    show(f"PSR({moments}m)", float(stats.norm.cdf((sr - sr_ref) * (obs - 1) ** 0.5 / f**0.5)))
    show(f"minTRL({moments}m)", float(1 + f * (stats.norm.ppf(prob) / (sr - sr_ref)) ** 2))

print("# Bailey & Lopez de Prado (2014), numerical example of the DSR")
emc = 0.5772156649015329
N, V = 100, 0.5 / 250
sr0 = math.sqrt(V) * ((1 - emc) * stats.norm.ppf(1 - 1 / N) + emc * stats.norm.ppf(1 - 1 / (N * math.e)))
sr = 2.5 / math.sqrt(250)
show("SR0", float(sr0))
show("SR0 annualised", float(sr0 * math.sqrt(250)))
show("DSR", float(stats.norm.cdf((sr - sr0) * math.sqrt(1250 - 1) / math.sqrt(1 + 3 * sr + 9 / 4 * sr**2))))

print("# normal distribution")
for p in (1e-300, 1e-10, 0.001, 0.025, 0.05, 0.3, 0.5, 0.95, 0.975, 0.999999):
    show(f"ppf({p})", float(stats.norm.ppf(p)))
for x in (-40, -10, -5, -3, -2.5, -1, 0, 0.5, 1.6448536269514722, 3, 8):
    show(f"cdf({x})", float(stats.norm.cdf(x)))

print("# VaR / CVaR / tail ratio of a fixed sample (np.percentile, empyrical CVaR)")
sample = np.array([0.012, -0.034, 0.005, -0.021, 0.018, -0.002, 0.027, -0.045, 0.009, 0.001,
                   -0.013, 0.022, -0.008, 0.031, -0.017, 0.004, -0.026, 0.015, 0.0, -0.039, 0.011])
for c in (0.0, 0.0499, 0.05, 0.2, 0.999, 1.0):
    var = np.percentile(sample, 100 * c)
    k = int((len(sample) - 1) * c)
    cvar = np.mean(np.partition(sample, k)[: k + 1])
    show(f"cutoff {c}", (float(var), float(cvar), float(np.mean(sample[sample <= var]))))
show("tail ratio", float(abs(np.percentile(sample, 95)) / abs(np.percentile(sample, 5))))
