import type {
  BalanceEvent,
  CashFlowEvent,
  FillEvent,
  HeartbeatEvent,
  LogEvent,
  MarkEvent,
  MetricEvent,
  OrderEvent,
  PositionEvent,
  SignalEvent,
} from '@tradewatch/protocol';
import { TERMINAL_ORDER_STATUSES } from '@tradewatch/protocol';
import {
  add,
  applyFill,
  compareFills,
  dec,
  decFromString,
  decToString,
  emptyState,
  mul,
  replay,
  sub,
  ZERO,
  type Dec,
  type FillEffect,
  type KeyState,
  type LedgerFill,
  type LedgerKey,
  type Trip,
} from '../ledger/index.js';
import { rowToTrip, tripToRow } from '../portfolio/codec.js';
import { keyStateToRow } from '../portfolio/codec.js';
import {
  accountScope,
  botScope,
  keyString,
  type AccountInfo,
  type BarInfo,
  type BotInfo,
  type PortfolioState,
} from '../portfolio/state.js';
import { IncrementalValuation } from '../portfolio/incremental-valuation.js';
import { adjustedEquity, type ScopeFigures } from '../portfolio/valuation.js';
import type { Database, FillsTable, OrdersTable } from '../store/index.js';
import { minuteOf, tradingDay } from '../time/index.js';
import type { PreparedEvent } from './identity.js';
import type { IngestRepository, Trx } from './ingest-repository.js';
import { DEFAULT_ACCOUNT, type IngestSettings } from './settings.js';
import {
  barRangeOf,
  foldBars,
  groupBars,
  withBars,
  type BarPoint,
  type BarRange,
} from './trip-fold.js';

/** A prepared event with its sequence number (arrival order across the hub). */
export interface SequencedEvent<E> {
  prep: PreparedEvent;
  event: E;
  seq: number;
}

interface DailyDelta {
  trades: number;
  wins: number;
  losses: number;
  gross: Dec;
  fees: Dec;
  net: Dec;
  cashFlows: Dec;
}

/** What a committed batch changed, for the live stream and the alert engine. */
export interface BatchChanges {
  seq: number;
  fills: FillsTable[];
  keys: KeyState[];
  trades: Trip[];
  orders: OrdersTable[];
  bots: BotInfo[];
  eventCounts: Record<string, number>;
  logs: { bot: string; ts: number; level: string; message: string }[];
  signals: { bot: string; ts: number; symbol: string; direction: string }[];
  cashFlows: { account: string; ts: number; amount: Dec; kind: string }[];
  valuationChanged: boolean;
}

function emptyDelta(): DailyDelta {
  return { trades: 0, wins: 0, losses: 0, gross: ZERO, fees: ZERO, net: ZERO, cashFlows: ZERO };
}

const TERMINAL = new Set<string>(TERMINAL_ORDER_STATUSES);

const optDec = (v: number | undefined): string | null =>
  v === undefined ? null : decToString(dec(v));

/**
 * Applies one validated, de-duplicated batch inside a transaction: stores the facts and updates
 * every projection (ledger positions, round trips, orders, marks and bars, bots, accounts,
 * equity points, daily summaries). It works on `draft`, a copy of the in-memory portfolio that
 * replaces the live one only after the transaction commits.
 */
export class Batch {
  private readonly fillRows: FillsTable[] = [];
  private readonly touchedKeys = new Set<string>();
  private readonly trips = new Map<string, Trip>();
  private readonly tripMultipliers = new Map<string, Dec>();
  private readonly deletedTrips = new Set<string>();
  private readonly newTripIds = new Set<string>();
  private readonly daily = new Map<string, DailyDelta>();
  private readonly changedBars = new Map<string, BarInfo & { symbol: string }>();
  private readonly changedMarks = new Set<string>();
  private readonly orders = new Map<string, OrdersTable>();
  private readonly changedBots = new Set<string>();
  private readonly changedAccounts = new Set<string>();
  private readonly counts: Record<string, number> = {};
  private readonly logs: BatchChanges['logs'] = [];
  private readonly signals: BatchChanges['signals'] = [];
  private readonly cashFlowChanges: BatchChanges['cashFlows'] = [];

  constructor(
    private readonly trx: Trx,
    private readonly repo: IngestRepository,
    private readonly draft: PortfolioState,
    private readonly settings: IngestSettings,
    private readonly now: number,
  ) {}

