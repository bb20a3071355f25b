import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PortfolioResponse } from '@tradewatch/protocol';
import type { BatchChanges } from '../ingest/batch.js';
import { decToNumber } from '../ledger/index.js';
import type { PortfolioState } from '../portfolio/state.js';
import type { BatchLatencies } from './latency.js';

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LATENCY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Label values that come from clients (bot ids) are capped: past `max` distinct values the rest
 * share `other`, so a misbehaving client cannot blow up the series count.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}

export interface MetricsSources {
  state(): PortfolioState;
  portfolio(): Promise<PortfolioResponse>;
  now(): number;
  defaultHeartbeatIntervalS: number;
  version: string;
}

/** Snapshot of the projections shared by every gauge of one scrape. */
interface Snapshot {
  portfolio: PortfolioResponse;
  botDrawdown: Map<string, number>;
}

/**
 * The hub's own Prometheus metrics, registered in the shared registry (other modules register
 * theirs beside them). Labels are bounded: route patterns (never raw URLs), status codes, event
 * types, account and bot ids (capped), never order or trade ids.
 */
export class HubMetrics {
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly httpErrors: Counter<'method' | 'route' | 'status_code'>;
  readonly ingestEvents: Counter<'type'>;
  readonly ingestBatches: Counter;
  readonly orderLatency: Histogram<'bot'>;
  readonly feedLatency: Histogram<'bot'>;
  readonly dbDuration: Histogram<'operation'>;
  readonly eventsRecorded: Counter<'type' | 'severity'>;
  readonly eventsDropped: Gauge;
  readonly probeUp: Gauge<'probe'>;
  readonly probeDuration: Gauge<'probe'>;
  readonly reconciliationMismatches: Gauge<'kind'>;
  readonly orphanedOrders: Gauge<'kind'>;
  readonly healthStatus: Gauge;
  private readonly bots = new BoundedLabel(500);
  private pending: Promise<Snapshot> | null = null;

