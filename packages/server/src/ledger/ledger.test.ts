import { describe, expect, it } from 'vitest';
import {
  ONE,
  applyFill,
  decFromString,
  decToNumber,
  decToString,
  emptyState,
  foldPrice,
  needsReplay,
  positionFigures,
  replay,
  tradeId,
  tripMetrics,
  type Dec,
  type FillEffect,
  type KeyState,
  type LedgerFill,
  type LedgerKey,
  type Side,
  type Trip,
} from './index.js';

const d = decFromString;
const str = decToString;
const key: LedgerKey = { account: 'acc', bot: 'bot', symbol: 'SYM' };

/** [side, qty, price, fee] with fills one second apart, ids f1, f2, … */
type Row = [Side, string, string, string];

function fills(rows: Row[], strategy: string | null = null): LedgerFill[] {
  return rows.map(([side, qty, price, fee], i) => ({
    seq: i + 1,
    id: `f${i + 1}`,
    ts: 1_000 * (i + 1),
    side,
    qty: d(qty),
    price: d(price),
    fee: d(fee),
    strategy,
  }));
}

interface Run {
  state: KeyState;
  effects: FillEffect[];
  closed: Trip[];
  opened: Trip[];
}

function run(rows: Row[], multiplier: Dec = ONE): Run {
  let state = emptyState(key, multiplier);
  const out: Run = { state, effects: [], closed: [], opened: [] };
  for (const fill of fills(rows)) {
    const r = applyFill(state, fill);
    state = r.state;
    out.effects.push(r.effect);
    if (r.closed) out.closed.push(r.closed);
    if (r.opened) out.opened.push(r.opened);
  }
  out.state = state;
  return out;
}

/** The money fields of an effect as strings: gross, fee charged, net, position after. */
function money(e: FillEffect): [string, string, string, string] {
  return [str(e.realizedGross), str(e.feeCharged), str(e.realizedNet), str(e.positionAfter)];
}