  async apply(events: SequencedEvent<PreparedEvent['event']>[]): Promise<BatchChanges> {
    const by = {
      fill: [] as SequencedEvent<FillEvent>[],
      order: [] as SequencedEvent<OrderEvent>[],
      position: [] as SequencedEvent<PositionEvent>[],
      balance: [] as SequencedEvent<BalanceEvent>[],
      cash_flow: [] as SequencedEvent<CashFlowEvent>[],
      mark: [] as SequencedEvent<MarkEvent>[],
      signal: [] as SequencedEvent<SignalEvent>[],
      heartbeat: [] as SequencedEvent<HeartbeatEvent>[],
      log: [] as SequencedEvent<LogEvent>[],
      metric: [] as SequencedEvent<MetricEvent>[],
    };
    for (const e of events) {
      const ev = e.event;
      this.counts[ev.type] = (this.counts[ev.type] ?? 0) + 1;
      this.touchBot(ev.bot, 'account' in ev ? ev.account : undefined);
      switch (ev.type) {
        case 'fill':
          by.fill.push({ ...e, event: ev });
          break;
        case 'order':
          by.order.push({ ...e, event: ev });
          break;
        case 'position':
          by.position.push({ ...e, event: ev });
          break;
        case 'balance':
          by.balance.push({ ...e, event: ev });
          break;
        case 'cash_flow':
          by.cash_flow.push({ ...e, event: ev });
          break;
        case 'mark':
          by.mark.push({ ...e, event: ev });
          break;
        case 'signal':
          by.signal.push({ ...e, event: ev });
          break;
        case 'heartbeat':
          by.heartbeat.push({ ...e, event: ev });
          break;
        case 'log':
          by.log.push({ ...e, event: ev });
          break;
        case 'metric':
          by.metric.push({ ...e, event: ev });
          break;
      }
    }

    // Facts that move valuations are applied minute by minute (event time), with an equity
    // sample after each minute, so a batch spanning hours (a backfill, a replayed spool) draws
    // the same equity curve and daily figures as the same facts sent live.
    const slices = sliceByMinute(by.fill, by.mark, by.cash_flow);
    if (slices.length > 0) this.valuation = new IncrementalValuation(this.draft);
    for (const slice of slices) {
      await this.applyFills(slice.fills);
      await this.applyMarks(slice.marks);
      this.applyCashFlows(slice.cashFlows);
      this.sampleEquity(slice.minute);
    }
    await this.applyOrders(by.order, by.fill);
    await this.foldBarsIntoTrips();
    this.applyBalances(by.balance);
    this.applyHeartbeats(by.heartbeat);
    await this.insertSimpleFacts(by);
    const valuationChanged = await this.writeEquity();
    await this.writeProjections();

    return {
      seq: this.draft.version,
      fills: this.fillRows,
      keys: [...this.touchedKeys]
        .map((k) => this.draft.keys.get(k))
        .filter((k): k is KeyState => !!k),
      trades: [...this.trips.values()].map((t) => withBars(t, this.tripBars.get(t.id) ?? null)),
      orders: [...this.orders.values()],
      bots: [...this.changedBots]
        .map((b) => this.draft.bots.get(b))
        .filter((b): b is BotInfo => !!b),
      eventCounts: this.counts,
      logs: this.logs,
      signals: this.signals,
      cashFlows: this.cashFlowChanges,
      valuationChanged,
    };
  }

  // ---------------------------------------------------------------- bots and accounts

  private touchBot(botId: string, accountHint: string | undefined): void {
    const existing = this.draft.bots.get(botId);
    if (!existing) {
      const account = accountHint ?? null;
      this.draft.bots.set(botId, {
        id: botId,
        name: botId,
        framework: null,
        account,
        heartbeatIntervalS: null,
        firstSeenAt: this.now,
        lastEventAt: this.now,
        lastHeartbeatAt: null,
        reportedStatus: null,
        version: null,
        connections: {},
        halted: false,
        updatedAt: this.now,
      });
      this.changedBots.add(botId);
      if (account) this.ensureAccount(account);
    } else if (existing.lastEventAt < this.now) {
      this.draft.bots.set(botId, { ...existing, lastEventAt: this.now, updatedAt: this.now });
      this.changedBots.add(botId);
    }
  }

  private accountOf(botId: string, explicit: string | undefined): string {
    const account = explicit ?? this.draft.bots.get(botId)?.account ?? DEFAULT_ACCOUNT;
    this.ensureAccount(account);
    return account;
  }

  private ensureAccount(id: string): AccountInfo {
    let account = this.draft.accounts.get(id);
    if (!account) {
      // An account nobody configured: treated as real money until configured otherwise.
      account = {
        id,
        name: id,
        broker: null,
        currency: this.settings.baseCurrency,
        mode: 'live',
        opening: ZERO,
        cashFlows: ZERO,
        configured: false,
        createdAt: this.now,
      };
      this.draft.accounts.set(id, account);
      this.valuation?.accountChanged(id);
      this.changedAccounts.add(id);
    }
    return account;
  }

  // ---------------------------------------------------------------- fills and the ledger

