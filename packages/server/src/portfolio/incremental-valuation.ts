import { ZERO, type Dec, type KeyState } from '../ledger/index.js';
import { keyString, type PortfolioState } from './state.js';
import { keyFigures, valueAll, type ScopeFigures, type Valuation } from './valuation.js';

/** What one ledger key adds to the figures of its scopes. */
interface Contribution {
  realizedGross: Dec;
  realizedNet: Dec;
  fees: Dec;
  unrealized: Dec;
  grossExposure: Dec;
  netExposure: Dec;
  open: number;
}

const NONE: Contribution = {
  realizedGross: ZERO,
  realizedNet: ZERO,
  fees: ZERO,
  unrealized: ZERO,
  grossExposure: ZERO,
  netExposure: ZERO,
  open: 0,
};

function contributionOf(state: PortfolioState, ks: KeyState): Contribution {
  const f = keyFigures(ks, state.marks.get(ks.key.symbol)?.price ?? null);
  const mv = f.marketValue;
  return {
    realizedGross: ks.realizedGross,
    realizedNet: ks.realizedNet,
    fees: ks.feesPaid,
    unrealized: f.unrealized,
    grossExposure: mv < ZERO ? -mv : mv,
    netExposure: mv,
    open: f.qty === ZERO ? 0 : 1,
  };
}

function apply(target: ScopeFigures, c: Contribution, sign: 1n | -1n): void {
  target.realizedGross += c.realizedGross * sign;
  target.realizedNet += c.realizedNet * sign;
  target.fees += c.fees * sign;
  target.unrealized += c.unrealized * sign;
  target.grossExposure += c.grossExposure * sign;
  target.netExposure += c.netExposure * sign;
  target.openPositions += c.open * Number(sign);
}

function blank(): ScopeFigures {
  return {
    opening: ZERO,
    cashFlows: ZERO,
    realizedGross: ZERO,
    realizedNet: ZERO,
    fees: ZERO,
    unrealized: ZERO,
    grossExposure: ZERO,
    netExposure: ZERO,
    openPositions: 0,
    equity: ZERO,
  };
}

/**
 * `valueAll`, kept up to date by deltas: a batch that applies its facts minute by minute
 * re-values only the keys a minute touched (a fill, a mark of their symbol, a cash flow of
 * their account) instead of every key, so a backfill of a year costs what its facts cost.
 * It produces exactly the figures `valueAll` would on the same state.
 */
export class IncrementalValuation {
  private readonly valuation: Valuation;
  private readonly contributions = new Map<string, Contribution>();
  private readonly keysBySymbol = new Map<string, Set<string>>();

  constructor(private readonly state: PortfolioState) {
    this.valuation = valueAll(state);
    for (const [k, ks] of state.keys) {
      this.contributions.set(k, contributionOf(state, ks));
      this.index(k, ks);
    }
  }

  private index(k: string, ks: KeyState): void {
    let set = this.keysBySymbol.get(ks.key.symbol);
    if (!set) {
      set = new Set();
      this.keysBySymbol.set(ks.key.symbol, set);
    }
    set.add(k);
  }

  private scopesOf(ks: KeyState): ScopeFigures[] {
    const v = this.valuation;
    let account = v.accounts.get(ks.key.account);
    if (!account) {
      account = blank();
      v.accounts.set(ks.key.account, account);
    }
    let bot = v.bots.get(ks.key.bot);
    if (!bot) {
      bot = blank();
      v.bots.set(ks.key.bot, bot);
    }
    return [v.portfolio, account, bot];
  }

  private revalue(k: string): void {
    const ks = this.state.keys.get(k);
    if (!ks) return;
    const before = this.contributions.get(k) ?? NONE;
    const after = contributionOf(this.state, ks);
    for (const scope of this.scopesOf(ks)) {
      apply(scope, before, -1n);
      apply(scope, after, 1n);
    }
    this.contributions.set(k, after);
  }

  /** The state of a key changed (after `state.keys.set`). */
  keyChanged(ks: KeyState): void {
    const k = keyString(ks.key);
    this.index(k, ks);
    this.revalue(k);
  }

  /** A symbol's mark changed (after `state.marks.set`). */
  markChanged(symbol: string): void {
    for (const k of this.keysBySymbol.get(symbol) ?? []) this.revalue(k);
  }

  /** An account's opening balance or cash flows changed (after `state.accounts.set`). */
  accountChanged(id: string): void {
    const info = this.state.accounts.get(id);
    if (!info) return;
    const v = this.valuation;
    let account = v.accounts.get(id);
    if (!account) {
      account = blank();
      v.accounts.set(id, account);
    }
    v.portfolio.opening += info.opening - account.opening;
    v.portfolio.cashFlows += info.cashFlows - account.cashFlows;
    account.opening = info.opening;
    account.cashFlows = info.cashFlows;
  }

  /** A bot appeared (it is a scope even before it trades). */
  botSeen(id: string): void {
    if (!this.valuation.bots.has(id)) this.valuation.bots.set(id, blank());
  }

  /** Current figures of every scope, with equity filled in. */
  current(): Valuation {
    const finish = (f: ScopeFigures) => {
      f.equity = f.opening + f.cashFlows + f.realizedNet + f.unrealized;
    };
    finish(this.valuation.portfolio);
    this.valuation.accounts.forEach(finish);
    this.valuation.bots.forEach(finish);
    return this.valuation;
  }
}
