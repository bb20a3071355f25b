import { PortfolioState } from './state.js';

/**
 * Holds the current portfolio cache. Ingest works on a copy and swaps it in after commit, so
 * readers never see a half-applied batch.
 */
export class PortfolioHolder {
  current = new PortfolioState();

  /** A copy whose maps can be changed without touching `current` (values are immutable). */
  draft(): PortfolioState {
    const c = this.current;
    const d = new PortfolioState();
    d.version = c.version;
    for (const [k, v] of c.accounts) d.accounts.set(k, v);
    for (const [k, v] of c.bots) d.bots.set(k, v);
    for (const [k, v] of c.keys) d.keys.set(k, v);
    for (const [k, v] of c.marks) d.marks.set(k, v);
    for (const [k, v] of c.balances) d.balances.set(k, v);
    for (const [k, v] of c.peaks) d.peaks.set(k, v);
    for (const [k, v] of c.lastPoints) d.lastPoints.set(k, v);
    for (const [k, v] of c.tripBars) d.tripBars.set(k, v);
    return d;
  }
}
