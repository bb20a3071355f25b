import type { Kysely, Migration } from 'kysely';

// Frozen: never edit a landed migration; add a new one.
const closedTradesIndex: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // Covers the fingerprint of the closed trades (count and sums by exit time) that tells the
    // in-memory copy whether it is current, so that check reads a narrow index, not the table.
    await db.schema
      .createIndex('performance_trades_closed')
      .on('trades')
      .columns(['status', 'exit_ts', 'fill_count', 'net_f'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('performance_trades_closed').execute();
  },
};

export function performanceMigrations(): Record<string, Migration> {
  return { performance_001_closed_trades_index: closedTradesIndex };
}
