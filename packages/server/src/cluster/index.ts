import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import type { Hub } from '../hub.js';
import { isoUtc } from '@tradewatch/protocol';
import type { HubModule } from '../module.js';
import { AdvisoryLockElection, LOCK_KEY_SQL } from './election.js';
import { RemoteFanout, type RemoteCommitListener } from './fanout.js';
import { CommitListener } from './listener.js';
import { registerClusterMetrics } from './metrics.js';
import { CommitNotifier, parseNotification } from './notifier.js';
import { guardCheckedOutClients } from './pg-guard.js';
import type { SessionOptions } from './pg-session.js';
import { registerClusterRoutes, type ClusterStatus } from './routes.js';
import { installStoreFaultMapping, keepSqliteErrors } from './store-faults.js';

export type { RemoteCommitListener } from './fanout.js';
export { classifyStoreFault, storeFaultError, type StoreFault } from './store-faults.js';

/** What the cluster module runs for one hub. */
export interface ClusterRuntime {
  instanceId: string;
  /** Election and fan-out run (PostgreSQL with `cluster.enabled`). */
  active: boolean;
  election: AdvisoryLockElection | null;
  fanout: RemoteFanout | null;
  listener: CommitListener | null;
  notifier: CommitNotifier | null;
  /** The NOTIFY channel (schema-qualified when the hub works outside `public`). */
  channel: string | null;
  status(): Promise<ClusterStatus>;
}

const runtimes = new WeakMap<Hub, ClusterRuntime>();

export function clusterRuntime(hub: Hub): ClusterRuntime {
  const r = runtimes.get(hub);
  if (!r) throw new Error('the cluster module is not registered on this hub');
  return r;
}

/**
 * Calls `listener` with what other instances committed (fills, orders, round trips, signals,
 * cash flows, logs, bots; `keys` are the positions of the fills' keys), after this instance's
 * cache has caught up. Local commits keep arriving through `hub.ingest.onCommit`; together the
 * two see every commit once. Never called on SQLite.
 */
export function onRemoteCommit(hub: Hub, listener: RemoteCommitListener): () => void {
  return runtimes.get(hub)?.fanout?.onRemoteCommit(listener) ?? (() => undefined);
}

function defaultInstanceId(): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 24) || 'hub';
  return `${host}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

/** `base` on `public`; `base_<schema>` elsewhere (hashed when too long for an identifier). */
export function channelFor(base: string, schema: string): string {
  if (schema === 'public') return base;
  const clean = schema.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `${base}_${clean}`;
  return name.length <= 63
    ? name
    : `${base}_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

/** Redacts credentials a driver message might carry (a URL with a password). */
function safe(message: string | null): string | null {
  return message === null ? null : message.replace(/\/\/[^/@\s]*@/g, '//***@').slice(0, 300);
}

/**
 * Several hub instances on one PostgreSQL: leader election (`hub.leader`), live fan-out of
 * other instances' commits to this instance's WebSocket clients, `GET /api/v1/cluster`, and
 * 503 `not_ready` answers while the database is unreachable or full (on both stores).
 */
