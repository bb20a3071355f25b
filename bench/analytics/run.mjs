#!/usr/bin/env node
// Benchmark of @tradewatch/analytics against numpy, on the same data in the same run.
//
// Generates 1,000,000 daily returns and benchmark returns with a seeded PRNG, writes them to a
// temporary float64 file, times allReturnMetrics from the BUILT library (best of 3 after a JIT
// warm-up), runs reference.py (numpy, empyrical's formulas, timed inside python) on the file,
// and checks that every metric agrees to 1e-9 relative. Prints a table and a last line
//   analytics: library X ms, numpy Y ms, ratio Z (target >= 1.0) PASS
// where ratio = numpy time / library time. Exits non-zero if a metric disagrees or the ratio
// misses the target. Build first: `npm run build` (or `npx tsc -b packages/analytics`).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const distEntry = join(here, '../../packages/analytics/dist/index.js');
if (!existsSync(distEntry)) {
  console.error(`analytics bench: ${distEntry} is missing; run \`npm run build\` first.`);
  process.exit(1);
}
const { allReturnMetrics } = await import(pathToFileURL(distEntry).href);

const N = Number(process.env.ANALYTICS_BENCH_N ?? 1_000_000);
const TOLERANCE = 1e-9;
const TARGET = 1.0;
const OPTIONS = {
  periodsPerYear: 252,
  riskFree: 0.00008, // ≈ 2% a year, per day
  requiredReturn: 0,
  omegaRequiredReturn: 0.05, // annual, as in empyrical
  cutoff: 0.05,
  benchmarkSr: 0.002, // per day, so the PSR is not saturated at 1
  confidence: 0.95,
};

// sfc32 (Chris Doty-Humphrey's small fast counter), seeded; 53-bit uniforms in (0, 1).
function sfc32(a, b, c, d) {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

function generate(n, seed) {
  const next = sfc32(0x9e3779b9, 0x243f6a88, 0xb7e15162, seed);
  for (let i = 0; i < 32; i++) next();
  const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6) + 0.5) / 9007199254740992;
  let spare = NaN;
  const normal = () => {
    if (spare === spare) {
      const z = spare;
      spare = NaN;
      return z;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  const returns = new Float64Array(n);
  const benchmark = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const market = 0.0002 + 0.01 * normal();
    // Market exposure, idiosyncratic noise and rare crashes: skewed, fat-tailed returns.
    const crash = uniform() < 0.005 ? -0.03 * (1 + uniform()) : 0;
    benchmark[i] = market;
    returns[i] = 0.000175 + 0.8 * market + 0.006 * normal() + crash;
  }
  // Missing data: the leading NaN of a pct_change, and a sprinkle in both series.
  returns[0] = NaN;
  for (let k = 0; k < n / 10_000; k++) returns[Math.floor(uniform() * n)] = NaN;
  for (let k = 0; k < n / 20_000; k++) benchmark[Math.floor(uniform() * n)] = NaN;
  return { returns, benchmark };
}

function flatten(metrics, prefix = '') {
  const out = {};
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'object' && value !== null) Object.assign(out, flatten(value, `${key}.`));
    else out[prefix + key] = value;
  }
  return out;
}

function relativeDifference(a, b) {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function fromJson(v) {
  if (v === null) return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}

const { returns, benchmark } = generate(N, 20240229);
const file = join(tmpdir(), `tradewatch-analytics-bench-${process.pid}.f64`);
const bytes = new Float64Array(2 * N);
bytes.set(returns, 0);
bytes.set(benchmark, N);
writeFileSync(file, new Uint8Array(bytes.buffer)); // typed arrays are little-endian on x86/arm

try {
  const options = { ...OPTIONS, factorReturns: benchmark };
  // Warm-up: V8 optimises each kernel after a number of calls (compiling on the other core), so
  // run it on a slice many times, then on the full data a few times.
  const slice = { ...options, factorReturns: benchmark.subarray(0, 100_000) };
  for (let run = 0; run < 20; run++) allReturnMetrics(returns.subarray(0, 100_000), slice);
  for (let run = 0; run < 3; run++) allReturnMetrics(returns, options);
  let libraryMs = Infinity;
  let library;
  for (let run = 0; run < 3; run++) {
    const t0 = process.hrtime.bigint();
    library = allReturnMetrics(returns, options);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < libraryMs) libraryMs = ms;
  }

  const python = spawnSync(
    process.env.PYTHON ?? 'python3',
    [join(here, 'reference.py'), file, String(N), JSON.stringify(OPTIONS)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (python.status !== 0) {
    console.error(`analytics bench: reference.py failed (status ${python.status}).`);
    console.error(python.error?.message ?? python.stderr);
    process.exit(1);
  }
  const reference = JSON.parse(python.stdout);
  const numpyMs = reference.bestMs;

  const ours = flatten(library);
  const rows = [];
  let disagreements = 0;
  for (const [name, raw] of Object.entries(reference.metrics)) {
    const expected = fromJson(raw);
    const actual = ours[name];
    const diff = actual === undefined ? Infinity : relativeDifference(actual, expected);
    const ok = diff <= TOLERANCE;
    if (!ok) disagreements++;
    rows.push([name, actual, expected, diff, ok]);
  }

  const fmt = (v) => (v === undefined ? 'missing' : Number(v).toPrecision(12));
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(
    `analytics bench: ${N.toLocaleString('en-US')} daily returns, numpy ${reference.numpy}, node ${process.version}`,
  );
  console.log(
    `${'metric'.padEnd(width)}  ${'library'.padStart(20)}  ${'numpy'.padStart(20)}  rel.diff`,
  );
  for (const [name, actual, expected, diff, ok] of rows) {
    console.log(
      `${name.padEnd(width)}  ${fmt(actual).padStart(20)}  ${fmt(expected).padStart(20)}  ${diff.toExponential(1).padStart(8)}${ok ? '' : '  DISAGREES'}`,
    );
  }
  if (disagreements > 0) {
    console.error(
      `analytics bench: ${disagreements} metric(s) differ from numpy by more than ${TOLERANCE} relative.`,
    );
  }
  const ratio = numpyMs / libraryMs;
  const pass = disagreements === 0 && ratio >= TARGET;
  console.log(
    `analytics: library ${libraryMs.toFixed(1)} ms, numpy ${numpyMs.toFixed(1)} ms, ratio ${ratio.toFixed(2)} (target >= ${TARGET.toFixed(1)}) ${pass ? 'PASS' : 'FAIL'}`,
  );
  process.exitCode = pass ? 0 : 1;
} finally {
  rmSync(file, { force: true });
}
