import { sql, type Kysely } from 'kysely';
import { addAutoIdColumn, FLOAT, type DialectName } from '../dialect.js';

// Frozen: never edit a landed migration; add a new one.
export function initialMigration(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const s = db.schema;
      await s
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await s
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      await s
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('bot', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await s
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('broker', 'text')
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('opening_balance', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('cash_flows', 'text', (c) => c.notNull())
        .addColumn('configured', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await s
        .createTable('bots')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('framework', 'text')
        .addColumn('account', 'text')
        .addColumn('heartbeat_interval_s', FLOAT)
        .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('last_event_at', 'bigint', (c) => c.notNull())
        .addColumn('last_heartbeat_at', 'bigint')
        .addColumn('reported_status', 'text')
        .addColumn('version', 'text')
        .addColumn('connections', 'text', (c) => c.notNull())
        .addColumn('halted', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      const fact = (name: string) =>
        s
          .createTable(name)
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('bot', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addUniqueConstraint(`${name}_bot_id`, ['bot', 'id']);

      await fact('fills')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('qty', 'text', (c) => c.notNull())
        .addColumn('price', 'text', (c) => c.notNull())
        .addColumn('fee', 'text', (c) => c.notNull())
        .addColumn('fee_currency', 'text')
        .addColumn('strategy', 'text')
        .addColumn('order_id', 'text')
        .addColumn('tags', 'text')
        .addColumn('realized_gross', 'text', (c) => c.notNull())
        .addColumn('realized_net', 'text', (c) => c.notNull())
        .addColumn('fee_charged', 'text', (c) => c.notNull())
        .addColumn('position_after', 'text', (c) => c.notNull())
        .addColumn('trade_id', 'text')
        .addColumn('next_trade_id', 'text')
        .execute();
      await s
        .createIndex('fills_key_order')
        .on('fills')
        .columns(['account', 'bot', 'symbol', 'ts', 'seq'])
        .execute();
      await s.createIndex('fills_ts').on('fills').columns(['ts', 'seq']).execute();
      await s.createIndex('fills_trade').on('fills').column('trade_id').execute();
      // Only flips and fills with an order id populate these: partial indexes stay small.
      await s
        .createIndex('fills_next_trade')
        .on('fills')
        .column('next_trade_id')
        .where(sql.ref('next_trade_id'), 'is not', null)
        .execute();
      await s
        .createIndex('fills_order')
        .on('fills')
        .columns(['bot', 'order_id'])
        .where(sql.ref('order_id'), 'is not', null)
        .execute();

      await fact('order_events')
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('qty', 'text', (c) => c.notNull())
        .addColumn('order_type', 'text', (c) => c.notNull())
        .addColumn('limit_price', 'text')
        .addColumn('stop_price', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('strategy', 'text')
        .execute();
      await s
        .createIndex('order_events_order')
        .on('order_events')
        .columns(['bot', 'order_id', 'ts'])
        .execute();

      await s
        .createTable('orders')
        .addColumn('bot', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('qty', 'text', (c) => c.notNull())
        .addColumn('order_type', 'text', (c) => c.notNull())
        .addColumn('limit_price', 'text')
        .addColumn('stop_price', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('is_open', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('strategy', 'text')
        .addColumn('filled_qty', 'text', (c) => c.notNull())
        .addColumn('filled_value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('status_ts', 'bigint', (c) => c.notNull())
        .addColumn('status_seq', 'bigint', (c) => c.notNull())
        .addColumn('first_fill_at', 'bigint')
        .addColumn('last_event_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('orders_pk', ['bot', 'order_id'])
        .execute();
      await s.createIndex('orders_open').on('orders').columns(['is_open', 'updated_at']).execute();
      await s.createIndex('orders_updated').on('orders').columns(['updated_at']).execute();

      await fact('position_snapshots')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('qty', 'text', (c) => c.notNull())
        .addColumn('avg_price', 'text')
        .execute();
      await s
        .createIndex('position_snapshots_key')
        .on('position_snapshots')
        .columns(['account', 'symbol', 'ts'])
        .execute();

      await fact('balances')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('cash', 'text', (c) => c.notNull())
        .addColumn('equity', 'text')
        .addColumn('buying_power', 'text')
        .addColumn('currency', 'text')
        .execute();
      await s.createIndex('balances_account').on('balances').columns(['account', 'ts']).execute();

      await fact('cash_flows')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('amount', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .execute();
      await s
        .createIndex('cash_flows_account')
        .on('cash_flows')
        .columns(['account', 'ts'])
        .execute();

      await s
        .createTable('marks')
        .addColumn('symbol', 'text', (c) => c.primaryKey())
        .addColumn('price', 'text', (c) => c.notNull())
        .addColumn('bid', 'text')
        .addColumn('ask', 'text')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('bot', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await s
        .createTable('mark_bars')
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('minute', 'bigint', (c) => c.notNull())
        .addColumn('open', 'text', (c) => c.notNull())
        .addColumn('high', 'text', (c) => c.notNull())
        .addColumn('low', 'text', (c) => c.notNull())
        .addColumn('close', 'text', (c) => c.notNull())
        .addColumn('open_ts', 'bigint', (c) => c.notNull())
        .addColumn('close_ts', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('mark_bars_pk', ['symbol', 'minute'])
        .execute();

      await fact('signals')
        .addColumn('strategy', 'text')
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('strength', FLOAT)
        .addColumn('note', 'text')
        .execute();
      await s.createIndex('signals_ts').on('signals').columns(['ts', 'seq']).execute();

      await fact('heartbeats')
        .addColumn('interval_s', FLOAT)
        .addColumn('status', 'text')
        .addColumn('version', 'text')
        .addColumn('connections', 'text')
        .execute();
      await s.createIndex('heartbeats_bot_ts').on('heartbeats').columns(['bot', 'ts']).execute();

      await fact('logs')
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('context', 'text')
        .execute();
      await s.createIndex('logs_ts').on('logs').columns(['ts', 'seq']).execute();
      await s.createIndex('logs_bot_ts').on('logs').columns(['bot', 'ts']).execute();

      await fact('bot_metrics')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', FLOAT, (c) => c.notNull())
        .addColumn('labels', 'text')
        .execute();
      await s
        .createIndex('bot_metrics_name')
        .on('bot_metrics')
        .columns(['bot', 'name', 'ts'])
        .execute();

      await s
        .createTable('ledger_positions')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('bot', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('multiplier', 'text', (c) => c.notNull())
        .addColumn('qty', 'text', (c) => c.notNull())
        .addColumn('lots', 'text', (c) => c.notNull())
        .addColumn('trade_id', 'text')
        .addColumn('realized_gross', 'text', (c) => c.notNull())
        .addColumn('realized_net', 'text', (c) => c.notNull())
        .addColumn('fees_paid', 'text', (c) => c.notNull())
        .addColumn('fees_charged', 'text', (c) => c.notNull())
        .addColumn('trades_closed', 'integer', (c) => c.notNull())
        .addColumn('last_ts', 'bigint')
        .addColumn('last_seq', 'bigint')
        .addColumn('last_price', 'text')
        .addColumn('last_price_ts', 'bigint')
        .addColumn('opened_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_positions_pk', ['account', 'bot', 'symbol'])
        .execute();

      await s
        .createTable('trades')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('bot', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('strategy', 'text')
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('qty', 'text', (c) => c.notNull())
        .addColumn('open_qty', 'text', (c) => c.notNull())
        .addColumn('entry_ts', 'bigint', (c) => c.notNull())
        .addColumn('exit_ts', 'bigint')
        .addColumn('last_ts', 'bigint', (c) => c.notNull())
        .addColumn('entry_value', 'text', (c) => c.notNull())
        .addColumn('exit_qty', 'text', (c) => c.notNull())
        .addColumn('exit_value', 'text', (c) => c.notNull())
        .addColumn('gross', 'text', (c) => c.notNull())
        .addColumn('fees', 'text', (c) => c.notNull())
        .addColumn('net', 'text', (c) => c.notNull())
        .addColumn('min_price', 'text', (c) => c.notNull())
        .addColumn('max_price', 'text', (c) => c.notNull())
        .addColumn('bar_low', 'text')
        .addColumn('bar_high', 'text')
        .addColumn('fill_count', 'integer', (c) => c.notNull())
        .addColumn('entry_minute', 'bigint', (c) => c.notNull())
        .addColumn('exit_minute', 'bigint')
        .addColumn('net_f', FLOAT, (c) => c.notNull())
        .addColumn('gross_f', FLOAT, (c) => c.notNull())
        .addColumn('return_pct', FLOAT)
        .addColumn('duration_ms', 'bigint')
        .execute();
      await s.createIndex('trades_entry').on('trades').columns(['entry_ts', 'id']).execute();
      await s.createIndex('trades_exit').on('trades').columns(['exit_ts', 'id']).execute();
      await s
        .createIndex('trades_key')
        .on('trades')
        .columns(['account', 'bot', 'symbol', 'entry_ts'])
        .execute();
      await s
        .createIndex('trades_symbol_exit')
        .on('trades')
        .columns(['symbol', 'exit_minute'])
        .execute();
      await s.createIndex('trades_status').on('trades').columns(['status', 'entry_ts']).execute();

      await s
        .createTable('trade_notes')
        .addColumn('trade_id', 'text', (c) => c.primaryKey())
        .addColumn('notes', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();

      await s
        .createTable('equity_points')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('equity', 'text', (c) => c.notNull())
        .addColumn('realized_net', 'text', (c) => c.notNull())
        .addColumn('unrealized', 'text', (c) => c.notNull())
        .addColumn('cash_flows', 'text', (c) => c.notNull())
        .addColumn('peak', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('equity_points_pk', ['scope', 'ts'])
        .execute();

      await s
        .createTable('daily_summaries')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('trades', 'integer', (c) => c.notNull())
        .addColumn('wins', 'integer', (c) => c.notNull())
        .addColumn('losses', 'integer', (c) => c.notNull())
        .addColumn('gross', 'text', (c) => c.notNull())
        .addColumn('fees', 'text', (c) => c.notNull())
        .addColumn('net', 'text', (c) => c.notNull())
        .addColumn('cash_flows', 'text', (c) => c.notNull())
        .addColumn('start_equity', 'text', (c) => c.notNull())
        .addColumn('end_equity', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('daily_summaries_pk', ['scope', 'date'])
        .execute();

      await s
        .createTable('scope_peaks')
        .addColumn('scope', 'text', (c) => c.primaryKey())
        .addColumn('peak', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await addAutoIdColumn(dialect, s.createTable('audit_log'), 'id')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('details', 'text')
        .execute();
      await s.createIndex('audit_log_ts').on('audit_log').column('ts').execute();

      await db
        .insertInto('counters' as never)
        .values({ name: 'ingest', value: 0 })
        .execute();
    },
  };
}