describe('ledger: worked scenarios (hand-computed)', () => {
  const scenarios: {
    name: string;
    rows: Row[];
    multiplier?: string;
    effects: [string, string, string, string][];
    totals: { gross: string; net: string; fees: string };
  }[] = [
    {
      name: 'closes FIFO across two long lots, charging the opening fee pro rata',
      rows: [
        ['buy', '10', '100', '1'],
        ['buy', '10', '110', '1'],
        // lot 1: +20×10 = 200, fee 1; lot 2: +10×5 = 50, fee 1×5/10 = 0.5; own fee 1.5
        ['sell', '15', '120', '1.5'],
        // lot 2 rest: −5×5 = −25, fee 0.5; own fee 0.5
        ['sell', '5', '105', '0.5'],
      ],
      effects: [
        ['0', '0', '0', '10'],
        ['0', '0', '0', '20'],
        ['250', '3', '247', '5'],
        ['-25', '1', '-26', '0'],
      ],
      totals: { gross: '225', net: '221', fees: '4' },
    },
    {
      name: 'opens a short and covers it in two parts',
      rows: [
        ['sell', '5', '200', '0.5'],
        // (200 − 190)×2 = 20; lot fee 0.5×2/5 = 0.2 + own 0.2
        ['buy', '2', '190', '0.2'],
        // (200 − 210)×3 = −30; lot fee 0.3 + own 0.3
        ['buy', '3', '210', '0.3'],
      ],
      effects: [
        ['0', '0', '0', '-5'],
        ['20', '0.4', '19.6', '-3'],
        ['-30', '0.6', '-30.6', '0'],
      ],
      totals: { gross: '-10', net: '-11', fees: '1' },
    },
    {
      name: 'flips long to short, then covers the short',
      rows: [
        ['buy', '10', '100', '2'],
        // closes 10 of 25: own fee 5×10/25 = 2 charged, 3 joins the new short lot
        ['sell', '25', '110', '5'],
        // (110 − 100)×15 = 150; lot fee 3 + own 1.5
        ['buy', '15', '100', '1.5'],
      ],
      effects: [
        ['0', '0', '0', '10'],
        ['100', '4', '96', '-15'],
        ['150', '4.5', '145.5', '0'],
      ],
      totals: { gross: '250', net: '241.5', fees: '8.5' },
    },
    {
      name: 'applies a futures multiplier of 50 to P&L',
      multiplier: '50',
      rows: [
        ['buy', '2', '4500.25', '4.2'],
        // 10.5 × 2 × 50 = 1050
        ['sell', '2', '4510.75', '4.2'],
      ],
      effects: [
        ['0', '0', '0', '2'],
        ['1050', '8.4', '1041.6', '0'],
      ],
      totals: { gross: '1050', net: '1041.6', fees: '8.4' },
    },
    {
      name: 'closes partially across several lots',
      rows: [
        ['buy', '3', '10', '0.3'],
        ['buy', '4', '11', '0.4'],
        ['buy', '5', '12', '0.5'],
        // lot 1: 3×2 = 6, fee 0.3×2/3 = 0.2; own 0.1
        ['sell', '2', '13', '0.1'],
        // lot 1 rest 4×1, fee 0.1; lot 2 3×4 = 12, fee 0.4; lot 3 2×1, fee 0.1; own 0.3
        ['sell', '6', '14', '0.3'],
        // lot 3 rest −3×4 = −12, fee 0.4; own 0.2
        ['sell', '4', '9', '0.2'],
      ],
      effects: [
        ['0', '0', '0', '3'],
        ['0', '0', '0', '7'],
        ['0', '0', '0', '12'],
        ['6', '0.3', '5.7', '10'],
        ['18', '0.9', '17.1', '4'],
        ['-12', '0.6', '-12.6', '0'],
      ],
      totals: { gross: '12', net: '10.2', fees: '1.8' },
    },
    {
      name: 'keeps 0.1 + 0.2 exact, so the position ends exactly flat',
      rows: [
        ['buy', '0.1', '1', '0'],
        ['buy', '0.2', '1', '0'],
        ['sell', '0.3', '1.1', '0'],
      ],
      effects: [
        ['0', '0', '0', '0.1'],
        ['0', '0', '0', '0.3'],
        ['0.03', '0', '0.03', '0'],
      ],
      totals: { gross: '0.03', net: '0.03', fees: '0' },
    },
    {
      name: 'prices a crypto fill of 0.00012345 at 43123.45 exactly',
      rows: [
        ['buy', '0.00012345', '43123.45', '0.01'],
        // 0.00012345 × (44000 − 43123.45) = 0.1082100975
        ['sell', '0.00012345', '44000', '0.01'],
      ],
      effects: [
        ['0', '0', '0', '0.00012345'],
        ['0.1082100975', '0.02', '0.0882100975', '0'],
      ],
      totals: { gross: '0.1082100975', net: '0.0882100975', fees: '0.02' },
    },
  ];

  it.each(scenarios)('$name', ({ rows, multiplier, effects, totals }) => {
    const r = run(rows, multiplier === undefined ? ONE : d(multiplier));
    expect(r.effects.map(money)).toEqual(effects);
    expect(str(r.state.realizedGross)).toBe(totals.gross);
    expect(str(r.state.realizedNet)).toBe(totals.net);
    expect(str(r.state.feesPaid)).toBe(totals.fees);
    expect(str(r.state.feesCharged)).toBe(totals.fees);
    expect(r.state.lots).toEqual([]);
    expect(r.state.trip).toBeNull();
  });

  it('describes the closed round trip of FIFO closes across two lots', () => {
    const r = run([
      ['buy', '10', '100', '1'],
      ['buy', '10', '110', '1'],
      ['sell', '15', '120', '1.5'],
      ['sell', '5', '105', '0.5'],
    ]);
    expect(r.closed).toHaveLength(1);
    expect(r.opened).toHaveLength(1);
    const trip = r.closed[0]!;
    expect(trip).toEqual({
      id: tradeId(key, 'f1'),
      account: 'acc',
      bot: 'bot',
      symbol: 'SYM',
      strategy: null,
      direction: 'long',
      status: 'closed',
      qty: d('20'),
      openQty: 0n,
      entryTs: 1_000,
      exitTs: 4_000,
      lastTs: 4_000,
      entryValue: d('2100'),
      exitQty: d('20'),
      exitValue: d('2325'),
      gross: d('225'),
      fees: d('4'),
      net: d('221'),
      minPrice: d('100'),
      maxPrice: d('120'),
      fillCount: 4,
    });
    expect(r.state.tradesClosed).toBe(1);
    const m = tripMetrics(trip, ONE);
    expect(str(m.avgEntry)).toBe('105');
    expect(str(m.avgExit!)).toBe('116.25');
    expect(m.returnPct).toBeCloseTo((221 / 2100) * 100, 12);
    expect(m.durationS).toBe(3);
    expect(str(m.mae)).toBe('-100'); // (100 − 105) × 20
    expect(str(m.mfe)).toBe('300'); // (120 − 105) × 20
    expect(m.maePct).toBeCloseTo((-5 / 105) * 100, 12);
    expect(m.mfePct).toBeCloseTo((15 / 105) * 100, 12);
  });

  it('keeps the open trip current while it is partly closed', () => {
    const r = run([
      ['buy', '10', '100', '1'],
      ['buy', '10', '110', '1'],
      ['sell', '15', '120', '1.5'],
    ]);
    const trip = r.state.trip!;
    expect(trip.status).toBe('open');
    expect(str(trip.openQty)).toBe('5');
    expect(str(trip.gross)).toBe('250');
    expect(str(trip.fees)).toBe('3.5'); // opening 1 + 1, closing 1.5
    expect(str(trip.net)).toBe('247'); // only the 3 charged so far
    expect(trip.exitTs).toBeNull();
    expect(r.state.lots).toEqual([
      { fillId: 'f2', seq: 2, ts: 2_000, qty: d('5'), price: d('110'), fee: d('0.5') },
    ]);
    const m = tripMetrics(trip, ONE);
    expect(m.returnPct).toBeNull();
    expect(m.durationS).toBeNull();
    expect(str(m.avgExit!)).toBe('120');
    expect(tripMetrics(run([['buy', '1', '5', '0']]).state.trip!, ONE).avgExit).toBeNull();
  });

  it("splits a flipping fill's fee closed:opened by quantity", () => {
    const r = run([
      ['buy', '10', '100', '2'],
      ['sell', '25', '110', '5'],
    ]);
    const [, flip] = r.effects;
    expect(flip!.tradeId).toBe(tradeId(key, 'f1'));
    expect(flip!.nextTradeId).toBe(tradeId(key, 'f2'));
    const ended = r.closed[0]!;
    expect(ended.status).toBe('closed');
    expect(ended.exitTs).toBe(2_000);
    expect(str(ended.fees)).toBe('4'); // opening 2 + closing part 2
    expect(str(ended.net)).toBe('96');
    expect(ended.fillCount).toBe(2);
    const next = r.opened[1]!;
    expect(r.state.trip).toEqual(next);
    expect(next).toMatchObject({
      id: tradeId(key, 'f2'),
      direction: 'short',
      status: 'open',
      entryTs: 2_000,
      fillCount: 1,
      qty: d('15'),
      openQty: d('15'),
      entryValue: d('1650'),
      fees: d('3'),
      net: 0n,
      gross: 0n,
      minPrice: d('110'),
      maxPrice: d('110'),
    });
    expect(r.state.lots).toEqual([
      { fillId: 'f2', seq: 2, ts: 2_000, qty: d('15'), price: d('110'), fee: d('3') },
    ]);
  });

  it('keeps the fee split exact when the pro-rata share does not divide', () => {
    const r = run([
      ['buy', '1', '10', '0'],
      ['sell', '3', '10', '1'],
      ['buy', '2', '10', '0'],
    ]);
    expect(str(r.effects[1]!.feeCharged)).toBe('0.333333333333333333');
    expect(str(r.effects[2]!.feeCharged)).toBe('0.666666666666666667');
    expect(r.state.feesCharged).toBe(d('1'));
  });

  it('loses nothing when a flip splits a fee exactly on a half unit', () => {
    // 1e-18 split 1:1 is half a unit each way; rounding both halves would drop it.
    const r = run([
      ['buy', '1', '10', '0'],
      ['sell', '2', '10', '0.000000000000000001'],
      ['buy', '1', '10', '0'],
    ]);
    expect(r.effects[1]!.feeCharged + r.effects[2]!.feeCharged).toBe(1n);
    expect(r.state.feesCharged).toBe(r.state.feesPaid);
  });

  it('charges a lot its whole remaining fee when it closes, whatever the rounding before', () => {
    const r = run([
      ['buy', '3', '10', '1'],
      ['sell', '1', '10', '0'], // 1/3 of the fee: rounds to …333
      ['sell', '1', '10', '0'], // …333 of the remaining …667 × 1/2 → half-even …334
      ['sell', '1', '10', '0'], // what is left
    ]);
    const charged = r.effects.slice(1).map((e) => str(e.feeCharged));
    expect(charged).toEqual([
      '0.333333333333333333',
      '0.333333333333333334',
      '0.333333333333333333',
    ]);
    expect(r.state.feesCharged).toBe(d('1'));
    expect(r.state.realizedNet).toBe(-d('1'));
  });

  it('values an open futures position at a mark, with the multiplier', () => {
    const r = run([['buy', '2', '4500.25', '4.2']], d('50'));
    const p = positionFigures(r.state, d('4505'));
    expect(p).toEqual({
      qty: d('2'),
      avgPrice: d('4500.25'),
      costBasis: d('450029.2'), // 4500.25 × 2 × 50 + 4.2
      marketValue: d('450500'),
      unrealized: d('470.8'), // 4.75 × 2 × 50 − 4.2
      openFees: d('4.2'),
    });
    // With no mark: the last fill price.
    expect(str(positionFigures(r.state, null).unrealized)).toBe('-4.2');
    const closed = run(
      [
        ['buy', '2', '4500.25', '4.2'],
        ['sell', '2', '4510.75', '4.2'],
      ],
      d('50'),
    ).closed[0]!;
    const m = tripMetrics(closed, d('50'));
    expect(m.returnPct).toBeCloseTo((1041.6 / 450025) * 100, 12);
    expect(str(m.mfe)).toBe('1050'); // 10.5 × 2 × 50
    expect(str(m.mae)).toBe('0');
  });

  it('values a short position with its sign and reversed P&L', () => {
    const r = run([
      ['sell', '3', '200', '0.3'],
      ['sell', '1', '220', '0.1'],
    ]);
    const p = positionFigures(r.state, d('190'));
    expect(p).toEqual({
      qty: d('-4'),
      avgPrice: d('205'),
      costBasis: d('820.4'),
      marketValue: d('-760'),
      unrealized: d('59.6'), // (200 − 190)×3 + (220 − 190)×1 − 0.4
      openFees: d('0.4'),
    });
    expect(positionFigures(emptyState(key, ONE), d('1'))).toEqual({
      qty: 0n,
      avgPrice: 0n,
      costBasis: 0n,
      marketValue: 0n,
      unrealized: 0n,
      openFees: 0n,
    });
  });

  it('measures MAE and MFE of a short from the price extremes', () => {
    const r = run([
      ['sell', '5', '200', '0.5'],
      ['buy', '2', '190', '0.2'],
      ['buy', '3', '210', '0.3'],
    ]);
    const m = tripMetrics(r.closed[0]!, ONE);
    expect(str(m.mae)).toBe('-50'); // (200 − 210) × 5
    expect(str(m.mfe)).toBe('50'); // (200 − 190) × 5
    expect(m.maePct).toBe(-5);
    expect(m.mfePct).toBe(5);
    expect(m.returnPct).toBeCloseTo(-1.1, 12);
    expect(decToNumber(r.closed[0]!.net, 2)).toBe(-11);
  });

  it('widens an open trip with folded marks and leaves a closed one alone', () => {
    const trip = run([['buy', '1', '100', '0']]).state.trip!;
    expect(foldPrice(trip, d('100'))).toBe(trip);
    const wider = foldPrice(foldPrice(trip, d('90')), d('120'));
    expect([str(wider.minPrice), str(wider.maxPrice)]).toEqual(['90', '120']);
    expect(str(trip.minPrice)).toBe('100');
    expect(str(tripMetrics(wider, ONE).mae)).toBe('-10');
    const closed = { ...wider, status: 'closed' as const };
    expect(foldPrice(closed, d('50'))).toBe(closed);
  });

  it('takes the strategy of the opening fill', () => {
    let state = emptyState(key, ONE);
    const [a, b] = fills([
      ['buy', '1', '1', '0'],
      ['buy', '1', '1', '0'],
    ]);
    state = applyFill(state, { ...a!, strategy: 'alpha' }).state;
    state = applyFill(state, { ...b!, strategy: 'beta' }).state;
    expect(state.trip!.strategy).toBe('alpha');
  });
});

