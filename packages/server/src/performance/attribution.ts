import type { Dec } from '../ledger/index.js';
import type { ClosedTrades } from './closed-trades.js';
import { emptyParts, ExactSum } from './exact-sum.js';
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

/** Largest net first; ties by key, so the order is stable. */
function ranked(groups: (Group | undefined)[]): AttributionGroup[] {
  return groups
    .filter((g): g is Group => g !== undefined)
    .map((g) => g.result())
    .sort((a, b) => (a.net < b.net ? 1 : a.net > b.net ? -1 : a.key.localeCompare(b.key)));
}

/**
 * Net P&L of the selected closed trades summed exactly by bot, strategy, symbol, direction,
 * and by hour of day and day of week of the close (in the time zone the trades were loaded
 * with). `selected` lists indices into `trades`.
 */
export function attribute(trades: ClosedTrades, selected: ArrayLike<number>): Attribution {
  const names = trades.names;
  const total = new Group('total');
  const bots: (Group | undefined)[] = [];
  const strategies: (Group | undefined)[] = [];
  const symbols: (Group | undefined)[] = [];
  const directions: (Group | undefined)[] = [];
  let none: Group | undefined;
  const cells = Array.from({ length: 7 * 24 }, (_, i) => new Group(`${i}`));
  const at = (list: (Group | undefined)[], code: number) =>
    (list[code] ??= new Group(names[code]!));
  const parts = emptyParts();
  for (let j = 0; j < selected.length; j++) {
    const i = selected[j]!;
    trades.netParts(i, parts);
    const s = trades.strategy[i]!;
    const groups = [
      total,
      at(bots, trades.bot[i]!),
      s < 0 ? (none ??= new Group(NO_STRATEGY)) : at(strategies, s),
      at(symbols, trades.symbol[i]!),
      at(directions, trades.direction[i]!),
      cells[trades.cell[i]!]!,
    ];
    const net = trades.netF[i]!;
    const win = net > 0;
    const loss = net < 0;
    for (const g of groups) {
      g.sum.addParts(parts);
      if (win) g.wins++;
      if (loss) g.losses++;
    }
  }
  const cellResults = cells.map((g) => g.result());
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
  const byStrategy = ranked(strategies);
  if (none) byStrategy.push(none.result());
  return {
    total: total.result(),
    byBot: ranked(bots),
    byStrategy: byStrategy.sort((a, b) =>
      a.net < b.net ? 1 : a.net > b.net ? -1 : a.key.localeCompare(b.key),
    ),
    bySymbol: ranked(symbols),
    byDirection: ranked(directions).sort(
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