export const clusterModule: HubModule = {
  name: 'cluster',

  async register(hub) {
    const config = hub.config.cluster;
    installStoreFaultMapping(hub.app);
    if (hub.store.sqlite) keepSqliteErrors(hub.store.sqlite);
    if (hub.store.dialect === 'postgres') guardCheckedOutClients();
    const instanceId = config.instance_id ?? defaultInstanceId();
    const active = hub.store.dialect === 'postgres' && config.enabled;
    const logger = hub.logger.child({ module: 'cluster', instance: instanceId });

    let election: AdvisoryLockElection | null = null;
    let fanout: RemoteFanout | null = null;
    let listener: CommitListener | null = null;
    let notifier: CommitNotifier | null = null;
    let channel: string | null = null;
    const metrics = registerClusterMetrics(hub.metrics, {
      instance: instanceId,
      leader: () => hub.leader.isLeader(),
      listening: () => (listener ? listener.listening : true),
    });

    if (active) {
      const url = hub.config.database.url!;
      const session = (role: string): SessionOptions => ({
        url,
        applicationName: `tradewatch ${instanceId} ${role}`,
        keepalive: config.keepalive,
        queryTimeoutMs: Math.max(2_000, config.election_interval_ms * 2),
      });
      const schema =
        (await sql<{ s: string | null }>`select current_schema() as s`.execute(hub.store.db))
          .rows[0]?.s ?? 'public';
      channel = channelFor(config.channel, schema);

      election = new AdvisoryLockElection({
        session: session('election'),
        intervalMs: config.election_interval_ms,
        logger,
        now: () => hub.clock.now(),
      });
      election.onChange(() => metrics.leaderChanges?.inc());
      hub.leader = election;

      const f = new RemoteFanout({
        db: hub.store.db,
        ingest: hub.ingest,
        holder: hub.holder,
        stream: hub.stream,
        logger,
        debounceMs: config.fanout_debounce_ms,
      });
      f.onPass = (seconds) => metrics.fanoutSeconds?.observe(seconds);
      fanout = f;
      const n = new CommitNotifier(hub.store.db, channel, instanceId);
      notifier = n;
      hub.ingest.onCommit((changes) => {
        f.noteLocal(changes);
        n.notify(changes.seq);
      });
      listener = new CommitListener({
        session: session('listen'),
        channel,
        pingMs: config.election_interval_ms,
        logger,
        onNotification: (payload) => {
          const p = parseNotification(payload);
          if (!p || p.instance === instanceId) return;
          metrics.notifications?.inc();
          if (p.seq > f.watermark) f.schedule();
        },
        onConnected: () => f.schedule(),
      });
    }

    const status = async (): Promise<ClusterStatus> => {
      const leading = hub.leader.isLeader();
      let leaderInstance: string | null = active ? null : instanceId;
      if (active) {
        leaderInstance = await lockHolder(hub).catch(() => (leading ? instanceId : null));
      }
      return {
        instance_id: instanceId,
        store: hub.store.dialect,
        clustered: active,
        leader: leading,
        leader_since: election?.leaderSince != null ? isoUtc(election.leaderSince) : null,
        leader_instance: leaderInstance,
        listening: listener ? listener.listening : !active,
        fanout: {
          watermark: fanout?.watermark ?? hub.holder.current.version,
          passes: fanout?.passes ?? 0,
          remote_fills: fanout?.remoteFills ?? 0,
        },
        last_error: safe(election?.lastError ?? fanout?.lastError ?? null),
      };
    };
    registerClusterRoutes(hub.zapp, status);
    runtimes.set(hub, {
      instanceId,
      active,
      election,
      fanout,
      listener,
      notifier,
      channel,
      status,
    });
  },

  async start(hub) {
    const r = runtimes.get(hub);
    if (!r?.active) return;
    // The first election round completes before other modules start, so they see the outcome.
    await r.election!.start();
    await r.listener!.start();
  },

  async stop(hub) {
    const r = runtimes.get(hub);
    if (!r?.active) return;
    await r.listener!.stop();
    await r.fanout!.stop();
    await r.notifier!.idle();
    await r.election!.stop();
  },
};

/** The instance whose session holds the leader lock (from pg_locks and its application_name). */
async function lockHolder(hub: Hub): Promise<string | null> {
  const r = await sql<{ name: string | null }>`
    with k as (select ${sql.raw(LOCK_KEY_SQL)} as key)
    select a.application_name as name
      from pg_locks l
      join pg_stat_activity a on a.pid = l.pid
      cross join k
     where l.locktype = 'advisory'
       and l.granted
       and l.objsubid = 1
       and l.database = (select oid from pg_database where datname = current_database())
       and l.classid = ((k.key >> 32) & 4294967295)::oid
       and l.objid = (k.key & 4294967295)::oid
     limit 1`.execute(hub.store.db);
  const name = r.rows[0]?.name;
  if (!name) return null;
  return /^tradewatch (\S+) election$/.exec(name)?.[1] ?? null;
}
