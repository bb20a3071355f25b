import { z } from 'zod';

/** How the database got into the archive. */
export const BACKUP_METHODS = ['sqlite-backup', 'pg_dump', 'logical'] as const;
export type BackupMethod = (typeof BACKUP_METHODS)[number];

/** Names of files inside an archive (flat, except the logical export's `tables/`). */
export const ARCHIVE_FILES = {
  manifest: 'manifest.json',
  sqlite: 'database.sqlite',
  pgdump: 'database.pgdump',
  config: 'config.yaml',
  tablesDir: 'tables',
} as const;

const fileEntry = z.strictObject({
  name: z
    .string()
    .regex(/^(?:[A-Za-z0-9._-]+|tables\/[A-Za-z0-9_]+\.jsonl)$/, 'a plain archive member name'),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ManifestFile = z.output<typeof fileEntry>;

/** `manifest.json`: what the archive holds, enough to verify it without the hub. */
export const manifestSchema = z.strictObject({
  format: z.literal('tradewatch-backup'),
  format_version: z.literal(1),
  tool_version: z.string(),
  created_at: z.string(),
  dialect: z.enum(['sqlite', 'postgres']),
  method: z.enum(BACKUP_METHODS),
  /** Where the data came from, without credentials. */
  source: z.string(),
  /** PostgreSQL schema the tables live in (null on SQLite). */
  pg_schema: z.string().nullable(),
  /** Schema version: the applied migrations, in name order. */
  migrations: z.array(z.string()),
  files: z.array(fileEntry),
  /** Rows per table at the moment of the snapshot. */
  tables: z.record(z.string(), z.number().int().nonnegative()),
  /** The configuration file the hub ran with (its original path), if the archive holds it. */
  config_file: z.string().nullable(),
  /** Wall-clock seconds the snapshot took. */
  duration_s: z.number().nonnegative(),
});
export type Manifest = z.output<typeof manifestSchema>;