  private async applyFills(fills: SequencedEvent<FillEvent>[]): Promise<void> {
    if (fills.length === 0) return;
    const groups = new Map<
      string,
      { key: LedgerKey; items: { e: SequencedEvent<FillEvent>; lf: LedgerFill }[] }
    >();
    for (const e of fills) {
      const f = e.event;
      const key = { account: this.accountOf(f.bot, f.account), bot: f.bot, symbol: f.symbol };
      const ks = keyString(key);
      let group = groups.get(ks);
      if (!group) {
        group = { key, items: [] };
        groups.set(ks, group);
      }
      group.items.push({
        e,
        lf: {
          seq: e.seq,
          id: e.prep.id,
          ts: f.ts,
          side: f.side,
          qty: dec(f.qty),
          price: dec(f.price),
          fee: dec(f.fee),
          strategy: f.strategy ?? null,
        },
      });
    }
    const sliceRows: FillsTable[] = [];
    for (const [ks, group] of groups) {
      group.items.sort((a, b) => compareFills(a.lf, b.lf));
      const multiplier = this.settings.multiplier(group.key.symbol);
      let state = this.draft.keys.get(ks) ?? emptyState(group.key, multiplier);
      const first = group.items[0]!.lf;
      const late =
        state.lastTs !== null &&
        state.lastSeq !== null &&
        (first.ts < state.lastTs || (first.ts === state.lastTs && first.seq < state.lastSeq));
      const effects = new Map<number, FillEffect>();
      if (late) {
        state = await this.replayKey(
          state,
          group.key,
          group.items.map((i) => i.lf),
          effects,
        );
      } else {
        for (const { lf } of group.items) {
          const r = applyFill(state, lf);
          state = r.state;
          effects.set(lf.seq, r.effect);
          if (r.closed) this.recordTrip(r.closed, multiplier, true);
          if (r.opened) this.newTripIds.add(r.opened.id);
        }
        if (state.trip) this.recordTrip(state.trip, multiplier, false);
      }
      this.draft.keys.set(ks, state);
      this.valuation?.keyChanged(state);
      this.touchedKeys.add(ks);
      for (const { e, lf } of group.items) {
        const effect = effects.get(lf.seq)!;
        const f = e.event;
        sliceRows.push({
          seq: e.seq,
          bot: f.bot,
          id: e.prep.id,
          ts: f.ts,
          received_at: this.now,
          hash: e.prep.hash,
          account: group.key.account,
          symbol: f.symbol,
          side: f.side,
          qty: decToString(lf.qty),
          price: decToString(lf.price),
          fee: decToString(lf.fee),
          fee_currency: f.fee_currency ?? null,
          strategy: f.strategy ?? null,
          order_id: f.order_id ?? null,
          tags: f.tags && f.tags.length > 0 ? JSON.stringify(f.tags) : null,
          realized_gross: decToString(effect.realizedGross),
          realized_net: decToString(effect.realizedNet),
          fee_charged: decToString(effect.feeCharged),
          position_after: decToString(effect.positionAfter),
          trade_id: effect.tradeId,
          next_trade_id: effect.nextTradeId,
        });
      }
    }
    sliceRows.sort((a, b) => a.seq - b.seq);
    this.fillRows.push(...sliceRows);
    // Stored now, not at the end of the batch: a late fill in a later minute of this same batch
    // re-derives its key from the database and must see these.
    await this.repo.insertRows(this.trx, 'fills', sliceRows);
  }

  /** Records a trip to write; a newly closed one adds to its exit day's summary. */
  private recordTrip(trip: Trip, multiplier: Dec, countClose: boolean): void {
    this.trips.set(trip.id, trip);
    this.tripMultipliers.set(trip.id, multiplier);
    this.deletedTrips.delete(trip.id);
    if (countClose && trip.status === 'closed' && trip.exitTs !== null)
      this.addTripToDaily(trip, 1);
  }

  private addTripToDaily(trip: Trip, sign: 1 | -1): void {
    const day = tradingDay(trip.exitTs!, this.settings.timezone);
    const s = BigInt(sign);
    for (const scope of ['portfolio', accountScope(trip.account), botScope(trip.bot)]) {
      const d = this.dailyDelta(scope, day);
      d.trades += sign;
      if (trip.net > ZERO) d.wins += sign;
      if (trip.net < ZERO) d.losses += sign;
      d.gross += trip.gross * s;
      d.fees += trip.fees * s;
      d.net += trip.net * s;
    }
  }

  private dailyDelta(scope: string, day: string): DailyDelta {
    const k = `${scope}\u0000${day}`;
    let d = this.daily.get(k);
    if (!d) {
      d = emptyDelta();
      this.daily.set(k, d);
    }
    return d;
  }

  /**
   * A fill that sorts before fills already matched: re-derive the key from the last point at
   * which it was flat before that fill (nothing before a flat point can change).
   */
  private async replayKey(
    current: KeyState,
    key: LedgerKey,
    newFills: LedgerFill[],
    effects: Map<number, FillEffect>,
  ): Promise<KeyState> {
    const first = newFills[0]!;
    const flat = await this.repo.lastFlatPointBefore(this.trx, key, {
      ts: first.ts,
      seq: first.seq,
    });
    const stored = await this.repo.fillsOfKeyAfter(this.trx, key, flat);
    const oldTripIds = new Set<string>();
    let gross = current.realizedGross;
    let net = current.realizedNet;
    let feesPaid = current.feesPaid;
    let feesCharged = current.feesCharged;
    for (const f of stored) {
      gross = sub(gross, decFromString(f.realized_gross));
      net = sub(net, decFromString(f.realized_net));
      feesPaid = sub(feesPaid, decFromString(f.fee));
      feesCharged = sub(feesCharged, decFromString(f.fee_charged));
      if (f.trade_id) oldTripIds.add(f.trade_id);
      if (f.next_trade_id) oldTripIds.add(f.next_trade_id);
    }
    // Trips touched earlier in this same batch (an earlier minute) are newer than their stored
    // rows, and some are not stored yet at all.
    const byId = new Map(
      (await this.repo.tradesByIds(this.trx, [...oldTripIds])).map((r) => [r.id, rowToTrip(r)]),
    );
    for (const id of oldTripIds) {
      const pending = this.trips.get(id);
      if (pending) byId.set(id, pending);
    }
    const oldTrips = [...byId.values()];
    const oldClosed = oldTrips.filter((t) => t.status === 'closed');
    for (const t of oldClosed) this.addTripToDaily(t, -1);
    for (const t of oldTrips) {
      this.trips.delete(t.id);
      this.deletedTrips.add(t.id);
    }
    const base: KeyState = {
      ...emptyState(key, current.multiplier),
      realizedGross: gross,
      realizedNet: net,
      feesPaid,
      feesCharged,
      tradesClosed: current.tradesClosed - oldClosed.length,
      lastTs: flat?.ts ?? null,
      lastSeq: flat?.seq ?? null,
      lastPrice: flat ? decFromString(flat.price) : null,
      lastPriceTs: flat?.ts ?? null,
    };
    const storedFills: LedgerFill[] = stored.map((f) => ({
      seq: f.seq,
      id: f.id,
      ts: f.ts,
      side: f.side === 'sell' ? 'sell' : 'buy',
      qty: decFromString(f.qty),
      price: decFromString(f.price),
      fee: decFromString(f.fee),
      strategy: f.strategy,
    }));
    const result = replay(key, current.multiplier, [...storedFills, ...newFills], base);
    const storedBySeq = new Map(stored.map((f) => [f.seq, f]));
    const updates: Parameters<IngestRepository['updateFillEffects']>[1] = [];
    for (const effect of result.effects) {
      effects.set(effect.seq, effect);
      const old = storedBySeq.get(effect.seq);
      if (old) {
        const row = {
          seq: effect.seq,
          realized_gross: decToString(effect.realizedGross),
          realized_net: decToString(effect.realizedNet),
          fee_charged: decToString(effect.feeCharged),
          position_after: decToString(effect.positionAfter),
          trade_id: effect.tradeId,
          next_trade_id: effect.nextTradeId,
        };
        if (
          row.realized_gross !== old.realized_gross ||
          row.realized_net !== old.realized_net ||
          row.fee_charged !== old.fee_charged ||
          row.position_after !== old.position_after ||
          row.trade_id !== old.trade_id ||
          row.next_trade_id !== old.next_trade_id
        ) {
          updates.push(row);
        }
      }
    }
    // Written at once: a second late fill for this key in a later minute of the batch reads them.
    await this.repo.updateFillEffects(this.trx, updates);
    for (const trip of result.trips) {
      this.recordTrip(trip, current.multiplier, true);
      this.newTripIds.add(trip.id);
    }
    return result.state;
  }

