import { z } from 'zod';
import { wireTime } from './time.js';

/** Limits the ingest API enforces; exported so clients can batch within them. */
export const INGEST_LIMITS = {
  maxEvents: 10_000,
  maxBodyBytes: 5 * 1024 * 1024,
} as const;

const text = (max: number) => z.string().min(1).max(max);
const finite = () => z.number().finite();
const positive = () => finite().positive();

/** Ids are opaque client strings; printable, bounded. */
export const idSchema = text(128);
export const botIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]*$/,
    'bot ids use letters, digits and . _ : - (start with a letter or digit)',
  );
export const accountIdSchema = botIdSchema;
/** Symbols are stored verbatim (unicode, quotes, anything printable); only length is bounded. */
export const symbolSchema = text(64);

export const SIDES = ['buy', 'sell'] as const;
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] as const;
export const ORDER_STATUSES = [
  'new',
  'submitted',
  'accepted',
  'partially_filled',
  'filled',
  'cancelled',
  'rejected',
  'expired',
] as const;
/** Order statuses after which an order can no longer fill. */
export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = [
  'filled',
  'cancelled',
  'rejected',
  'expired',
];
export const CASH_FLOW_KINDS = [
  'deposit',
  'withdrawal',
  'dividend',
  'interest',
  'fee',
  'transfer',
] as const;
export const SIGNAL_DIRECTIONS = ['long', 'short', 'flat'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export const CONNECTION_STATES = ['up', 'down'] as const;

export type Side = (typeof SIDES)[number];
export type OrderType = (typeof ORDER_TYPES)[number];
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type CashFlowKind = (typeof CASH_FLOW_KINDS)[number];
export type SignalDirection = (typeof SIGNAL_DIRECTIONS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

const base = {
  bot: botIdSchema,
  ts: wireTime,
};
/** Facts that must never count twice carry a client id, unique per bot. */
const withId = { ...base, id: idSchema };
/** Other events may carry one; without it the hub derives one from the content. */
const withOptionalId = { ...base, id: idSchema.optional() };

const tagsSchema = z.array(text(64)).max(32);
const jsonRecord = z.record(z.string().max(128), z.unknown());

export const fillEvent = z.object({
  type: z.literal('fill'),
  ...withId,
  symbol: symbolSchema,
  side: z.enum(SIDES),
  qty: positive(),
  price: positive(),
  fee: finite().nonnegative().default(0),
  fee_currency: text(16).optional(),
  account: accountIdSchema.optional(),
  strategy: text(128).optional(),
  order_id: idSchema.optional(),
  tags: tagsSchema.optional(),
});

export const orderEvent = z.object({
  type: z.literal('order'),
  ...withId,
  order_id: idSchema,
  symbol: symbolSchema,
  side: z.enum(SIDES),
  qty: positive(),
  order_type: z.enum(ORDER_TYPES),
  limit_price: positive().optional(),
  stop_price: positive().optional(),
  status: z.enum(ORDER_STATUSES),
  reason: text(2000).optional(),
  account: accountIdSchema.optional(),
  strategy: text(128).optional(),
});

export const positionEvent = z.object({
  type: z.literal('position'),
  ...withOptionalId,
  account: accountIdSchema.optional(),
  symbol: symbolSchema,
  qty: finite(),
  avg_price: finite().nonnegative().optional(),
});

export const balanceEvent = z.object({
  type: z.literal('balance'),
  ...withOptionalId,
  account: accountIdSchema.optional(),
  cash: finite(),
  equity: finite().optional(),
  buying_power: finite().optional(),
  currency: text(16).optional(),
});

export const cashFlowEvent = z.object({
  type: z.literal('cash_flow'),
  ...withId,
  account: accountIdSchema.optional(),
  amount: finite().refine((v) => v !== 0, 'must not be zero'),
  kind: z.enum(CASH_FLOW_KINDS),
  note: text(2000).optional(),
});

export const markEvent = z.object({
  type: z.literal('mark'),
  ...withOptionalId,
  symbol: symbolSchema,
  price: positive(),
  bid: positive().optional(),
  ask: positive().optional(),
});

export const signalEvent = z.object({
  type: z.literal('signal'),
  ...withOptionalId,
  strategy: text(128).optional(),
  symbol: symbolSchema,
  direction: z.enum(SIGNAL_DIRECTIONS),
  strength: finite().optional(),
  note: text(2000).optional(),
});

export const heartbeatEvent = z.object({
  type: z.literal('heartbeat'),
  ...withOptionalId,
  interval_s: finite().positive().max(86_400).optional(),
  status: text(64).optional(),
  version: text(64).optional(),
  connections: z.record(z.string().min(1).max(64), z.enum(CONNECTION_STATES)).optional(),
});

export const logEvent = z.object({
  type: z.literal('log'),
  ...withOptionalId,
  level: z.enum(LOG_LEVELS),
  message: text(10_000),
  context: jsonRecord.optional(),
});

export const metricEvent = z.object({
  type: z.literal('metric'),
  ...withOptionalId,
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z_][A-Za-z0-9_.:-]*$/, 'metric names use letters, digits and _ . : -'),
  value: finite(),
  labels: z.record(z.string().min(1).max(64), z.string().max(256)).optional(),
});

export const EVENT_TYPES = [
  'fill',
  'order',
  'position',
  'balance',
  'cash_flow',
  'mark',
  'signal',
  'heartbeat',
  'log',
  'metric',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const ingestEvent = z.discriminatedUnion('type', [
  fillEvent,
  orderEvent,
  positionEvent,
  balanceEvent,
  cashFlowEvent,
  markEvent,
  signalEvent,
  heartbeatEvent,
  logEvent,
  metricEvent,
]);

export type FillEvent = z.output<typeof fillEvent>;
export type OrderEvent = z.output<typeof orderEvent>;
export type PositionEvent = z.output<typeof positionEvent>;
export type BalanceEvent = z.output<typeof balanceEvent>;
export type CashFlowEvent = z.output<typeof cashFlowEvent>;
export type MarkEvent = z.output<typeof markEvent>;
export type SignalEvent = z.output<typeof signalEvent>;
export type HeartbeatEvent = z.output<typeof heartbeatEvent>;
export type LogEvent = z.output<typeof logEvent>;
export type MetricEvent = z.output<typeof metricEvent>;
/** An event after validation: times are epoch ms, defaults applied, unknown fields dropped. */
export type IngestEvent = z.output<typeof ingestEvent>;
/** An event as a client writes it (times may be ISO strings). */
export type IngestEventInput = z.input<typeof ingestEvent>;

export const ingestRequest = z.object({
  events: z.array(z.unknown()).max(INGEST_LIMITS.maxEvents),
});

export const ingestResponse = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
});
export type IngestResponse = z.output<typeof ingestResponse>;
