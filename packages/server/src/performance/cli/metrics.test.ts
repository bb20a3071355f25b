import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allReturnMetrics, sharpeRatio } from '@tradewatch/analytics';
import { describe, expect, it } from 'vitest';
import { computeMetrics, metricsJson, metricsText, UsageError } from './metrics.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-metrics-'));
function file(name: string, content: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
}
const returns = file('r.json', '[0.01, 0.02, null, -0.01, 0.015]');

describe('tradewatch metrics', () => {
  it('prints every return metric of a returns file, missing periods skipped', () => {
    const result = computeMetrics({ returns });
    expect(result.metrics).toEqual(allReturnMetrics([0.01, 0.02, NaN, -0.01, 0.015]));
    const text = metricsText(result);
    expect(text).toContain('Return metrics (daily, 252 periods a year)');
    expect(text).toMatch(/Sharpe ratio\s+10\.5/);
    expect(text).toMatch(/Observations \(not missing\)\s+4/);
    expect(text).not.toContain('Beta');
  });

  it('takes the period, rates, cutoff and a benchmark', () => {
    const bench = file('b.json', '[0.005, 0.01, 0.0, -0.02, 0.01]');
    const result = computeMetrics({
      returns,
      benchmark: bench,
      period: 'monthly',
      riskFree: '0.001',
      requiredReturn: '0.002',
      cutoff: '0.1',
    });
    expect(result.metrics.sharpeRatio).toBeCloseTo(
      sharpeRatio([0.01, 0.02, NaN, -0.01, 0.015], { period: 'monthly', riskFree: 0.001 }),
      14,
    );
    expect(result.metrics.benchmark?.beta).toBeTypeOf('number');
    expect(metricsText(result)).toContain('Beta');
    const json = JSON.parse(metricsJson(result)) as Record<string, unknown>;
    expect(json.period).toBe('monthly');
    expect(json.benchmark).toHaveProperty('informationRatio');
  });

  it('prints undefined statistics as null in JSON', () => {
    const one = file('one.json', '[0.01]');
    const json = JSON.parse(metricsJson(computeMetrics({ returns: one, json: true }))) as Record<
      string,
      unknown
    >;
    expect(json.sharpeRatio).toBeNull();
    expect(json.periods).toBe(1);
  });

  it.each([
    [
      'a missing file',
      { returns: path.join(dir, 'nope.json') },
      /nope\.json: cannot read \(no such file\)/,
    ],
    [
      'a directory',
      { returns: (mkdirSync(path.join(dir, 'd')), path.join(dir, 'd')) },
      /is a directory/,
    ],
    ['text that is not JSON', { returns: file('bad.json', '[0.01,') }, /bad\.json: not valid JSON/],
    [
      'an object',
      { returns: file('obj.json', '{"returns": [0.01]}') },
      /expected a JSON array of returns .* got an object/,
    ],
    [
      'a string element',
      { returns: file('str.json', '[0.01, "0.02"]') },
      /element 1 is the string "0\.02"; expected a number/,
    ],
    ['a boolean element', { returns: file('bool.json', '[true]') }, /element 0 is true/],
    [
      'a misaligned benchmark',
      { returns, benchmark: file('short.json', '[0.01]') },
      /1 benchmark returns for 5 returns/,
    ],
    [
      'an unknown period',
      { returns, period: 'hourly' },
      /--period: expected one of daily, weekly, monthly, quarterly, yearly, got "hourly"/,
    ],
    [
      'a rate that is not a number',
      { returns, riskFree: '2%' },
      /--risk-free: expected a number, got "2%"/,
    ],
    [
      'a cutoff outside (0, 1)',
      { returns, cutoff: '5' },
      /--cutoff: expected a tail probability between 0 and 1, got 5/,
    ],
  ])('rejects %s with a message naming the problem', (_name, options, message) => {
    expect(() => computeMetrics(options)).toThrow(UsageError);
    expect(() => computeMetrics(options)).toThrow(message);
  });
});