  // ---------------------------------------------------------------- orders

  private async applyOrders(
    orderEvents: SequencedEvent<OrderEvent>[],
    fills: SequencedEvent<FillEvent>[],
  ): Promise<void> {
    const byBot = new Map<
      string,
      { events: SequencedEvent<OrderEvent>[]; fills: SequencedEvent<FillEvent>[] }
    >();
    const group = (bot: string) => {
      let g = byBot.get(bot);
      if (!g) {
        g = { events: [], fills: [] };
        byBot.set(bot, g);
      }
      return g;
    };
    for (const e of orderEvents) group(e.event.bot).events.push(e);
    for (const f of fills) if (f.event.order_id !== undefined) group(f.event.bot).fills.push(f);
    if (byBot.size === 0) return;

    for (const [bot, g] of byBot) {
      const ids = [
        ...new Set([
          ...g.events.map((e) => e.event.order_id),
          ...g.fills.map((f) => f.event.order_id!),
        ]),
      ];
      const existing = new Map(
        (await this.repo.ordersByIds(this.trx, bot, ids)).map((o) => [o.order_id, o]),
      );
      const created = new Set<string>();
      // Orders seen for the first time: start them from the order event, with any fills stored earlier.
      const events = [...g.events].sort((a, b) => a.event.ts - b.event.ts || a.seq - b.seq);
      for (const e of events) {
        const ev = e.event;
        let order = this.orders.get(`${bot}\u0000${ev.order_id}`) ?? existing.get(ev.order_id);
        if (!order) {
          order = {
            bot,
            order_id: ev.order_id,
            account: this.accountOf(bot, ev.account),
            symbol: ev.symbol,
            side: ev.side,
            qty: decToString(dec(ev.qty)),
            order_type: ev.order_type,
            limit_price: optDec(ev.limit_price),
            stop_price: optDec(ev.stop_price),
            status: ev.status,
            is_open: TERMINAL.has(ev.status) ? 0 : 1,
            reason: ev.reason ?? null,
            strategy: ev.strategy ?? null,
            filled_qty: '0',
            filled_value: '0',
            created_at: ev.ts,
            updated_at: ev.ts,
            status_ts: ev.ts,
            status_seq: e.seq,
            first_fill_at: null,
            last_event_id: e.prep.id,
          };
          created.add(ev.order_id);
        } else {
          order = { ...order, created_at: Math.min(order.created_at, ev.ts) };
          if (ev.ts > order.status_ts || (ev.ts === order.status_ts && e.seq > order.status_seq)) {
            order = {
              ...order,
              symbol: ev.symbol,
              side: ev.side,
              qty: decToString(dec(ev.qty)),
              order_type: ev.order_type,
              limit_price: optDec(ev.limit_price) ?? order.limit_price,
              stop_price: optDec(ev.stop_price) ?? order.stop_price,
              status: ev.status,
              is_open: TERMINAL.has(ev.status) ? 0 : 1,
              reason: ev.reason ?? order.reason,
              strategy: ev.strategy ?? order.strategy,
              updated_at: Math.max(order.updated_at, ev.ts),
              status_ts: ev.ts,
              status_seq: e.seq,
              last_event_id: e.prep.id,
            };
          }
        }
        this.orders.set(`${bot}\u0000${ev.order_id}`, order);
      }
      if (created.size > 0) {
        // Fills stored by earlier batches; this batch's own fills (already inserted) are added below.
        const ours = new Set(g.fills.map((f) => f.seq));
        for (const f of await this.repo.fillsOfOrders(this.trx, bot, [...created])) {
          if (ours.has(f.seq)) continue;
          const k = `${bot}\u0000${f.order_id}`;
          const o = this.orders.get(k)!;
          this.orders.set(k, addFillToOrder(o, decFromString(f.qty), decFromString(f.price), f.ts));
        }
      }
      for (const f of g.fills) {
        const k = `${bot}\u0000${f.event.order_id}`;
        const o = this.orders.get(k) ?? existing.get(f.event.order_id!);
        // A fill for an order the hub has not heard of stays unlinked until the order arrives.
        if (!o) continue;
        this.orders.set(k, addFillToOrder(o, dec(f.event.qty), dec(f.event.price), f.event.ts));
      }
    }
  }

