import pg from 'pg';

export interface SessionOptions {
  /** The hub's database URL (its `options=-c search_path=…` applies here too). */
  url: string;
  /** Shown in pg_stat_activity: which instance and what for. */
  applicationName: string;
  keepalive: { idle_s: number; interval_s: number; count: number };
  /** A query (the lock attempt, a ping) that takes longer than this counts as a lost session. */
  queryTimeoutMs: number;
}

/**
 * A dedicated PostgreSQL session outside the Kysely pool: session-level advisory locks and
 * LISTEN only mean something on a connection that stays the same. Errors after connect are
 * reported through `onLost` once; the owner opens a new session.
 */
export async function openSession(
  options: SessionOptions,
  onLost: (error: Error | null) => void,
): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: options.url,
    application_name: options.applicationName.slice(0, 63),
    keepAlive: true,
    keepAliveInitialDelayMillis: options.keepalive.idle_s * 1000,
    connectionTimeoutMillis: 5_000,
    query_timeout: options.queryTimeoutMs,
  });
  // Armed only once connected: a failed connect is reported by the rejection alone.
  let armed = false;
  let lost = false;
  const lose = (error: Error | null) => {
    if (lost || !armed) return;
    lost = true;
    onLost(error);
  };
  client.on('error', (error) => lose(error));
  client.on('end', () => lose(null));
  try {
    await client.connect();
    // The server notices a vanished peer by its own keepalives; these make that quick.
    const k = options.keepalive;
    await client.query(
      `SET tcp_keepalives_idle = ${k.idle_s}; SET tcp_keepalives_interval = ${k.interval_s}; SET tcp_keepalives_count = ${k.count}`,
    );
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  armed = true;
  return client;
}

/** Closes a session without waiting long for a server that is gone. */
export async function closeSession(client: pg.Client | null): Promise<void> {
  if (!client) return;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise((r) => setTimeout(r, 2_000).unref()),
  ]);
}

/** The schema the hub's connections work in (their search_path), for lock keys and channels. */
export async function currentSchema(client: pg.Client): Promise<string> {
  const r = await client.query<{ s: string | null }>('select current_schema() as s');
  return r.rows[0]?.s ?? 'public';
}
