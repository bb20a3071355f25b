import { sql, type Kysely, type Transaction } from 'kysely';
import type { DialectName, Store } from '../../store/index.js';
import { maxParams } from '../../store/index.js';
import type { AlertCore } from '../engine/core.js';
import type {
  DigestEntry,
  DigestItem,
  Effects,
  GroupRecord,
  SilenceRecord,
  ThrottleRecord,
} from '../engine/types.js';
import { parseMatchers } from '../matchers.js';
import type { AlertRecord, AlertSource, Severity } from '../model.js';
import type {
  AlertsRow,
  AlertsTables,
  CommandAcksRow,
  CommandsRow,
  DeliveriesTable,
  GroupsRow,
  OutboxTable,
  SilencesRow,
} from './tables.js';

type Db = Kysely<AlertsTables>;
type Trx = Transaction<AlertsTables>;
export type OutboxRow = Omit<OutboxTable, 'id'> & { id: number };
export type DeliveryRow = Omit<DeliveriesTable, 'id'> & { id: number };
export type NewDelivery = Omit<DeliveriesTable, 'id'>;

export function alertToRow(a: AlertRecord): AlertsRow {
  return {
    fingerprint: a.fingerprint,
    name: a.name,
    severity: a.severity,
    labels: JSON.stringify(a.labels),
    annotations: JSON.stringify(a.annotations),
    status: a.status,
    source: a.source,
    oneshot: a.oneshot ? 1 : 0,
    starts_at: a.startsAt,
    ends_at: a.endsAt,
    updated_at: a.updatedAt,
    acked_at: a.ackedAt,
    acked_by: a.ackedBy,
    escalated_at: a.escalatedAt,
    episode: a.episode,
  };
}

export function rowToAlert(r: AlertsRow): AlertRecord {
  return {
    fingerprint: r.fingerprint,
    name: r.name,
    severity: r.severity as Severity,
    labels: JSON.parse(r.labels) as Record<string, string>,
    annotations: JSON.parse(r.annotations) as Record<string, string>,
    status: r.status === 'resolved' ? 'resolved' : 'firing',
    source: r.source as AlertSource,
    oneshot: r.oneshot === 1,
    startsAt: Number(r.starts_at),
    endsAt: r.ends_at === null ? null : Number(r.ends_at),
    updatedAt: Number(r.updated_at),
    ackedAt: r.acked_at === null ? null : Number(r.acked_at),
    ackedBy: r.acked_by,
    escalatedAt: r.escalated_at === null ? null : Number(r.escalated_at),
    episode: r.episode,
  };
}

function groupToRow(g: GroupRecord): GroupsRow {
  return {
    key: g.key,
    route: g.route,
    labels: JSON.stringify(g.labels),
    members: JSON.stringify(g.members),
    created_at: g.createdAt,
    next_flush_at: g.nextFlushAt,
    last_flush_at: g.lastFlushAt,
    last_hash: g.lastHash,
    repeat: g.repeat,
  };
}

function rowToGroup(r: GroupsRow): GroupRecord {
  return {
    key: r.key,
    route: r.route,
    labels: JSON.parse(r.labels) as Record<string, string>,
    members: JSON.parse(r.members) as GroupRecord['members'],
    createdAt: Number(r.created_at),
    nextFlushAt: r.next_flush_at === null ? null : Number(r.next_flush_at),
    lastFlushAt: r.last_flush_at === null ? null : Number(r.last_flush_at),
    lastHash: r.last_hash,
    repeat: r.repeat,
  };
}

