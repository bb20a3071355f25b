import type { Kysely } from 'kysely';
import type { AlertSignal } from '../alert-sink.js';
import type { Database } from '../store/index.js';

export interface StaleOrder {
  bot: string;
  order_id: string;
  symbol: string;
  status: string;
  updated_at: number;
}

export interface UnknownOrderFill {
  bot: string;
  order_id: string;
  fill_id: string;
  symbol: string;
  ts: number;
}

export interface OrphanScan {
  staleOpen: StaleOrder[];
  unknownOrders: UnknownOrderFill[];
}

const LIMIT = 1000;

/**
 * Open orders without an update for `orphanAfterMs`, and recent fills (received more than
 * `graceMs` ago, within `lookbackMs`) whose order the hub never heard of.
 */
export async function scanOrphans(
  db: Kysely<Database>,
  now: number,
  options: { orphanAfterMs: number; graceMs: number; lookbackMs: number },
): Promise<OrphanScan> {
  const staleOpen = await db
    .selectFrom('orders')
    .select(['bot', 'order_id', 'symbol', 'status', 'updated_at'])
    .where('is_open', '=', 1)
    .where('updated_at', '<', now - options.orphanAfterMs)
    .orderBy('updated_at')
    .limit(LIMIT)
    .execute();
  const unknownOrders = await db
    .selectFrom('fills as f')
    .leftJoin('orders as o', (join) =>
      join.onRef('o.bot', '=', 'f.bot').onRef('o.order_id', '=', 'f.order_id'),
    )
    .select(['f.bot', 'f.order_id', 'f.id as fill_id', 'f.symbol', 'f.ts'])
    .where('f.order_id', 'is not', null)
    .where('o.order_id', 'is', null)
    .where('f.ts', '>=', now - options.lookbackMs)
    .where('f.received_at', '<', now - options.graceMs)
    .orderBy('f.ts')
    .limit(LIMIT)
    .execute();
  return {
    staleOpen: staleOpen.map((r) => ({ ...r, updated_at: Number(r.updated_at) })),
    unknownOrders: unknownOrders.map((r) => ({
      bot: r.bot,
      order_id: r.order_id!,
      fill_id: r.fill_id,
      symbol: r.symbol,
      ts: Number(r.ts),
    })),
  };
}

const listIds = (ids: string[]) =>
  ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;

/** One OrphanedOrder alert per bot and kind (order ids go in the text, never in labels). Pure. */
export function orphanAlerts(scan: OrphanScan, orphanAfterMinutes: number): AlertSignal[] {
  const out: AlertSignal[] = [];
  const byBot = <T extends { bot: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) m.set(r.bot, [...(m.get(r.bot) ?? []), r]);
    return [...m].sort(([a], [b]) => a.localeCompare(b));
  };
  for (const [bot, orders] of byBot(scan.staleOpen)) {
    out.push({
      name: 'OrphanedOrder',
      severity: 'warning',
      labels: { bot, kind: 'stale_open' },
      summary: `${bot}: ${orders.length} open order${orders.length > 1 ? 's' : ''} without an update for over ${orphanAfterMinutes} min`,
      description: `Orders: ${listIds(orders.map((o) => `${o.order_id} (${o.symbol}, ${o.status})`))}. Check them at the broker; the bot may have lost track.`,
    });
  }
  for (const [bot, fills] of byBot(scan.unknownOrders)) {
    const ids = [...new Set(fills.map((f) => f.order_id))];
    out.push({
      name: 'OrphanedOrder',
      severity: 'warning',
      labels: { bot, kind: 'unknown_order' },
      summary: `${bot}: ${fills.length} fill${fills.length > 1 ? 's' : ''} for ${ids.length} order${ids.length > 1 ? 's' : ''} the hub never received`,
      description: `Order ids: ${listIds(ids)}. The bot reports fills but not the orders they belong to.`,
    });
  }
  return out;
}
