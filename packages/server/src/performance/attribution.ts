import type { Dec } from '../ledger/index.js';
import type { ClosedTrades } from './closed-trades.js';
import { emptyParts, ExactSum, type DecimalParts } from './exact-sum.js';
import { WEEKDAYS, type Weekday } from './local-time.js';

export interface AttributionGroup {
  key: string;
  trades: number;
  wins: number;
  losses: number;
  /** Exact sum of the trades' net P&L. */
  net: Dec;
}

export interface Attribution {
  total: AttributionGroup;
  byBot: AttributionGroup[];
  byStrategy: AttributionGroup[];
  bySymbol: AttributionGroup[];
  byDirection: AttributionGroup[];
  /** 24 groups, hour 0–23 of the close in the hub's time zone. */
  byHour: (AttributionGroup & { hour: number })[];
  /** 7 groups, Monday first. */
  byWeekday: (AttributionGroup & { weekday: Weekday })[];
  /** The weekday × hour cells that had trades. */
  byWeekdayHour: (AttributionGroup & { weekday: Weekday; hour: number })[];
}

/** Name of the group of trades without a strategy. */
export const NO_STRATEGY = '(none)';

const E9 = 1_000_000_000n;

/**
 * Sums per code of one breakdown (bot, strategy, symbol, direction or weekday × hour cell) in
 * typed arrays: the exact parts of the net (integer part and two 9-digit fraction halves, as
 * integer-valued doubles) and the counts. Callers guarantee the sums stay below 2^53.
 */
class Sums {
  readonly int: Float64Array;
  readonly hi: Float64Array;
  readonly lo: Float64Array;
  readonly big: Dec[];
  readonly trades: Int32Array;
  readonly wins: Int32Array;
  readonly losses: Int32Array;
  constructor(size: number) {
    this.int = new Float64Array(size);
    this.hi = new Float64Array(size);
    this.lo = new Float64Array(size);
    this.big = new Array<Dec>(size).fill(0n);
    this.trades = new Int32Array(size);
    this.wins = new Int32Array(size);
    this.losses = new Int32Array(size);
  }
  add(c: number, p: DecimalParts, win: boolean, loss: boolean): void {
    this.int[c]! += p.int;
    this.hi[c]! += p.hi;
    this.lo[c]! += p.lo;
    if (p.big !== 0n) this.big[c]! += p.big;
    this.trades[c]! += 1;
    if (win) this.wins[c]! += 1;
    if (loss) this.losses[c]! += 1;
  }
  group(c: number, key: string): AttributionGroup {
    return {
      key,
      trades: this.trades[c]!,
      wins: this.wins[c]!,
      losses: this.losses[c]!,
      net:
        this.big[c]! +
        BigInt(this.int[c]!) * E9 * E9 +
        BigInt(this.hi[c]!) * E9 +
        BigInt(this.lo[c]!),
    };
  }
  /** Groups of the codes that had trades, largest net first (ties by key). */
  ranked(key: (c: number) => string): AttributionGroup[] {
    const out: AttributionGroup[] = [];
    for (let c = 0; c < this.trades.length; c++)
      if (this.trades[c]! > 0) out.push(this.group(c, key(c)));
    return out.sort(byNet);
  }
}

function byNet(a: AttributionGroup, b: AttributionGroup): number {
  return a.net < b.net ? 1 : a.net > b.net ? -1 : a.key.localeCompare(b.key);
}

/** Largest number of values whose 9-digit fraction halves can be summed exactly as doubles. */
const MAX_EXACT_COUNT = Math.floor(2 ** 53 / 1e9);

/**
 * Net P&L of the selected closed trades summed exactly by bot, strategy, symbol, direction,
 * and by hour of day and day of week of the close (in the time zone the trades were loaded
 * with). `selected` lists indices into `trades`.
 *
 * The sums run over typed arrays of exact parts: with n trades whose net integer parts are at
 * most M in size, every partial sum is below n·M and n·10^9, so when both are below 2^53 the
 * doubles are exact; otherwise (never with real trading P&L) each group sums with an
 * {@link ExactSum}, which folds into bigints as it goes.
 */