describe('ledger: ordering', () => {
  const a: LedgerFill = fills([['buy', '1', '100', '0.1']])[0]!;
  const late: LedgerFill = { ...a, seq: 3, id: 'late', ts: 2_000, price: d('105') };
  const b: LedgerFill = { ...a, seq: 2, id: 'b', ts: 3_000, side: 'sell', price: d('110') };

  it('replays a late fill that sorts before others as if it had arrived in order', () => {
    let state = applyFill(emptyState(key, ONE), a).state;
    state = applyFill(state, b).state;
    expect(needsReplay(state, late)).toBe(true);
    expect(() => applyFill(state, late)).toThrow(/replay/);

    const rebuilt = replay(key, ONE, [a, b, late]);
    let inOrder = emptyState(key, ONE);
    for (const f of [a, late, b]) inOrder = applyFill(inOrder, f).state;
    expect(rebuilt.state).toEqual(inOrder);
    expect(rebuilt.effects.map((e) => e.fillId)).toEqual(['f1', 'late', 'b']);
    // The sell closes the first lot (FIFO in ts order), leaving the late lot open.
    expect(str(rebuilt.effects[2]!.realizedGross)).toBe('10');
    expect(rebuilt.state.lots.map((l) => l.fillId)).toEqual(['late']);
    expect(rebuilt.trips).toEqual([rebuilt.state.trip]);
  });

  it('breaks equal timestamps by seq', () => {
    const x = { ...a, ts: 5_000, seq: 10 };
    const y = { ...a, id: 'y', ts: 5_000, seq: 9 };
    const state = applyFill(emptyState(key, ONE), x).state;
    expect(needsReplay(state, y)).toBe(true);
    expect(needsReplay(state, { ...y, seq: 11 })).toBe(false);
    expect(needsReplay(emptyState(key, ONE), y)).toBe(false);
    expect(replay(key, ONE, [x, y]).state.lots.map((l) => l.fillId)).toEqual(['y', 'f1']);
  });

  it('refuses to apply the same fill twice', () => {
    const state = applyFill(emptyState(key, ONE), a).state;
    expect(needsReplay(state, a)).toBe(false);
    expect(() => applyFill(state, a)).toThrow(/already applied/);
  });

  it('continues a replay from a saved state and lists the trips it touched', () => {
    const all = fills([
      ['buy', '2', '10', '0'],
      ['sell', '3', '12', '0'], // flip: closes trip f1, opens trip f2
      ['buy', '1', '11', '0'], // closes trip f2
      ['buy', '1', '11', '0'], // opens trip f4
    ]);
    const head = replay(key, ONE, all.slice(0, 1));
    const tail = replay(key, ONE, all.slice(1), head.state);
    expect(tail.state).toEqual(replay(key, ONE, all).state);
    expect(tail.trips.map((t) => [t.id, t.status])).toEqual([
      [tradeId(key, 'f1'), 'closed'],
      [tradeId(key, 'f2'), 'closed'],
      [tradeId(key, 'f4'), 'open'],
    ]);
    expect(replay(key, ONE, [], head.state).trips).toEqual([]);
    expect(() => replay({ ...key, bot: 'other' }, ONE, [], head.state)).toThrow(RangeError);
    expect(() => replay(key, d('2'), [], head.state)).toThrow(RangeError);
  });
});

