import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../store/dialect.js';

/**
 * The web module's tables. `web_sessions` holds dashboard logins: only the SHA-256 of the cookie
 * value is stored, so a copy of the database cannot be replayed as a session.
 */
export function webMigrations(_dialect: DialectName): Record<string, Migration> {
  return {
    web_001_sessions: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('web_sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('token_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('bot', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
          .addColumn('user_agent', 'text')
          .execute();
        await db.schema
          .createIndex('web_sessions_expires')
          .on('web_sessions')
          .column('expires_at')
          .execute();
        await db.schema
          .createIndex('web_sessions_token')
          .on('web_sessions')
          .column('token_id')
          .execute();
      },
    },
  };
}
