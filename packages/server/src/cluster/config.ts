import { z } from 'zod';

/**
 * `cluster:` — several hub instances on one PostgreSQL: leader election with an advisory lock
 * and live fan-out of commits with LISTEN/NOTIFY. Ignored on SQLite (one process owns the file).
 */
export const clusterConfig = z.strictObject({
  /** Elect a leader and fan commits out when the store is PostgreSQL (two extra connections). */
  enabled: z.boolean().default(true),
  /** This instance's name in `GET /api/v1/cluster`, metrics and logs; default host-pid-random. */
  instance_id: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits and . _ -')
    .optional(),
  /**
   * How often a follower tries to take the leader lock (and the leader checks it still holds
   * it), in milliseconds. A leader that dies is replaced within this interval once PostgreSQL
   * has closed its session (at once on a crash; after the TCP keepalives below on a lost host).
   */
  election_interval_ms: z.number().int().min(100).max(60_000).default(2_000),
  /** Server-side TCP keepalive of the lock session: a vanished leader host frees the lock after about idle + interval × count seconds. */
  keepalive: z
    .strictObject({
      idle_s: z.number().int().min(1).max(3_600).default(5),
      interval_s: z.number().int().min(1).max(600).default(2),
      count: z.number().int().min(1).max(100).default(3),
    })
    .default({ idle_s: 5, interval_s: 2, count: 3 }),
  /**
   * NOTIFY channel base name. Instances whose connections use another schema (search_path) get
   * the schema appended, so hubs sharing a server but not a schema never hear each other.
   */
  channel: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[a-z_][a-z0-9_]*$/, 'use lower-case letters, digits and _')
    .default('tradewatch_commits'),
  /** Notifications arriving within this window are handled in one pass, in milliseconds. */
  fanout_debounce_ms: z.number().int().min(0).max(5_000).default(25),
});
export type ClusterConfig = z.output<typeof clusterConfig>;
