import { z } from 'zod';

const pct = () => z.number().min(0).max(100);
const seconds = () =>
  z
    .number()
    .positive()
    .max(86_400 * 366);

/** A warn level and an optional fail level (null: this measurement never fails the hub). */
const threshold = (warn: number, fail: number | null) =>
  z
    .strictObject({
      warn: z.number().nonnegative().default(warn),
      fail: z.number().nonnegative().nullable().default(fail),
    })
    .default({ warn, fail });

const thresholdsConfig = z.strictObject({
  /** Disk used on the data directory's file system, percent. */
  disk_pct: threshold(85, 95),
  /** Disk free under this many bytes fails the check whatever the percentage (default 1 GB). */
  disk_min_free_bytes: z
    .number()
    .nonnegative()
    .default(1024 ** 3),
  /** System memory in use, percent. */
  memory_pct: threshold(80, 95),
  /** System CPU in use, percent (averaged over the sampling interval). */
  cpu_pct: threshold(90, null),
  /** Event-loop lag (p99 over the sampling interval), milliseconds. */
  event_loop_lag_ms: threshold(200, 1000),
  /** `SELECT 1` round trip, milliseconds. */
  database_ms: threshold(250, 2000),
  /** Age of the latest mark of a symbol with an open position, seconds. */
  marks_staleness_s: threshold(900, null),
  /** Status of `bot:<id>:heartbeatAge` when a bot is down (missed 2 intervals). */
  bot_down: z.enum(['warn', 'fail']).default('warn'),
  /** Status of `bot:<id>:connection:<name>` when the bot reports a connection down. */
  connection_down: z.enum(['warn', 'fail']).default('warn'),
});

const alertThresholdsConfig = z.strictObject({
  /** OrderLatencyHigh: p95 of submitted → first fill over the window, seconds. */
  order_latency_p95_s: z.number().positive().default(5),
  /** FeedLatencyHigh: p95 of mark time → receipt over the window, seconds. */
  feed_latency_p95_s: z.number().positive().default(10),
  /** ApiErrorRateHigh: share of 5xx answers over the window, percent. */
  api_error_rate_pct: pct().default(5),
  /** ApiLatencyHigh: p95 of API answer times over the window, seconds. */
  api_latency_p95_s: z.number().positive().default(1),
  /** Minimum requests in the window before the API alerts can fire. */
  api_min_requests: z.number().int().nonnegative().default(20),
  /** Minimum observations in the window before the latency alerts can fire. */
  latency_min_samples: z.number().int().nonnegative().default(5),
  /** The rolling window every threshold alert looks at, minutes. */
  window_minutes: z.number().int().min(1).max(60).default(5),
});

const retentionConfig = z.strictObject({
  /** Stored events (GET /api/v1/events); 0 keeps them forever. */
  events_days: z.number().int().nonnegative().default(90),
  /** Resource samples (downsampled to 5 minutes after `downsample_after_days`). */
  samples_days: z.number().int().nonnegative().default(30),
  downsample_after_days: z.number().positive().default(2),
  /** Per-minute latency percentiles. */
  latency_days: z.number().int().nonnegative().default(30),
  /** Bot log lines (the `logs` fact table). Facts that feed projections are never pruned. */
  logs_days: z.number().int().nonnegative().default(90),
  /** Raw bot heartbeats (the `heartbeats` fact table; each bot's latest is kept in `bots`). */
  heartbeats_days: z.number().int().nonnegative().default(90),
  /** How often the retention job runs, seconds. */
  interval_s: seconds().default(3600),
});

const logFileConfig = z.strictObject({
  /** Also write the JSON log to this file (relative paths are under data_dir). */
  path: z.string().min(1).optional(),
  /** Rotate when the file reaches this size, megabytes. */
  max_size_mb: z.number().positive().max(100_000).default(50),
  /** Rotated files kept (file.1 … file.N). */
  keep: z.number().int().min(1).max(1000).default(5),
});