export function attribute(trades: ClosedTrades, selected: ArrayLike<number>): Attribution {
  const n = selected.length;
  if (n * trades.maxAbsInt >= 2 ** 53 || n > MAX_EXACT_COUNT)
    return attributeSlowly(trades, selected);
  const names = trades.names;
  const size = names.length + 1;
  // Code 0 of the strategy sums is "no strategy"; others are shifted by one.
  const total = new Sums(1);
  const bots = new Sums(size);
  const strategies = new Sums(size);
  const symbols = new Sums(size);
  const directions = new Sums(size);
  const cells = new Sums(7 * 24);
  const parts = emptyParts();
  for (let j = 0; j < n; j++) {
    const i = selected[j]!;
    trades.netParts(i, parts);
    const net = trades.netF[i]!;
    const win = net > 0;
    const loss = net < 0;
    total.add(0, parts, win, loss);
    bots.add(trades.bot[i]!, parts, win, loss);
    strategies.add(trades.strategy[i]! + 1, parts, win, loss);
    symbols.add(trades.symbol[i]!, parts, win, loss);
    directions.add(trades.direction[i]!, parts, win, loss);
    cells.add(trades.cell[i]!, parts, win, loss);
  }
  const name = (c: number) => names[c]!;
  return finish(
    total.group(0, 'total'),
    bots.ranked(name),
    strategies.ranked((c) => (c === 0 ? NO_STRATEGY : names[c - 1]!)),
    symbols.ranked(name),
    directions.ranked(name),
    Array.from({ length: 7 * 24 }, (_, c) => cells.group(c, `${c}`)),
  );
}

class Group {
  readonly sum = new ExactSum();
  wins = 0;
  losses = 0;
  constructor(readonly key: string) {}
  result(): AttributionGroup {
    return {
      key: this.key,
      trades: this.sum.count,
      wins: this.wins,
      losses: this.losses,
      net: this.sum.value(),
    };
  }
}

/** The same sums with an ExactSum per group: exact whatever the magnitudes. */
function attributeSlowly(trades: ClosedTrades, selected: ArrayLike<number>): Attribution {
  const names = trades.names;
  const total = new Group('total');
  const dims = [
    new Map<string, Group>(),
    new Map<string, Group>(),
    new Map<string, Group>(),
    new Map<string, Group>(),
  ];
  const cells = Array.from({ length: 7 * 24 }, (_, i) => new Group(`${i}`));
  const at = (map: Map<string, Group>, key: string) => {
    let g = map.get(key);
    if (!g) {
      g = new Group(key);
      map.set(key, g);
    }
    return g;
  };
  const parts = emptyParts();
  for (let j = 0; j < selected.length; j++) {
    const i = selected[j]!;
    trades.netParts(i, parts);
    const s = trades.strategy[i]!;
    const groups = [
      total,
      at(dims[0]!, names[trades.bot[i]!]!),
      at(dims[1]!, s < 0 ? NO_STRATEGY : names[s]!),
      at(dims[2]!, names[trades.symbol[i]!]!),
      at(dims[3]!, names[trades.direction[i]!]!),
      cells[trades.cell[i]!]!,
    ];
    const net = trades.netF[i]!;
    for (const g of groups) {
      g.sum.addParts(parts);
      if (net > 0) g.wins++;
      if (net < 0) g.losses++;
    }
  }
  const ranked = (m: Map<string, Group>) => [...m.values()].map((g) => g.result()).sort(byNet);
  return finish(
    total.result(),
    ranked(dims[0]!),
    ranked(dims[1]!),
    ranked(dims[2]!),
    ranked(dims[3]!),
    cells.map((g) => g.result()),
  );
}

function finish(
  total: AttributionGroup,
  byBot: AttributionGroup[],
  byStrategy: AttributionGroup[],
  bySymbol: AttributionGroup[],
  byDirection: AttributionGroup[],
  cellResults: AttributionGroup[],
): Attribution {
  const byHour = Array.from({ length: 24 }, (_, hour) => ({
    ...sumGroups(
      `${hour}`,
      WEEKDAYS.map((_, w) => cellResults[w * 24 + hour]!),
    ),
    hour,
  }));
  const byWeekday = WEEKDAYS.map((weekday, w) => ({
    ...sumGroups(weekday, cellResults.slice(w * 24, w * 24 + 24)),
    weekday,
  }));
  const byWeekdayHour = cellResults.flatMap((g, i) => {
    if (g.trades === 0) return [];
    const weekday = WEEKDAYS[Math.floor(i / 24)]!;
    const hour = i % 24;
    return [{ ...g, key: `${weekday} ${hour}`, weekday, hour }];
  });
  const directionOrder = ['long', 'short'];
  return {
    total,
    byBot,
    byStrategy,
    bySymbol,
    byDirection: byDirection.sort(
      (a, b) => directionOrder.indexOf(a.key) - directionOrder.indexOf(b.key),
    ),
    byHour,
    byWeekday,
    byWeekdayHour,
  };
}

function sumGroups(key: string, groups: AttributionGroup[]): AttributionGroup {
  const out: AttributionGroup = { key, trades: 0, wins: 0, losses: 0, net: 0n };
  for (const g of groups) {
    out.trades += g.trades;
    out.wins += g.wins;
    out.losses += g.losses;
    out.net += g.net;
  }
  return out;
}
