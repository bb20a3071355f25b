import type { Kysely, Migration } from 'kysely';
import { addAutoIdColumn, type DialectName } from '../../store/dialect.js';

// Frozen: never edit a landed migration; add a new one.
function initial(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const s = db.schema;
      await s
        .createTable('alerts_alerts')
        .addColumn('fingerprint', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('annotations', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('oneshot', 'integer', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('acked_at', 'bigint')
        .addColumn('acked_by', 'text')
        .addColumn('escalated_at', 'bigint')
        .addColumn('episode', 'integer', (c) => c.notNull())
        .execute();
      await s
        .createIndex('alerts_alerts_status')
        .on('alerts_alerts')
        .columns(['status', 'updated_at'])
        .execute();

      await addAutoIdColumn(dialect, s.createTable('alerts_history'), 'id')
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .execute();
      await s.createIndex('alerts_history_ts').on('alerts_history').columns(['ts', 'id']).execute();
      await s
        .createIndex('alerts_history_fp')
        .on('alerts_history')
        .columns(['fingerprint', 'ts'])
        .execute();

      await s
        .createTable('alerts_groups')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('members', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('next_flush_at', 'bigint')
        .addColumn('last_flush_at', 'bigint')
        .addColumn('last_hash', 'text')
        .addColumn('repeat', 'integer', (c) => c.notNull())
        .execute();

      await s
        .createTable('alerts_silences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('matchers', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await s
        .createIndex('alerts_silences_ends')
        .on('alerts_silences')
        .columns(['ends_at'])
        .execute();

      await addAutoIdColumn(dialect, s.createTable('alerts_outbox'), 'id')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text')
        .addColumn('dedup_key', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('sent_at', 'bigint')
        .addColumn('sent_via', 'text')
        .addColumn('last_error', 'text')
        .execute();
      await s
        .createIndex('alerts_outbox_pending')
        .on('alerts_outbox')
        .columns(['status', 'channel', 'id'])
        .execute();

      await addAutoIdColumn(dialect, s.createTable('alerts_deliveries'), 'id')
        .addColumn('outbox_id', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .execute();
      await s
        .createIndex('alerts_deliveries_ts')
        .on('alerts_deliveries')
        .columns(['ts', 'id'])
        .execute();
      await s
        .createIndex('alerts_deliveries_channel')
        .on('alerts_deliveries')
        .columns(['channel', 'ts'])
        .execute();

      await s
        .createTable('alerts_throttle')
        .addColumn('channel', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('suppressed', 'text', (c) => c.notNull())
        .execute();

      await s
        .createTable('alerts_digest')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('entry', 'text', (c) => c.notNull())
        .execute();

      await s
        .createTable('alerts_commands')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('targets', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .execute();
      await s
        .createIndex('alerts_commands_created')
        .on('alerts_commands')
        .columns(['created_at'])
        .execute();

      await s
        .createTable('alerts_command_acks')
        .addColumn('command_id', 'text', (c) => c.notNull())
        .addColumn('bot', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('acked_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('alerts_command_acks_pk', ['command_id', 'bot'])
        .execute();

      await s
        .createTable('alerts_kv')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}

/** The alerts module's tables (names start with `alerts_`). */
export function alertsMigrations(dialect: DialectName): Record<string, Migration> {
  return { alerts_001_initial: initial(dialect) };
}
