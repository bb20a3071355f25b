import type { Dec } from './decimal.js';

export type Side = 'buy' | 'sell';
export type Direction = 'long' | 'short';

/** One FIFO book: lots never match across accounts, bots or symbols. */
export interface LedgerKey {
  account: string;
  bot: string;
  symbol: string;
}

export interface LedgerFill {
  /** Arrival order, unique and increasing across the hub; breaks ts ties. */
  seq: number;
  /** The bot's own fill id. */
  id: string;
  /** Epoch ms. */
  ts: number;
  side: Side;
  /** > 0 */
  qty: Dec;
  /** > 0 */
  price: Dec;
  /** >= 0, in account currency. */
  fee: Dec;
  strategy: string | null;
}

export interface Lot {
  fillId: string;
  seq: number;
  ts: number;
  /** Remaining quantity, > 0. */
  qty: Dec;
  price: Dec;
  /** The part of the opening fee that belongs to the remaining quantity and is not yet charged. */
  fee: Dec;
}

/** A round trip: flat to flat; a flip ends one and starts the next. */
export interface Trip {
  /** tradeId(key, opening fill id) */
  id: string;
  account: string;
  bot: string;
  symbol: string;
  /** Strategy of the opening fill. */
  strategy: string | null;
  direction: Direction;
  status: 'open' | 'closed';
  /** Total quantity opened in this trip (sum of opening quantities). */
  qty: Dec;
  /** Quantity still open (0 when closed). */
  openQty: Dec;
  entryTs: number;
  /** ts of the fill that made it flat. */
  exitTs: number | null;
  /** ts of its latest fill. */
  lastTs: number;
  /** Σ price×qty of opening quantities (no multiplier). */
  entryValue: Dec;
  /** Σ closing quantities. */
  exitQty: Dec;
  /** Σ price×qty of closing quantities (no multiplier). */
  exitValue: Dec;
  /** Realized gross so far (price difference × qty × multiplier). */
  gross: Dec;
  /** Every fee portion attributed to this trip (opening and closing portions), charged or not yet. */
  fees: Dec;
  /** gross − fees charged so far on closes; for a closed trip: gross − fees. */
  net: Dec;
  /** Extremes of prices seen while open (its fills and any folded marks). */
  minPrice: Dec;
  maxPrice: Dec;
  fillCount: number;
}

export interface KeyState {
  key: LedgerKey;
  multiplier: Dec;
  /** FIFO, oldest first; all on one side; empty when flat. */
  lots: Lot[];
  /** The open trip, null when flat. */
  trip: Trip | null;
  /** Cumulative over the key's history. */
  realizedGross: Dec;
  realizedNet: Dec;
  /** Σ all fill fees. */
  feesPaid: Dec;
  /** Σ fees that have become realized (on closes). */
  feesCharged: Dec;
  tradesClosed: number;
  /** Ordering (ts, seq) of the last applied fill. */
  lastTs: number | null;
  lastSeq: number | null;
  /** Last fill price and its ts. */
  lastPrice: Dec | null;
  lastPriceTs: number | null;
}

export interface FillEffect {
  fillId: string;
  seq: number;
  /** Price difference × closed qty × multiplier. */
  realizedGross: Dec;
  /** realizedGross − feeCharged (0 for a pure opening fill). */
  realizedNet: Dec;
  /** Closing part of this fill's own fee + the opening fees of the lot quantity it closes. */
  feeCharged: Dec;
  /** Signed position quantity after the fill. */
  positionAfter: Dec;
  /** The trip this fill belongs to (the one it closes into, or opens/adds to). */
  tradeId: string | null;
  /** On a flip: the trip the remainder opens. */
  nextTradeId: string | null;
}

export interface ApplyResult {
  /** A new state; the input state is never mutated. */
  state: KeyState;
  effect: FillEffect;
  /** The trip this fill made flat (on a flip, the trip it ended). */
  closed: Trip | null;
  /** The trip this fill started (on a flip, the one the remainder opened). */
  opened: Trip | null;
}

export interface ReplayResult {
  state: KeyState;
  /** One per fill, in (ts, seq) order. */
  effects: FillEffect[];
  /** Trips closed during the replay in closing order, then the open trip if any fill left one open. */
  trips: Trip[];
}

export interface PositionFigures {
  /** Signed. */
  qty: Dec;
  /** Quantity-weighted lot price; 0 when flat. */
  avgPrice: Dec;
  /** Σ lot price×qty×multiplier + remaining lot fees (positive for longs and shorts). */
  costBasis: Dec;
  /** qty×mark×multiplier, signed. */
  marketValue: Dec;
  /** (mark − lot price)×qty×multiplier for longs, reversed for shorts, minus remaining lot fees. */
  unrealized: Dec;
  /** Remaining lot fees, not yet charged. */
  openFees: Dec;
}

export interface TripMetrics {
  avgEntry: Dec;
  /** null until something has been closed. */
  avgExit: Dec | null;
  /** net / (entryValue × multiplier) × 100; null while open. */
  returnPct: number | null;
  /** null while open. */
  durationS: number | null;
  /** Maximum adverse excursion, ≤ 0. */
  mae: Dec;
  /** Maximum favourable excursion, ≥ 0. */
  mfe: Dec;
  /** MAE per unit as a % of avgEntry. */
  maePct: number;
  /** MFE per unit as a % of avgEntry. */
  mfePct: number;
}