  // ---------------------------------------------------------------- marks and bars

  private async applyMarks(marks: SequencedEvent<MarkEvent>[]): Promise<void> {
    if (marks.length === 0) return;
    marks.sort((a, b) => a.event.ts - b.event.ts || a.seq - b.seq);
    const needed: { symbol: string; minute: number }[] = [];
    for (const m of marks) {
      const minute = minuteOf(m.event.ts);
      const cached = this.draft.marks.get(m.event.symbol)?.bar;
      if (cached?.minute !== minute) needed.push({ symbol: m.event.symbol, minute });
    }
    const stored = new Map<string, BarInfo & { symbol: string }>();
    for (const b of await this.repo.barsAt(this.trx, needed)) {
      stored.set(`${b.symbol}\u0000${b.minute}`, {
        symbol: b.symbol,
        minute: b.minute,
        open: decFromString(b.open),
        high: decFromString(b.high),
        low: decFromString(b.low),
        close: decFromString(b.close),
        openTs: b.open_ts,
        closeTs: b.close_ts,
        count: b.count,
      });
    }
    for (const { event: m } of marks) {
      const price = dec(m.price);
      const minute = minuteOf(m.ts);
      const barKey = `${m.symbol}\u0000${minute}`;
      const current = this.draft.marks.get(m.symbol);
      let bar =
        this.changedBars.get(barKey) ??
        (current?.bar?.minute === minute
          ? { ...current.bar, symbol: m.symbol }
          : stored.get(barKey));
      if (!bar) {
        bar = {
          symbol: m.symbol,
          minute,
          open: price,
          high: price,
          low: price,
          close: price,
          openTs: m.ts,
          closeTs: m.ts,
          count: 1,
        };
      } else {
        bar = {
          ...bar,
          open: m.ts < bar.openTs ? price : bar.open,
          openTs: Math.min(bar.openTs, m.ts),
          close: m.ts >= bar.closeTs ? price : bar.close,
          closeTs: Math.max(bar.closeTs, m.ts),
          high: price > bar.high ? price : bar.high,
          low: price < bar.low ? price : bar.low,
          count: bar.count + 1,
        };
      }
      this.changedBars.set(barKey, bar);
      const latestBar = current?.bar && current.bar.minute > minute ? current.bar : bar;
      if (!current || m.ts >= current.ts) {
        this.draft.marks.set(m.symbol, {
          price,
          bid: m.bid === undefined ? null : dec(m.bid),
          ask: m.ask === undefined ? null : dec(m.ask),
          ts: m.ts,
          bot: m.bot,
          receivedAt: this.now,
          bar: latestBar,
        });
        this.valuation?.markChanged(m.symbol);
        this.changedMarks.add(m.symbol);
      } else {
        this.draft.marks.set(m.symbol, { ...current, bar: latestBar });
      }
    }
  }

  /** Figures of every scope, kept current as this batch's facts apply (see sampleEquity). */
  private valuation: IncrementalValuation | null = null;

  /** Mark-bar extremes of every trip this batch writes (null: no bar in its span). */
  private readonly tripBars = new Map<string, BarRange | null>();

  /**
   * MAE/MFE (see trip-fold.ts): a trip's mark extremes are the low/high of the one-minute bars
   * from its entry minute to its exit minute, kept apart from its fill prices. Trips created or
   * closed in this batch take them afresh from every bar of their span (a bar folded while a
   * trip was open may lie after the exit it finally got); trips still open add the bars this
   * batch changed to what they had; closed trips reached by a late mark take that bar too.
   */
  private async foldBarsIntoTrips(): Promise<void> {
    const changedBySymbol = groupBars(this.changedBars.values());
    const fresh: Trip[] = [];
    for (const [id, trip] of this.trips) {
      if (this.newTripIds.has(id) || trip.status === 'closed') fresh.push(trip);
    }
    if (fresh.length > 0) {
      const symbols = [...new Set(fresh.map((t) => t.symbol))];
      const from = Math.min(...fresh.map((t) => minuteOf(t.entryTs)));
      const bars = new Map<string, BarPoint & { symbol: string }>();
      for (const b of await this.repo.barsFrom(this.trx, symbols, from)) {
        bars.set(`${b.symbol}\u0000${b.minute}`, {
          symbol: b.symbol,
          minute: b.minute,
          low: decFromString(b.low),
          high: decFromString(b.high),
        });
      }
      for (const [k, b] of this.changedBars) bars.set(k, b);
      const bySymbol = groupBars(bars.values());
      for (const trip of fresh)
        this.tripBars.set(trip.id, foldBars(null, trip, bySymbol.get(trip.symbol)));
    }
    // Open trips carried over from earlier batches (touched by a fill or not).
    for (const [ks, state] of this.draft.keys) {
      const trip = state.trip;
      if (!trip || this.tripBars.has(trip.id)) continue;
      const before = this.draft.tripBars.get(trip.id) ?? null;
      const after = foldBars(before, trip, changedBySymbol.get(trip.symbol));
      if (this.trips.has(trip.id) || after !== before) {
        this.tripBars.set(trip.id, after);
        this.trips.set(trip.id, this.trips.get(trip.id) ?? trip);
        this.tripMultipliers.set(trip.id, state.multiplier);
        this.touchedKeys.add(ks);
      }
    }
    // Closed trips of earlier batches whose span reaches a changed minute (a late mark).
    if (changedBySymbol.size > 0) {
      const minMinute = Math.min(...[...this.changedBars.values()].map((b) => b.minute));
      for (const row of await this.repo.closedTripsCovering(
        this.trx,
        [...changedBySymbol.keys()],
        minMinute,
      )) {
        if (this.tripBars.has(row.id) || this.deletedTrips.has(row.id)) continue;
        const trip = rowToTrip(row);
        const before = barRangeOf(row);
        const after = foldBars(before, trip, changedBySymbol.get(row.symbol));
        if (after !== before) {
          this.trips.set(trip.id, trip);
          this.tripMultipliers.set(trip.id, this.settings.multiplier(trip.symbol));
          this.tripBars.set(trip.id, after);
        }
      }
    }
    for (const [id, trip] of this.trips) {
      if (trip.status === 'open') this.draft.tripBars.set(id, this.tripBars.get(id) ?? null);
      else this.draft.tripBars.delete(id);
    }
    for (const id of this.deletedTrips) this.draft.tripBars.delete(id);
  }

