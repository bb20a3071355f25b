import { describe, expect, it } from 'vitest';
import { ingestEvent, parseWireTime } from './index.js';

describe('protocol: wire times', () => {
  it('accepts ISO 8601 with an offset and epoch milliseconds', () => {
    expect(parseWireTime('2026-01-02T15:04:05Z')).toBe(Date.UTC(2026, 0, 2, 15, 4, 5));
    expect(parseWireTime('2026-01-02T10:04:05-05:00')).toBe(Date.UTC(2026, 0, 2, 15, 4, 5));
    expect(parseWireTime(Date.UTC(2026, 0, 2))).toBe(Date.UTC(2026, 0, 2));
  });

  it('refuses times without an offset, garbage and absurd epochs', () => {
    expect(parseWireTime('2026-01-02T15:04:05')).toBeUndefined();
    expect(parseWireTime('yesterday')).toBeUndefined();
    expect(parseWireTime(1_700_000_000)).toBeUndefined(); // seconds, not ms
    expect(parseWireTime(Number.NaN)).toBeUndefined();
  });
});

describe('protocol: ingest events', () => {
  it('parses a fill, applies the fee default and drops unknown fields', () => {
    const parsed = ingestEvent.parse({
      type: 'fill',
      id: 'f1',
      bot: 'b1',
      ts: '2026-01-02T15:04:05Z',
      symbol: 'AAPL',
      side: 'buy',
      qty: 10,
      price: 101.5,
      surprise: 'dropped',
    });
    expect(parsed).toEqual({
      type: 'fill',
      id: 'f1',
      bot: 'b1',
      ts: Date.UTC(2026, 0, 2, 15, 4, 5),
      symbol: 'AAPL',
      side: 'buy',
      qty: 10,
      price: 101.5,
      fee: 0,
    });
  });

  it('names the field of a zero quantity and of a string price', () => {
    const result = ingestEvent.safeParse({
      type: 'fill',
      id: 'f1',
      bot: 'b1',
      ts: 1_767_366_245_000,
      symbol: 'AAPL',
      side: 'buy',
      qty: 0,
      price: '101',
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['price', 'qty']);
  });

  it('keeps symbols with unicode, quotes and markup verbatim', () => {
    const symbol = `<script>alert("x")</script> 'Ω'`;
    const parsed = ingestEvent.parse({
      type: 'mark',
      bot: 'b',
      ts: 1_767_366_245_000,
      symbol,
      price: 1,
    });
    expect(parsed.type === 'mark' && parsed.symbol).toBe(symbol);
  });
});
