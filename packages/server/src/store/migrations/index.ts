import type { Migration } from 'kysely';
import type { DialectName } from '../dialect.js';
import { initialMigration } from './001_initial.js';

/** Every migration in order. Names sort lexically; files never change once landed. */
export function coreMigrations(dialect: DialectName): Record<string, Migration> {
  return {
    '001_initial': initialMigration(dialect),
  };
}

/** Provides migrations of the core plus those of feature modules. */
export type MigrationSource = (dialect: DialectName) => Record<string, Migration>;