  // ---------------------------------------------------------------- cash, balances, heartbeats

  private applyCashFlows(flows: SequencedEvent<CashFlowEvent>[]): void {
    for (const { event: c } of flows) {
      const accountId = this.accountOf(c.bot, c.account);
      const account = this.draft.accounts.get(accountId)!;
      const amount = dec(c.amount);
      this.draft.accounts.set(accountId, { ...account, cashFlows: add(account.cashFlows, amount) });
      this.valuation?.accountChanged(accountId);
      this.changedAccounts.add(accountId);
      const day = tradingDay(c.ts, this.settings.timezone);
      this.dailyDelta('portfolio', day).cashFlows += amount;
      this.dailyDelta(accountScope(accountId), day).cashFlows += amount;
      this.cashFlowChanges.push({ account: accountId, ts: c.ts, amount, kind: c.kind });
    }
  }

  private applyBalances(balances: SequencedEvent<BalanceEvent>[]): void {
    for (const { event: b } of balances) {
      const account = this.accountOf(b.bot, b.account);
      const current = this.draft.balances.get(account);
      if (!current || b.ts >= current.ts) {
        this.draft.balances.set(account, {
          cash: dec(b.cash),
          equity: b.equity === undefined ? null : dec(b.equity),
          buyingPower: b.buying_power === undefined ? null : dec(b.buying_power),
          ts: b.ts,
        });
      }
    }
  }

  private applyHeartbeats(beats: SequencedEvent<HeartbeatEvent>[]): void {
    beats.sort((a, b) => a.event.ts - b.event.ts || a.seq - b.seq);
    for (const { event: h } of beats) {
      const bot = this.draft.bots.get(h.bot)!;
      this.draft.bots.set(h.bot, {
        ...bot,
        lastHeartbeatAt: this.now,
        heartbeatIntervalS: h.interval_s ?? bot.heartbeatIntervalS,
        reportedStatus: h.status ?? bot.reportedStatus,
        version: h.version ?? bot.version,
        connections: h.connections ? { ...bot.connections, ...h.connections } : bot.connections,
        updatedAt: this.now,
      });
      this.changedBots.add(h.bot);
    }
  }

  private async insertSimpleFacts(by: {
    order: SequencedEvent<OrderEvent>[];
    position: SequencedEvent<PositionEvent>[];
    balance: SequencedEvent<BalanceEvent>[];
    cash_flow: SequencedEvent<CashFlowEvent>[];
    signal: SequencedEvent<SignalEvent>[];
    heartbeat: SequencedEvent<HeartbeatEvent>[];
    log: SequencedEvent<LogEvent>[];
    metric: SequencedEvent<MetricEvent>[];
  }): Promise<void> {
    const base = (e: SequencedEvent<{ bot: string; ts: number }>) => ({
      seq: e.seq,
      bot: e.event.bot,
      id: e.prep.id,
      ts: e.event.ts,
      received_at: this.now,
      hash: e.prep.hash,
    });
    const { trx, repo } = this;
    await repo.insertRows(
      trx,
      'order_events',
      by.order.map((e) => ({
        ...base(e),
        order_id: e.event.order_id,
        account: this.accountOf(e.event.bot, e.event.account),
        symbol: e.event.symbol,
        side: e.event.side,
        qty: decToString(dec(e.event.qty)),
        order_type: e.event.order_type,
        limit_price: optDec(e.event.limit_price),
        stop_price: optDec(e.event.stop_price),
        status: e.event.status,
        reason: e.event.reason ?? null,
        strategy: e.event.strategy ?? null,
      })),
    );
    await repo.insertRows(
      trx,
      'position_snapshots',
      by.position.map((e) => ({
        ...base(e),
        account: this.accountOf(e.event.bot, e.event.account),
        symbol: e.event.symbol,
        qty: decToString(dec(e.event.qty)),
        avg_price: optDec(e.event.avg_price),
      })),
    );
    await repo.insertRows(
      trx,
      'balances',
      by.balance.map((e) => ({
        ...base(e),
        account: this.accountOf(e.event.bot, e.event.account),
        cash: decToString(dec(e.event.cash)),
        equity: optDec(e.event.equity),
        buying_power: optDec(e.event.buying_power),
        currency: e.event.currency ?? null,
      })),
    );
    await repo.insertRows(
      trx,
      'cash_flows',
      by.cash_flow.map((e) => ({
        ...base(e),
        account: this.accountOf(e.event.bot, e.event.account),
        amount: decToString(dec(e.event.amount)),
        kind: e.event.kind,
        note: e.event.note ?? null,
      })),
    );
    await repo.insertRows(
      trx,
      'signals',
      by.signal.map((e) => {
        this.signals.push({
          bot: e.event.bot,
          ts: e.event.ts,
          symbol: e.event.symbol,
          direction: e.event.direction,
        });
        return {
          ...base(e),
          strategy: e.event.strategy ?? null,
          symbol: e.event.symbol,
          direction: e.event.direction,
          strength: e.event.strength ?? null,
          note: e.event.note ?? null,
        };
      }),
    );
    await repo.insertRows(
      trx,
      'heartbeats',
      by.heartbeat.map((e) => ({
        ...base(e),
        interval_s: e.event.interval_s ?? null,
        status: e.event.status ?? null,
        version: e.event.version ?? null,
        connections: e.event.connections ? JSON.stringify(e.event.connections) : null,
      })),
    );
    await repo.insertRows(
      trx,
      'logs',
      by.log.map((e) => {
        this.logs.push({
          bot: e.event.bot,
          ts: e.event.ts,
          level: e.event.level,
          message: e.event.message,
        });
        return {
          ...base(e),
          level: e.event.level,
          message: e.event.message,
          context: e.event.context ? JSON.stringify(e.event.context) : null,
        };
      }),
    );
    await repo.insertRows(
      trx,
      'bot_metrics',
      by.metric.map((e) => ({
        ...base(e),
        name: e.event.name,
        value: e.event.value,
        labels: e.event.labels ? JSON.stringify(e.event.labels) : null,
      })),
    );
  }