const reconciliationConfig = z.strictObject({
  enabled: z.boolean().default(true),
  /** How often snapshots are compared with the ledger, seconds. */
  interval_s: seconds().default(60),
  /** Largest position quantity difference that still counts as matching. */
  qty_tolerance: z.number().nonnegative().default(1e-6),
  /** Cash / equity difference that still counts as matching: the larger of the two. */
  money_tolerance: z.number().nonnegative().default(1),
  money_tolerance_pct: pct().default(0.5),
  /** Compare cash and equity for `configured` accounts only (known opening balance), `all`, or `none`. */
  balances: z.enum(['configured', 'all', 'none']).default('configured'),
  /** An open order with no update for this long is orphaned, minutes. */
  orphan_after_minutes: z.number().positive().default(60),
  /** A fill whose order is still unknown after this long is orphaned, minutes. */
  unknown_order_grace_minutes: z.number().positive().default(10),
  /** How far back fills are checked for unknown orders, hours. */
  unknown_order_lookback_hours: z.number().positive().default(24),
});

/** `health:` — check thresholds, metrics, sampler, events, retention, recovery (issue 6). */
export const healthConfig = z.strictObject({
  thresholds: thresholdsConfig.default(thresholdsConfig.parse({})),
  alerts: alertThresholdsConfig.default(alertThresholdsConfig.parse({})),
  metrics: z
    .strictObject({
      /** Serve GET /metrics and record HTTP / ingest / latency metrics. */
      enabled: z.boolean().default(true),
      /**
       * When set, /metrics needs `Authorization: Bearer <token>` with this token (or any hub
       * token with the read scope). When unset, /metrics is public: it shows equity figures, so
       * set a token whenever the hub listens beyond loopback.
       */
      token: z.string().min(16).optional(),
    })
    .default({ enabled: true }),
  /** Log one line per HTTP request at this level (`off` for none). */
  request_log: z.enum(['off', 'debug', 'info']).default('debug'),
  log_file: logFileConfig.default(logFileConfig.parse({})),
  sampler: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Seconds between resource samples (and threshold evaluations). */
      interval_s: z.number().min(1).max(3600).default(15),
    })
    .default({ enabled: true, interval_s: 15 }),
  events: z
    .strictObject({
      /** Derive TRADE / ORDER / SIGNAL / LOG events from ingested facts. */
      derive: z.boolean().default(true),
      /** Bot log lines at or above this level become LOG events. */
      log_min_level: z.enum(['debug', 'info', 'warning', 'error', 'critical']).default('warning'),
      /** Derived events are written in one insert at most this often, milliseconds. */
      flush_ms: z.number().int().min(10).max(60_000).default(1000),
    })
    .default({ derive: true, log_min_level: 'warning', flush_ms: 1000 }),
  retention: retentionConfig.default(retentionConfig.parse({})),
  reconciliation: reconciliationConfig.default(reconciliationConfig.parse({})),
  /** The hub's own heartbeat in the database (crash detection), seconds. */
  heartbeat_interval_s: z.number().min(1).max(3600).default(30),
  /** Seconds between pings of `self_heartbeat_url`. */
  self_heartbeat_interval_s: z.number().min(1).max(86_400).default(60),
  /** HubRecovered resolves by itself after this many seconds. */
  recovered_alert_hold_s: seconds().default(3600),
});

const statusRange = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5]xx$/, 'expected a status code or a class like 2xx'),
]);

/** `probes:` — external dependencies checked from the hub (issue 6). */
export const probesConfig = z.array(
  z.strictObject({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits and . _ -'),
    url: z.url(),
    /** Seconds between checks. */
    interval: z.number().min(1).max(86_400).default(60),
    /** Seconds before a check counts as failed. */
    timeout: z.number().positive().max(300).default(10),
    /** Status codes that count as up: a code, a class like `2xx`, or a list of them. */
    expect_status: z.union([statusRange, z.array(statusRange).min(1)]).default('2xx'),
    /** Answer time above this many milliseconds is a warning. */
    warn_ms: z.number().positive().optional(),
    /** ProbeFailed fires after this many failures in a row. */
    failures_before_alert: z.number().int().min(1).max(100).default(2),
  }),
);
export type HealthConfig = z.output<typeof healthConfig>;
export type ProbesConfig = z.output<typeof probesConfig>;
export type ProbeConfig = ProbesConfig[number];