export function silenceToRow(s: SilenceRecord): SilencesRow {
  return {
    id: s.id,
    matchers: JSON.stringify(s.matchers),
    starts_at: s.startsAt,
    ends_at: s.endsAt,
    comment: s.comment,
    created_by: s.createdBy,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export function rowToSilence(r: SilencesRow): SilenceRecord {
  const matchers = JSON.parse(r.matchers) as Record<string, string>;
  return {
    id: r.id,
    matchers,
    compiled: parseMatchers(matchers),
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    comment: r.comment,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/**
 * The only code of the alerts module that touches SQL: engine state, outbox and deliveries,
 * silences, commands and a small key-value table (the Telegram offset).
 */
export class AlertsRepository {
  constructor(
    readonly db: Db,
    readonly dialect: DialectName,
  ) {}

  static of(store: Store): AlertsRepository {
    return new AlertsRepository(store.db.withTables<AlertsTables>(), store.dialect);
  }

  private chunks<T>(rows: T[], paramsPerRow: number): T[][] {
    const size = Math.max(1, Math.floor(maxParams(this.dialect) / paramsPerRow));
    const out: T[][] = [];
    for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
    return out;
  }

  private async upsert<T extends keyof AlertsTables>(
    db: Db | Trx,
    table: T,
    rows: Record<string, unknown>[],
    keys: string[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!).filter((c) => !keys.includes(c));
    for (const chunk of this.chunks(rows, Object.keys(rows[0]!).length)) {
      await db
        .insertInto(table)
        .values(chunk as never)
        .onConflict((oc) =>
          oc
            .columns(keys as never)
            .doUpdateSet(
              Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])) as never,
            ),
        )
        .execute();
    }
  }

  private async insert<T extends keyof AlertsTables>(
    db: Db | Trx,
    table: T,
    rows: Record<string, unknown>[],
  ): Promise<void> {
    if (rows.length === 0) return;
    for (const chunk of this.chunks(rows, Object.keys(rows[0]!).length)) {
      await db
        .insertInto(table)
        .values(chunk as never)
        .execute();
    }
  }

  // ---------------------------------------------------------------- engine state

  /** Firing alerts, recently resolved ones and every group, silence, throttle and digest item. */
  async loadEngineState(now: number, keepMs: number) {
    const groups = (await this.db.selectFrom('alerts_groups').selectAll().execute()).map(
      rowToGroup,
    );
    const members = new Set(groups.flatMap((g) => Object.keys(g.members)));
    const alerts = (
      await this.db
        .selectFrom('alerts_alerts')
        .selectAll()
        .where((eb) => eb.or([eb('status', '=', 'firing'), eb('updated_at', '>=', now - keepMs)]))
        .execute()
    ).map(rowToAlert);
    const have = new Set(alerts.map((a) => a.fingerprint));
    const missing = [...members].filter((fp) => !have.has(fp));
    for (const chunk of this.chunks(missing, 1)) {
      const rows = await this.db
        .selectFrom('alerts_alerts')
        .selectAll()
        .where('fingerprint', 'in', chunk)
        .execute();
      alerts.push(...rows.map(rowToAlert));
    }
    const silences = (
      await this.db
        .selectFrom('alerts_silences')
        .selectAll()
        .where('ends_at', '>=', now - keepMs)
        .execute()
    ).map(rowToSilence);
    const throttles: ThrottleRecord[] = (
      await this.db.selectFrom('alerts_throttle').selectAll().execute()
    ).map((r) => ({
      channel: r.channel,
      windowStart: Number(r.window_start),
      count: r.count,
      suppressed: JSON.parse(r.suppressed) as string[],
    }));
    const digest: DigestItem[] = (
      await this.db.selectFrom('alerts_digest').selectAll().execute()
    ).map((r) => ({
      id: r.id,
      route: r.route,
      channel: r.channel,
      createdAt: Number(r.created_at),
      entry: JSON.parse(r.entry) as DigestEntry,
    }));
    return { alerts, groups, silences, throttles, digest };
  }

  /** Writes one engine step in one transaction: state changes and their outbox rows together. */
  async persist(
    core: AlertCore,
    fx: Effects,
    lease: { owner: string; until: number } | null = null,
  ): Promise<OutboxRow[]> {
    if (fx.empty) return [];
    const outbox: OutboxRow[] = [];
    await this.db.transaction().execute(async (trx) => {
      await this.upsert(
        trx,
        'alerts_alerts',
        [...fx.alerts]
          .map((fp) => core.alerts.get(fp))
          .filter((a): a is AlertRecord => !!a)
          .map(alertToRow),
        ['fingerprint'],
      );
      await this.insert(
        trx,
        'alerts_history',
        fx.history.map((h) => ({
          fingerprint: h.fingerprint,
          name: h.name,
          ts: h.ts,
          event: h.event,
          severity: h.severity,
          labels: JSON.stringify(h.labels),
          message: h.message.slice(0, 2000),
          actor: h.actor,
        })),
      );
      await this.upsert(
        trx,
        'alerts_groups',
        [...fx.groups]
          .map((k) => core.groups.get(k))
          .filter((g): g is GroupRecord => !!g)
          .map(groupToRow),
        ['key'],
      );
      for (const chunk of this.chunks([...fx.deletedGroups], 1)) {
        await trx.deleteFrom('alerts_groups').where('key', 'in', chunk).execute();
      }
      // New rows are leased to the instance that wrote them: it hands them straight to its
      // dispatcher (no claim on the way to the receiver); another instance takes them only
      // when the lease runs out.
      const rows = fx.outbox.map((o) => ({
        channel: o.channel,
        kind: o.kind,
        group_key: o.groupKey,
        dedup_key: o.dedupKey,
        payload: JSON.stringify(o.payload),
        created_at: o.createdAt,
        status: 'pending',
        attempts: 0,
        next_attempt_at: o.createdAt,
        lease_owner: lease?.owner ?? null,
        lease_until: lease?.until ?? null,
        sent_at: null,
        sent_via: null,
        last_error: null,
      }));
      for (const chunk of this.chunks(rows, 14)) {
        const ids = await trx
          .insertInto('alerts_outbox')
          .values(chunk)
          .returning(['id', 'channel', 'dedup_key'])
          .execute();
        // Match ids to rows by (channel, dedup key), in order, whatever order RETURNING uses.
        const byKey = new Map<string, number[]>();
        for (const r of ids) {
          const k = `${r.channel}\u0000${r.dedup_key}`;
          const list = byKey.get(k) ?? [];
          list.push(Number(r.id));
          byKey.set(k, list);
        }
        for (const list of byKey.values()) list.sort((x, y) => x - y);
        for (const row of chunk) {
          const id = byKey.get(`${row.channel}\u0000${row.dedup_key}`)?.shift();
          if (id !== undefined) outbox.push({ ...row, id });
        }
      }
      await this.upsert(
        trx,
        'alerts_throttle',
        [...fx.throttles]
          .map((c) => core.throttles.get(c))
          .filter((t): t is ThrottleRecord => !!t)
          .map((t) => ({
            channel: t.channel,
            window_start: t.windowStart,
            count: t.count,
            suppressed: JSON.stringify(t.suppressed),
          })),
        ['channel'],
      );
      await this.insert(
        trx,
        'alerts_digest',
        fx.digestAdd.map((d) => ({
          id: d.id,
          route: d.route,
          channel: d.channel,
          created_at: d.createdAt,
          entry: JSON.stringify(d.entry),
        })),
      );
      for (const chunk of this.chunks(fx.digestDelete, 1)) {
        await trx.deleteFrom('alerts_digest').where('id', 'in', chunk).execute();
      }
      await this.upsert(
        trx,
        'alerts_silences',
        [...fx.silences]
          .map((id) => core.silences.get(id))
          .filter((s): s is SilenceRecord => !!s)
          .map(silenceToRow),
        ['id'],
      );
    });
    return outbox.sort((x, y) => x.id - y.id);
  }

  // ---------------------------------------------------------------- outbox

  async pendingChannels(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('alerts_outbox')
      .select('channel')
      .distinct()
      .where('status', '=', 'pending')
      .execute();
    return rows.map((r) => r.channel);
  }

  /**
   * Claims the head of a channel's queue (oldest first) for `owner`, up to `limit` rows, unless
   * the head waits for its next attempt or another instance holds it. Order per channel is kept
   * by never passing a row that is not yet delivered.
   */
  async claim(
    channel: string,
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<{ rows: OutboxRow[]; exhausted: boolean }> {
    const rows = (await this.db
      .selectFrom('alerts_outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('channel', '=', channel)
      .orderBy('id')
      .limit(limit)
      .execute()) as OutboxRow[];
    const head = rows[0];
    if (!head) return { rows: [], exhausted: true };
    const blocked = { rows: [], exhausted: false };
    if (Number(head.next_attempt_at) > now) return blocked;
    if (head.lease_owner !== null && head.lease_owner !== owner && Number(head.lease_until) > now)
      return blocked;
    const take: OutboxRow[] = [];
    for (const r of rows) {
      const free =
        r.lease_owner === null || r.lease_owner === owner || Number(r.lease_until) <= now;
      if (Number(r.next_attempt_at) > now || !free) break;
      take.push(r);
    }
    const ids = take.map((r) => Number(r.id));
    const claimed = await this.db
      .updateTable('alerts_outbox')
      .set({ lease_owner: owner, lease_until: now + leaseMs })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .where((eb) =>
        eb.or([
          eb('lease_owner', 'is', null),
          eb('lease_owner', '=', owner),
          eb('lease_until', '<=', now),
        ]),
      )
      .returning('id')
      .execute();
    const mine = new Set(claimed.map((r) => Number(r.id)));
    // Another instance may have taken some: keep the unbroken run from the head.
    const out: OutboxRow[] = [];
    for (const r of take) {
      if (!mine.has(Number(r.id))) break;
      out.push({ ...r, id: Number(r.id), lease_owner: owner, lease_until: now + leaseMs });
    }
    return { rows: out, exhausted: out.length === rows.length && rows.length < limit };
  }

  /** Marks delivered rows sent (only after a 2xx) and records the attempts, in one transaction. */
  async settle(
    sent: { id: number; via: string; at: number }[],
    failed: { id: number; attempts: number; nextAttemptAt: number; error: string }[],
    skipped: { id: number; reason: string }[],
    deliveries: NewDelivery[],
    owner: string,
  ): Promise<void> {
    if (sent.length + failed.length + skipped.length + deliveries.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const byVia = new Map<string, { via: string; at: number; ids: number[] }>();
      for (const s of sent) {
        const k = `${s.via}\u0000${s.at}`;
        const g = byVia.get(k) ?? { via: s.via, at: s.at, ids: [] };
        g.ids.push(s.id);
        byVia.set(k, g);
      }
      for (const g of byVia.values()) {
        for (const chunk of this.chunks(g.ids, 1)) {
          await trx
            .updateTable('alerts_outbox')
            .set({
              status: 'sent',
              sent_at: g.at,
              sent_via: g.via,
              lease_owner: null,
              lease_until: null,
              last_error: null,
            })
            .where('id', 'in', chunk)
            .execute();
        }
      }
      for (const f of failed) {
        await trx
          .updateTable('alerts_outbox')
          .set({
            attempts: f.attempts,
            next_attempt_at: f.nextAttemptAt,
            last_error: f.error.slice(0, 1000),
            lease_owner: null,
            lease_until: null,
          })
          .where('id', '=', f.id)
          .where('lease_owner', '=', owner)
          .execute();
      }
      for (const s of skipped) {
        await trx
          .updateTable('alerts_outbox')
          .set({ status: 'skipped', last_error: s.reason, lease_owner: null, lease_until: null })
          .where('id', '=', s.id)
          .execute();
      }
      await this.insert(trx, 'alerts_deliveries', deliveries);
    });
  }

  /** Lets go of rows claimed but not attempted (shutdown). */
  async release(ids: number[], owner: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('alerts_outbox')
      .set({ lease_owner: null, lease_until: null })
      .where('id', 'in', ids)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'pending')
      .execute();
  }

  async releaseAllLeases(): Promise<void> {
    await this.db
      .updateTable('alerts_outbox')
      .set({ lease_owner: null, lease_until: null })
      .where('status', '=', 'pending')
      .where('lease_owner', 'is not', null)
      .execute();
  }

  async nextAttemptAt(): Promise<number | null> {
    const row = await this.db
      .selectFrom('alerts_outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('next'))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return row?.next === null || row?.next === undefined ? null : Number(row.next);
  }

  async outboxRow(id: number): Promise<OutboxRow | null> {
    const r = await this.db
      .selectFrom('alerts_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? { ...r, id: Number(r.id) } : null;
  }

  async insertOutbox(row: Omit<OutboxTable, 'id'>): Promise<number> {
    const r = await this.db
      .insertInto('alerts_outbox')
      .values(row)
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async nextOutboxId(): Promise<number> {
    const row = await this.db
      .selectFrom('alerts_outbox')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return row?.id === null || row?.id === undefined ? 0 : Number(row.id);
  }

  async outboxSince(afterId: number, kind: string): Promise<OutboxRow[]> {
    const rows = await this.db
      .selectFrom('alerts_outbox')
      .selectAll()
      .where('id', '>', afterId)
      .where('kind', '=', kind)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  async pendingCounts(): Promise<Map<string, { pending: number; oldest: number | null }>> {
    const rows = await this.db
      .selectFrom('alerts_outbox')
      .select((eb) => [
        'channel',
        eb.fn.countAll<number>().as('n'),
        eb.fn.min('created_at').as('oldest'),
      ])
      .where('status', '=', 'pending')
      .groupBy('channel')
      .execute();
    return new Map(
      rows.map((r) => [
        r.channel,
        { pending: Number(r.n), oldest: r.oldest === null ? null : Number(r.oldest) },
      ]),
    );
  }

  async lastDeliveries(): Promise<
    Map<string, { lastOk: number | null; lastFail: number | null; lastError: string | null }>
  > {
    const ok = await this.db
      .selectFrom('alerts_deliveries')
      .select((eb) => ['via', eb.fn.max('ts').as('ts')])
      .where('ok', '=', 1)
      .groupBy('via')
      .execute();
    const fail = await this.db
      .selectFrom('alerts_deliveries')
      .select((eb) => ['via', eb.fn.max('ts').as('ts')])
      .where('ok', '=', 0)
      .groupBy('via')
      .execute();
    const out = new Map<
      string,
      { lastOk: number | null; lastFail: number | null; lastError: string | null }
    >();
    for (const r of ok) out.set(r.via, { lastOk: Number(r.ts), lastFail: null, lastError: null });
    for (const r of fail) {
      const e = out.get(r.via) ?? { lastOk: null, lastFail: null, lastError: null };
      e.lastFail = Number(r.ts);
      const last = await this.db
        .selectFrom('alerts_deliveries')
        .select('error')
        .where('via', '=', r.via)
        .where('ok', '=', 0)
        .orderBy('ts', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      e.lastError = last?.error ?? null;
      out.set(r.via, e);
    }
    return out;
  }

  async deliveries(
    f: { channel?: string | undefined; ok?: boolean | undefined; limit: number },
    after: [number, number] | null,
  ): Promise<DeliveryRow[]> {
    let q = this.db.selectFrom('alerts_deliveries').selectAll();
    if (f.channel)
      q = q.where((eb) => eb.or([eb('channel', '=', f.channel!), eb('via', '=', f.channel!)]));
    if (f.ok !== undefined) q = q.where('ok', '=', f.ok ? 1 : 0);
    if (after) {
      const [ts, id] = after;
      q = q.where((eb) =>
        eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('id', '<', id)])]),
      );
    }
    const rows = await q
      .orderBy('ts', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .execute();
    return rows.map((r) => ({
      ...r,
      id: Number(r.id),
      outbox_id: Number(r.outbox_id),
    }));
  }

  /** Forgets delivery history, delivered messages and resolved alerts older than `before`. */
  async prune(before: number): Promise<void> {
    await this.db.deleteFrom('alerts_deliveries').where('ts', '<', before).execute();
    await this.db
      .deleteFrom('alerts_outbox')
      .where('status', '!=', 'pending')
      .where('created_at', '<', before)
      .execute();
    await this.db.deleteFrom('alerts_history').where('ts', '<', before).execute();
    await this.db
      .deleteFrom('alerts_alerts')
      .where('status', '=', 'resolved')
      .where('updated_at', '<', before)
      .execute();
  }

  // ---------------------------------------------------------------- alerts and history

  async alerts(
    f: {
      status?: 'firing' | 'resolved' | undefined;
      name?: string | undefined;
      severity?: string | undefined;
      since?: number | undefined;
      limit: number;
    },
    after: [number, string] | null,
  ): Promise<AlertRecord[]> {
    let q = this.db.selectFrom('alerts_alerts').selectAll();
    if (f.status) q = q.where('status', '=', f.status);
    if (f.name) q = q.where('name', '=', f.name);
    if (f.severity) q = q.where('severity', '=', f.severity);
    if (f.since !== undefined) q = q.where('updated_at', '>=', f.since);
    if (after) {
      const [ts, fp] = after;
      q = q.where((eb) =>
        eb.or([
          eb('updated_at', '<', ts),
          eb.and([eb('updated_at', '=', ts), eb('fingerprint', '<', fp)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('updated_at', 'desc')
      .orderBy('fingerprint', 'desc')
      .limit(f.limit)
      .execute();
    return rows.map(rowToAlert);
  }

  async alert(fp: string): Promise<AlertRecord | null> {
    const r = await this.db
      .selectFrom('alerts_alerts')
      .selectAll()
      .where('fingerprint', '=', fp)
      .executeTakeFirst();
    return r ? rowToAlert(r) : null;
  }

  async alertsByPrefix(prefix: string): Promise<AlertRecord[]> {
    const rows = await this.db
      .selectFrom('alerts_alerts')
      .selectAll()
      .where('fingerprint', '>=', prefix)
      .where('fingerprint', '<', `${prefix}\u{10ffff}`)
      .limit(2)
      .execute();
    return rows.map(rowToAlert);
  }

  async history(
    f: {
      fingerprint?: string | undefined;
      name?: string | undefined;
      from?: number | undefined;
      to?: number | undefined;
      limit: number;
    },
    after: [number, number] | null,
  ) {
    let q = this.db.selectFrom('alerts_history').selectAll();
    if (f.fingerprint) q = q.where('fingerprint', '=', f.fingerprint);
    if (f.name) q = q.where('name', '=', f.name);
    if (f.from !== undefined) q = q.where('ts', '>=', f.from);
    if (f.to !== undefined) q = q.where('ts', '<', f.to);
    if (after) {
      const [ts, id] = after;
      q = q.where((eb) =>
        eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('id', '<', id)])]),
      );
    }
    const rows = await q
      .orderBy('ts', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .execute();
    return rows.map((r) => ({ ...r, id: Number(r.id), ts: Number(r.ts) }));
  }

  // ---------------------------------------------------------------- silences

  async silences(): Promise<SilenceRecord[]> {
    const rows = await this.db
      .selectFrom('alerts_silences')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(1000)
      .execute();
    return rows.map(rowToSilence);
  }

  // ---------------------------------------------------------------- commands

  async insertCommand(row: CommandsRow): Promise<void> {
    await this.db.insertInto('alerts_commands').values(row).execute();
  }

  async command(id: string): Promise<CommandsRow | null> {
    return (
      (await this.db
        .selectFrom('alerts_commands')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()) ?? null
    );
  }

  async commandsSince(since: number): Promise<CommandsRow[]> {
    return this.db
      .selectFrom('alerts_commands')
      .selectAll()
      .where('created_at', '>=', since)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async commands(limit: number, after: [number, string] | null): Promise<CommandsRow[]> {
    let q = this.db.selectFrom('alerts_commands').selectAll();
    if (after) {
      const [ts, id] = after;
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', ts), eb.and([eb('created_at', '=', ts), eb('id', '<', id)])]),
      );
    }
    return q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
  }

  async acksOf(commandIds: string[]): Promise<CommandAcksRow[]> {
    if (commandIds.length === 0) return [];
    const out: CommandAcksRow[] = [];
    for (const chunk of this.chunks(commandIds, 1)) {
      out.push(
        ...(await this.db
          .selectFrom('alerts_command_acks')
          .selectAll()
          .where('command_id', 'in', chunk)
          .execute()),
      );
    }
    return out;
  }

  async upsertAck(row: CommandAcksRow): Promise<void> {
    await this.upsert(this.db, 'alerts_command_acks', [row], ['command_id', 'bot']);
  }

  // ---------------------------------------------------------------- key-value

  async kvGet(key: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('alerts_kv')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return r?.value ?? null;
  }

  async kvSet(key: string, value: string, now: number): Promise<void> {
    await this.upsert(this.db, 'alerts_kv', [{ key, value, updated_at: now }], ['key']);
  }
}