  // ---------------------------------------------------------------- equity and daily summaries

  /** Equity points of this batch by scope and minute, and each touched day's equity. */
  private readonly points = new Map<string, Database['equity_points']>();
  private readonly peakRows = new Map<string, Database['scope_peaks']>();
  private readonly dayEquity = new Map<string, { before: Dec; end: Dec }>();

  /**
   * Values every scope after the facts of one event-time minute and records a point (at most
   * one per minute per scope) where equity changed, plus the day's end equity.
   */
  private sampleEquity(minute: number): void {
    this.valuation ??= new IncrementalValuation(this.draft);
    const valuation = this.valuation.current();
    const scopes: [string, ScopeFigures][] = [['portfolio', valuation.portfolio]];
    for (const [id, f] of valuation.accounts) scopes.push([accountScope(id), f]);
    for (const [id, f] of valuation.bots) scopes.push([botScope(id), f]);
    for (const [scope, f] of scopes) {
      const last = this.draft.lastPoints.get(scope);
      if (last && last.equity === f.equity) continue;
      // A late minute cannot rewrite history already drawn: it lands on the latest point.
      const ts = Math.max(minute, last?.ts ?? minute);
      const adjusted = adjustedEquity(f);
      const oldPeak = this.draft.peaks.get(scope);
      const peak = oldPeak === undefined || adjusted > oldPeak ? adjusted : oldPeak;
      if (peak !== oldPeak) {
        this.draft.peaks.set(scope, peak);
        this.peakRows.set(scope, { scope, peak: decToString(peak), updated_at: this.now });
      }
      this.points.set(`${scope}\u0000${ts}`, {
        scope,
        ts,
        equity: decToString(f.equity),
        realized_net: decToString(f.realizedNet),
        unrealized: decToString(f.unrealized),
        cash_flows: decToString(f.cashFlows),
        peak: decToString(peak),
      });
      this.draft.lastPoints.set(scope, { ts, equity: f.equity });
      const dayKey = `${scope}\u0000${tradingDay(ts, this.settings.timezone)}`;
      const day = this.dayEquity.get(dayKey);
      // With no earlier point, the scope had only its opening balance before this batch.
      if (day) day.end = f.equity;
      else this.dayEquity.set(dayKey, { before: last?.equity ?? f.opening, end: f.equity });
    }
  }

  /** Writes the batch's equity points, peaks and daily summary rows. */
  private async writeEquity(): Promise<boolean> {
    await this.repo.upsertRows(
      this.trx,
      'equity_points',
      [...this.points.values()],
      ['scope', 'ts'],
    );
    await this.repo.upsertRows(this.trx, 'scope_peaks', [...this.peakRows.values()], ['scope']);
    const rowKeys = new Set([...this.daily.keys(), ...this.dayEquity.keys()]);
    if (rowKeys.size === 0) return this.points.size > 0;
    const pairs = [...rowKeys].map((k) => k.split('\u0000') as [string, string]);
    const existing = new Map(
      (
        await this.repo.dailyRows(
          this.trx,
          [...new Set(pairs.map((p) => p[0]))],
          [...new Set(pairs.map((p) => p[1]))],
        )
      ).map((r) => [`${r.scope}\u0000${r.date}`, r]),
    );
    const rows: Database['daily_summaries'][] = [];
    for (const [scope, date] of pairs) {
      const k = `${scope}\u0000${date}`;
      const delta = this.daily.get(k) ?? emptyDelta();
      const eq = this.dayEquity.get(k);
      let row = existing.get(k);
      if (!row) {
        const start = decToString(eq?.before ?? this.draft.lastPoints.get(scope)?.equity ?? ZERO);
        row = {
          scope,
          date,
          trades: 0,
          wins: 0,
          losses: 0,
          gross: '0',
          fees: '0',
          net: '0',
          cash_flows: '0',
          start_equity: start,
          end_equity: start,
          updated_at: this.now,
        };
      }
      rows.push({
        ...row,
        trades: row.trades + delta.trades,
        wins: row.wins + delta.wins,
        losses: row.losses + delta.losses,
        gross: decToString(add(decFromString(row.gross), delta.gross)),
        fees: decToString(add(decFromString(row.fees), delta.fees)),
        net: decToString(add(decFromString(row.net), delta.net)),
        cash_flows: decToString(add(decFromString(row.cash_flows), delta.cashFlows)),
        end_equity: eq ? decToString(eq.end) : row.end_equity,
        updated_at: this.now,
      });
    }
    await this.repo.upsertRows(this.trx, 'daily_summaries', rows, ['scope', 'date']);
    return this.points.size > 0;
  }

