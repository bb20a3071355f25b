import { ZERO, type Dec } from '../../ledger/index.js';
import { lotTotals, type PortfolioState } from '../../portfolio/index.js';
import { formatDuration } from '../duration.js';
import {
  fingerprint,
  fullLabels,
  type AlertRecord,
  type Annotations,
  type FireSignal,
} from '../model.js';
import type { Builtins } from './builtins.js';

export interface LivenessSettings {
  defaultIntervalS: number;
  staleMarketDataS: number | null;
}

/** Signals plus the fingerprints they cover (everything else of the source resolves). */
export interface Derived {
  signals: FireSignal[];
  fingerprints: Set<string>;
}

export function derived(signals: FireSignal[]): Derived {
  return {
    signals,
    fingerprints: new Set(
      signals.map((s) => fingerprint(s.name, fullLabels(s.name, s.severity, s.labels))),
    ),
  };
}

/**
 * The dead-man's switch and friends (pure): `BotDown` when a bot that has sent heartbeats sends
 * none for twice its interval, `ConnectionLost` for each connection its last heartbeat reported
 * down, `StaleMarketData` when a symbol with an open position has had no mark for N seconds.
 */
export function livenessSignals(
  state: PortfolioState,
  now: number,
  settings: LivenessSettings,
  builtins: Builtins,
): Derived {
  const signals: FireSignal[] = [];
  for (const b of state.bots.values()) {
    const labels: Record<string, string> = { bot: b.id };
    if (b.account) labels.account = b.account;
    if (builtins.enabled('BotDown') && b.lastHeartbeatAt !== null) {
      const intervalS = b.heartbeatIntervalS ?? settings.defaultIntervalS;
      const age = now - b.lastHeartbeatAt;
      if (age > 2 * intervalS * 1000) {
        signals.push({
          name: 'BotDown',
          severity: builtins.severity('BotDown'),
          labels,
          annotations: {
            summary: `Bot ${b.id} has sent no heartbeat since ${new Date(b.lastHeartbeatAt).toISOString()} (interval ${formatDuration(intervalS * 1000)})`,
            description: `No heartbeat for more than twice the interval. A bot that has crashed cannot report its own death: check its process, host and network.`,
            last_heartbeat_at: new Date(b.lastHeartbeatAt).toISOString(),
          },
          source: 'liveness',
        });
      }
    }
    if (builtins.enabled('ConnectionLost')) {
      for (const [connection, status] of Object.entries(b.connections)) {
        if (status !== 'down') continue;
        signals.push({
          name: 'ConnectionLost',
          severity: builtins.severity('ConnectionLost'),
          labels: { ...labels, connection },
          annotations: { summary: `Bot ${b.id} reports its ${connection} connection down` },
          source: 'liveness',
        });
      }
    }
  }
  if (builtins.enabled('StaleMarketData') && settings.staleMarketDataS !== null) {
    const limitMs = settings.staleMarketDataS * 1000;
    for (const ks of state.keys.values()) {
      const qty: Dec = lotTotals(ks).qty;
      if (qty === ZERO) continue;
      const mark = state.marks.get(ks.key.symbol);
      const last = mark?.receivedAt ?? ks.lastPriceTs;
      if (last === null || now - last <= limitMs) continue;
      signals.push({
        name: 'StaleMarketData',
        severity: builtins.severity('StaleMarketData'),
        labels: { bot: ks.key.bot, account: ks.key.account, symbol: ks.key.symbol },
        annotations: {
          summary: `No price for ${ks.key.symbol} since ${new Date(last).toISOString()} while ${ks.key.bot} holds a position (limit ${formatDuration(limitMs)})`,
        },
        source: 'liveness',
      });
    }
  }
  return derived(signals);
}

/** What a resolved BotDown says: how long the bot was gone. */
export function botDownResolution(a: AlertRecord, state: PortfolioState): Annotations | undefined {
  if (a.name !== 'BotDown') return undefined;
  const bot = state.bots.get(a.labels.bot ?? '');
  const before = Date.parse(a.annotations.last_heartbeat_at ?? '');
  if (!bot || bot.lastHeartbeatAt === null || Number.isNaN(before)) return { resolved: 'resolved' };
  const downtime = bot.lastHeartbeatAt - before;
  return {
    resolved: `Bot ${bot.id} is back after ${formatDuration(downtime)} without heartbeats`,
    downtime_s: String(Math.round(downtime / 1000)),
  };
}