describe('ledger: guards and ids', () => {
  const [f] = fills([['buy', '1', '1', '0']]);

  it.each([
    ['qty', { qty: 0n }],
    ['qty', { qty: -1n }],
    ['price', { price: 0n }],
    ['fee', { fee: -1n }],
    ['side', { side: 'hold' as Side }],
    ['ts', { ts: Number.NaN }],
  ])('refuses a fill with a bad %s', (_field, patch) => {
    expect(() => applyFill(emptyState(key, ONE), { ...f!, ...patch })).toThrow(RangeError);
  });

  it('refuses a multiplier that is not positive', () => {
    expect(() => emptyState(key, 0n)).toThrow(RangeError);
    expect(() => emptyState(key, -ONE)).toThrow(RangeError);
  });

  it('derives trade ids from the key and the opening fill id', () => {
    const id = tradeId(key, 'f1');
    expect(id).toMatch(/^tr_[0-9a-f]{20}$/);
    expect(tradeId({ ...key }, 'f1')).toBe(id);
    expect(tradeId(key, 'f2')).not.toBe(id);
    // The separator keeps ('ab','c') and ('a','bc') apart.
    expect(tradeId({ account: 'ab', bot: 'c', symbol: 's' }, 'x')).not.toBe(
      tradeId({ account: 'a', bot: 'bc', symbol: 's' }, 'x'),
    );
  });
});