  // ---------------------------------------------------------------- projections

  private async writeProjections(): Promise<void> {
    const { trx, repo } = this;
    await repo.deleteTrades(trx, [...this.deletedTrips]);
    await repo.upsertRows(
      trx,
      'trades',
      [...this.trips.values()].map((t) =>
        tripToRow(
          t,
          this.tripMultipliers.get(t.id) ?? this.settings.multiplier(t.symbol),
          this.tripBars.get(t.id) ?? null,
        ),
      ),
      ['id'],
    );
    await repo.upsertRows(
      trx,
      'ledger_positions',
      [...this.touchedKeys].map((k) => {
        const s = this.draft.keys.get(k)!;
        return keyStateToRow(s, s.trip, this.now);
      }),
      ['account', 'bot', 'symbol'],
    );
    await repo.upsertRows(trx, 'orders', [...this.orders.values()], ['bot', 'order_id']);
    await repo.upsertRows(
      trx,
      'marks',
      [...this.changedMarks].map((symbol) => {
        const m = this.draft.marks.get(symbol)!;
        return {
          symbol,
          price: decToString(m.price),
          bid: m.bid === null ? null : decToString(m.bid),
          ask: m.ask === null ? null : decToString(m.ask),
          ts: m.ts,
          bot: m.bot,
          received_at: m.receivedAt,
        };
      }),
      ['symbol'],
    );
    await repo.upsertRows(
      trx,
      'mark_bars',
      [...this.changedBars.values()].map((b) => ({
        symbol: b.symbol,
        minute: b.minute,
        open: decToString(b.open),
        high: decToString(b.high),
        low: decToString(b.low),
        close: decToString(b.close),
        open_ts: b.openTs,
        close_ts: b.closeTs,
        count: b.count,
      })),
      ['symbol', 'minute'],
    );
    await repo.upsertRows(
      trx,
      'accounts',
      [...this.changedAccounts].map((id) => {
        const a = this.draft.accounts.get(id)!;
        return {
          id,
          name: a.name,
          broker: a.broker,
          currency: a.currency,
          opening_balance: decToString(a.opening),
          mode: a.mode,
          cash_flows: decToString(a.cashFlows),
          configured: a.configured ? 1 : 0,
          created_at: a.createdAt,
        };
      }),
      ['id'],
    );
    await repo.upsertRows(
      trx,
      'bots',
      [...this.changedBots].map((id) => botInfoToRow(this.draft.bots.get(id)!)),
      ['id'],
    );
  }
}

function addFillToOrder(o: OrdersTable, qty: Dec, price: Dec, ts: number): OrdersTable {
  return {
    ...o,
    filled_qty: decToString(add(decFromString(o.filled_qty), qty)),
    filled_value: decToString(add(decFromString(o.filled_value), mul(qty, price))),
    first_fill_at: o.first_fill_at === null ? ts : Math.min(o.first_fill_at, ts),
  };
}

export function botInfoToRow(b: BotInfo): Database['bots'] {
  return {
    id: b.id,
    name: b.name,
    framework: b.framework,
    account: b.account,
    heartbeat_interval_s: b.heartbeatIntervalS,
    first_seen_at: b.firstSeenAt,
    last_event_at: b.lastEventAt,
    last_heartbeat_at: b.lastHeartbeatAt,
    reported_status: b.reportedStatus,
    version: b.version,
    connections: JSON.stringify(b.connections),
    halted: b.halted ? 1 : 0,
    updated_at: b.updatedAt,
  };
}

interface Slice {
  minute: number;
  fills: SequencedEvent<FillEvent>[];
  marks: SequencedEvent<MarkEvent>[];
  cashFlows: SequencedEvent<CashFlowEvent>[];
}

/** Groups the valuation-moving facts by event-time minute, oldest first. */
function sliceByMinute(
  fills: SequencedEvent<FillEvent>[],
  marks: SequencedEvent<MarkEvent>[],
  cashFlows: SequencedEvent<CashFlowEvent>[],
): Slice[] {
  const slices = new Map<number, Slice>();
  const slice = (ts: number) => {
    const minute = minuteOf(ts);
    let s = slices.get(minute);
    if (!s) {
      s = { minute, fills: [], marks: [], cashFlows: [] };
      slices.set(minute, s);
    }
    return s;
  };
  for (const f of fills) slice(f.event.ts).fills.push(f);
  for (const m of marks) slice(m.event.ts).marks.push(m);
  for (const c of cashFlows) slice(c.event.ts).cashFlows.push(c);
  return [...slices.values()].sort((a, b) => a.minute - b.minute);
}