  constructor(
    private readonly registry: Registry,
    private readonly sources: MetricsSources,
  ) {
    const registers = [registry];
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total break the Prometheus naming rules (promtool lints them); the same
    // figures stay available as nodejs_active_handles / _requests / _resources by type.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ])
      registry.removeSingleMetric(name);
    this.httpDuration = new Histogram({
      name: 'tradewatch_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.httpErrors = new Counter({
      name: 'tradewatch_http_request_errors_total',
      help: 'HTTP requests answered with a 5xx status',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    });
    this.ingestEvents = new Counter({
      name: 'tradewatch_ingest_events_total',
      help: 'Events committed by ingest (duplicates excluded), by event type',
      labelNames: ['type'],
      registers,
    });
    this.ingestBatches = new Counter({
      name: 'tradewatch_ingest_batches_total',
      help: 'Ingest batches committed',
      registers,
    });
    this.orderLatency = new Histogram({
      name: 'tradewatch_order_latency_seconds',
      help: 'Time from an order being submitted to its first fill (event times), by bot',
      labelNames: ['bot'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.feedLatency = new Histogram({
      name: 'tradewatch_feed_latency_seconds',
      help: 'Time from a mark price being observed (its event time) to the hub receiving it, by bot',
      labelNames: ['bot'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.dbDuration = new Histogram({
      name: 'tradewatch_db_query_duration_seconds',
      help: 'Database query duration by operation',
      labelNames: ['operation'],
      buckets: DB_BUCKETS,
      registers,
    });
    this.eventsRecorded = new Counter({
      name: 'tradewatch_events_recorded_total',
      help: 'Events written to the event log, by type and severity',
      labelNames: ['type', 'severity'],
      registers,
    });
    this.eventsDropped = new Gauge({
      name: 'tradewatch_events_dropped',
      help: 'Derived events dropped because the write buffer was full (since start)',
      registers,
    });
    this.probeUp = new Gauge({
      name: 'tradewatch_probe_up',
      help: '1 when the last check of a configured probe succeeded',
      labelNames: ['probe'],
      registers,
    });
    this.probeDuration = new Gauge({
      name: 'tradewatch_probe_duration_seconds',
      help: 'Answer time of the last check of a configured probe',
      labelNames: ['probe'],
      registers,
    });
    this.reconciliationMismatches = new Gauge({
      name: 'tradewatch_reconciliation_mismatches',
      help: 'Broker snapshots that disagree with the ledger beyond tolerance, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.orphanedOrders = new Gauge({
      name: 'tradewatch_orphaned_orders',
      help: 'Open orders without updates, and fills of unknown orders',
      labelNames: ['kind'],
      registers,
    });
    this.healthStatus = new Gauge({
      name: 'tradewatch_health_status',
      help: 'Overall health at the last evaluation: 0 pass, 1 warn, 2 fail',
      registers,
    });
    new Gauge({
      name: 'tradewatch_hub_info',
      help: 'The hub version (always 1)',
      labelNames: ['version'],
      registers,
    }).set({ version: sources.version }, 1);
    this.registerLedgerGauges(registry);
    this.registerBotGauges(registry);
  }

  botLabel(bot: string): string {
    return this.bots.of(bot);
  }

  /** Counts a committed batch and observes its order and feed latencies. */
  onCommit(changes: BatchChanges, latencies: BatchLatencies): void {
    this.ingestBatches.inc();
    for (const [type, n] of Object.entries(changes.eventCounts)) this.ingestEvents.inc({ type }, n);
    for (const l of latencies.order)
      this.orderLatency.observe({ bot: this.botLabel(l.bot) }, l.ms / 1000);
    for (const l of latencies.feed)
      this.feedLatency.observe({ bot: this.botLabel(l.bot) }, l.ms / 1000);
  }

  /** One portfolio valuation per scrape, shared by every gauge that needs it. */
  private snapshot(): Promise<Snapshot> {
    if (!this.pending) {
      this.pending = (async () => {
        const portfolio = await this.sources.portfolio();
        const state = this.sources.state();
        // A bot's equity is its P&L (no opening balance): drawdown from its stored peak.
        const botDrawdown = new Map<string, number>();
        for (const b of portfolio.bots) {
          const stored = state.peaks.get(`bot:${b.bot}`);
          const peak = stored === undefined ? b.total_pnl : decToNumber(stored);
          botDrawdown.set(b.bot, Math.max(0, peak - b.total_pnl));
        }
        return { portfolio, botDrawdown };
      })().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private registerLedgerGauges(registry: Registry): void {
    type Figures = PortfolioResponse['accounts'][number] | PortfolioResponse;
    const figures: [string, string, (f: Figures) => number][] = [
      [
        'equity',
        'Equity (opening balance + cash flows + realized net + unrealized)',
        (f) => f.equity,
      ],
      [
        'cash',
        'Cash (as the broker last reported it, else as the ledger computes it)',
        (f) => f.cash,
      ],
      ['day_pnl', 'P&L of the current trading day, net of cash flows', (f) => f.day_pnl],
      ['realized_pnl', 'Realized P&L net of fees', (f) => f.realized_net],
      ['unrealized_pnl', 'Unrealized P&L at the latest marks', (f) => f.unrealized],
      ['drawdown', 'Drawdown from the peak of cash-flow-adjusted equity', (f) => f.drawdown],
      ['drawdown_ratio', 'Drawdown as a fraction of the peak', (f) => f.drawdown_pct / 100],
      ['open_positions', 'Open positions', (f) => f.open_positions],
      ['gross_exposure', 'Gross exposure (sum of absolute market values)', (f) => f.gross_exposure],
      ['net_exposure', 'Net exposure (sum of signed market values)', (f) => f.net_exposure],
    ];
    for (const [name, help, pick] of figures) {
      const portfolio: Gauge = new Gauge({
        name: `tradewatch_portfolio_${name}`,
        help: `${help}, whole portfolio in the base currency`,
        registers: [registry],
        collect: async () => {
          const s = await this.snapshot();
          portfolio.set(pick(s.portfolio));
        },
      });
      const account: Gauge<'account' | 'currency'> = new Gauge({
        name: `tradewatch_account_${name}`,
        help: `${help}, per account in its currency`,
        labelNames: ['account', 'currency'],
        registers: [registry],
        collect: async () => {
          const s = await this.snapshot();
          account.reset();
          for (const a of s.portfolio.accounts)
            account.set({ account: a.account, currency: a.currency }, pick(a));
        },
      });
    }
  }

  private registerBotGauges(registry: Registry): void {
    type BotFigures = PortfolioResponse['bots'][number];
    const figures: [string, string, (f: BotFigures) => number][] = [
      ['total_pnl', 'Total P&L (realized net + unrealized)', (f) => f.total_pnl],
      ['day_pnl', 'P&L of the current trading day', (f) => f.day_pnl],
      ['realized_pnl', 'Realized P&L net of fees', (f) => f.realized_net],
      ['unrealized_pnl', 'Unrealized P&L at the latest marks', (f) => f.unrealized],
      ['open_positions', 'Open positions', (f) => f.open_positions],
      ['gross_exposure', 'Gross exposure', (f) => f.gross_exposure],
      ['net_exposure', 'Net exposure', (f) => f.net_exposure],
    ];
    for (const [name, help, pick] of figures) {
      const g: Gauge<'bot'> = new Gauge({
        name: `tradewatch_bot_${name}`,
        help: `${help}, per bot in the base currency`,
        labelNames: ['bot'],
        registers: [registry],
        collect: async () => {
          const s = await this.snapshot();
          g.reset();
          for (const b of s.portfolio.bots) g.set({ bot: this.botLabel(b.bot) }, pick(b));
        },
      });
    }
    const drawdown: Gauge<'bot'> = new Gauge({
      name: 'tradewatch_bot_drawdown',
      help: 'Drawdown of a bot from its peak P&L, in the base currency',
      labelNames: ['bot'],
      registers: [registry],
      collect: async () => {
        const s = await this.snapshot();
        drawdown.reset();
        for (const [bot, dd] of s.botDrawdown) drawdown.set({ bot: this.botLabel(bot) }, dd);
      },
    });
    const up: Gauge<'bot'> = new Gauge({
      name: 'tradewatch_bot_up',
      help: '1 when the bot sent a heartbeat within two of its intervals, else 0',
      labelNames: ['bot'],
      registers: [registry],
      collect: () => {
        up.reset();
        const now = this.sources.now();
        for (const b of this.sources.state().bots.values()) {
          const interval = b.heartbeatIntervalS ?? this.sources.defaultHeartbeatIntervalS;
          const alive =
            b.lastHeartbeatAt !== null && now - b.lastHeartbeatAt <= 2 * interval * 1000;
          up.set({ bot: this.botLabel(b.id) }, alive ? 1 : 0);
        }
      },
    });
    const age: Gauge<'bot'> = new Gauge({
      name: 'tradewatch_bot_heartbeat_age_seconds',
      help: 'Seconds since the bot last sent a heartbeat (absent until the first one)',
      labelNames: ['bot'],
      registers: [registry],
      collect: () => {
        age.reset();
        const now = this.sources.now();
        for (const b of this.sources.state().bots.values()) {
          if (b.lastHeartbeatAt === null) continue;
          age.set({ bot: this.botLabel(b.id) }, Math.max(0, (now - b.lastHeartbeatAt) / 1000));
        }
      },
    });
    const halted: Gauge<'bot'> = new Gauge({
      name: 'tradewatch_bot_halted',
      help: '1 when the bot is halted by the kill switch',
      labelNames: ['bot'],
      registers: [registry],
      collect: () => {
        halted.reset();
        for (const b of this.sources.state().bots.values())
          halted.set({ bot: this.botLabel(b.id) }, b.halted ? 1 : 0);
      },
    });
    const connections: Gauge<'bot' | 'connection'> = new Gauge({
      name: 'tradewatch_bot_connection_up',
      help: 'Connections a bot reports (broker, data feed …): 1 up, 0 down',
      labelNames: ['bot', 'connection'],
      registers: [registry],
      collect: () => {
        connections.reset();
        for (const b of this.sources.state().bots.values()) {
          for (const [name, state] of Object.entries(b.connections).slice(0, 20))
            connections.set({ bot: this.botLabel(b.id), connection: name }, state === 'up' ? 1 : 0);
        }
      },
    });
  }
}
