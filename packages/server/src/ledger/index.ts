/**
 * The ledger: FIFO lots, realized P&L, round trips and position figures per
 * (account, bot, symbol). Pure: no I/O, no clock, no globals, and no input is ever
 * mutated — every operation returns new values, so the ingest pipeline can keep the
 * previous state for rollback and rebuild everything from the stored fills.
 *
 * @example
 * const key = { account: 'main', bot: 'grid-1', symbol: 'BTCUSDT' };
 * let state = emptyState(key, ONE);
 * ({ state } = applyFill(state, { seq: 1, id: 'f1', ts: 1, side: 'buy', qty: dec(1), price: dec(100), fee: ZERO, strategy: null }));
 * const { effect } = applyFill(state, { seq: 2, id: 'f2', ts: 2, side: 'sell', qty: dec(1), price: dec(110), fee: ZERO, strategy: null });
 * decToString(effect.realizedGross); // '10'
 */
export * from './decimal.js';
export type * from './types.js';
export { applyFill, compareFills, emptyState, needsReplay, replay, tradeId } from './fifo.js';
export { foldPrice, positionFigures, tripMetrics } from './figures.js';
