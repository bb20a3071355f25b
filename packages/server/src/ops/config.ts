import { Cron } from 'croner';
import { z } from 'zod';

/** A five- or six-field cron expression croner accepts (checked at boot, not at 03:30). */
const cronExpression = z.string().refine(
  (v) => {
    try {
      new Cron(v, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a cron expression (e.g. "30 3 * * *" for 03:30 every day)' },
);

/** `backup.s3:` — an optional copy of every backup to S3-compatible storage. */
export const s3Config = z.strictObject({
  /** The bucket (it must exist). */
  bucket: z.string().min(1),
  /** Key prefix inside the bucket (e.g. `tradewatch/`). */
  prefix: z.string().default(''),
  /** Endpoint of an S3-compatible service (MinIO, Backblaze, Wasabi …); unset for AWS. */
  endpoint: z.url().optional(),
  /** The bucket's region (most S3-compatible services accept any). */
  region: z.string().min(1).default('us-east-1'),
  /** Path-style URLs (`https://host/bucket/key`), which most self-hosted services need. */
  force_path_style: z.boolean().default(true),
  /** Credentials; without them the AWS SDK's default chain (AWS_ACCESS_KEY_ID …) is used. */
  access_key_id: z.string().min(1).optional(),
  /** The secret half of the credentials: write it as `${NAME}` and keep it in the environment. */
  secret_access_key: z.string().min(1).optional(),
  /** Apply the same retention policy to the copies in the bucket. */
  apply_retention: z.boolean().default(true),
});
export type S3Config = z.output<typeof s3Config>;

/** `backup:` — scheduled backups and retention (issue 7). */
export const backupConfig = z.strictObject({
  /** When scheduled backups run (cron, in `timezone`); null turns them off. */
  schedule: cronExpression.nullable().default('30 3 * * *'),
  /** Where backups are written; default `<data_dir>/backups`. */
  dir: z.string().min(1).optional(),
  /** Keep at least the newest N backups … */
  keep_last: z.number().int().min(1).max(10_000).default(7),
  /** … and every backup younger than this many days (0: only keep_last counts). */
  keep_days: z.number().int().min(0).max(36_600).default(30),
  /** Put the configuration file into the archive (it may hold secrets; archives are mode 0600). */
  include_config: z.boolean().default(true),
  /** BackupStale fires when the last success is older than this many hours. */
  stale_after_hours: z
    .number()
    .positive()
    .max(24 * 366)
    .default(36),
  /**
   * gzip level of the archive: 1 (the default) is fastest, 9 smallest. On a million fills
   * level 1 takes a quarter of level 6's time for an archive 10 % larger (44 % vs 40 % of the
   * database), and leaves the CPU to ingest.
   */
  compression_level: z.number().int().min(1).max(9).default(1),
  /** PostgreSQL: use `pg_dump` (`auto`: when it is installed), else a logical export of every table. */
  pg_dump: z.enum(['auto', 'always', 'never']).default('auto'),
  /** The pg_dump / pg_restore executables (a directory on PATH is enough). */
  pg_bin_dir: z.string().min(1).optional(),
  /** A copy of every backup in S3-compatible storage (null: none). */
  s3: s3Config.nullable().default(null),
});

const windowLimit = (max: number, windowS: number) =>
  z
    .strictObject({
      /** Requests allowed per window; 0 turns the limit off. */
      max: z.number().int().min(0).default(max),
      /** The window the count runs over, seconds (a fixed window per key). */
      window_s: z.number().positive().max(86_400).default(windowS),
    })
    .default({ max, window_s: windowS });

/** `security:` — rate limits, CORS, TLS, request limits (issue 7). */
export const securityConfig = z.strictObject({
  /** Built-in HTTPS (most installations put a reverse proxy in front instead). */
  tls: z
    .strictObject({
      /** PEM certificate (chain) file; with `key`, the hub serves HTTPS itself. */
      cert: z.string().min(1).optional(),
      /** PEM private key file (keep it mode 0600). */
      key: z.string().min(1).optional(),
      /** Send Strict-Transport-Security (only over HTTPS). */
      hsts: z.boolean().default(true),
    })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), {
      message: 'give both tls.cert and tls.key, or neither',
    })
    .default({ hsts: true }),
  /** Cross-origin browser access to the API (off unless origins are listed). */
  cors: z
    .strictObject({
      /** Origins allowed to call the API from a browser (`https://grafana.example.com`); empty: CORS off. */
      origins: z
        .array(z.string().regex(/^https?:\/\/[^/]+$/, 'an origin like https://host:port'))
        .default([]),
      /** Let those origins send cookies (the dashboard session). */
      credentials: z.boolean().default(false),
    })
    .default({ origins: [], credentials: false }),
  /** Rate limits; generous defaults that never throttle normal use. */
  rate_limit: z
    .strictObject({
      /** Requests answered 401 per client IP; beyond it unauthenticated requests get 429. */
      auth_failures: windowLimit(100, 60),
      /** Ingest requests per token (not events: a request carries up to 10,000). */
      ingest_per_token: windowLimit(60_000, 60),
    })
    .default({
      auth_failures: { max: 100, window_s: 60 },
      ingest_per_token: { max: 60_000, window_s: 60 },
    }),
  /** Time limits for slow clients (the body size limit is 5 MB, the ingest API's). */
  limits: z
    .strictObject({
      /** The whole request (headers and body) must arrive within this many seconds. */
      request_timeout_s: z.number().positive().max(3600).default(120),
      /** Headers must arrive within this many seconds (slow-loris clients are cut off). */
      headers_timeout_s: z.number().positive().max(3600).default(30),
      /** An idle connection is closed after this many seconds. */
      idle_timeout_s: z.number().positive().max(3600).default(60),
    })
    .refine((l) => l.headers_timeout_s <= l.request_timeout_s, {
      message: 'headers_timeout_s must not exceed request_timeout_s',
    })
    .default({ request_timeout_s: 120, headers_timeout_s: 30, idle_timeout_s: 60 }),
});
export type BackupConfig = z.output<typeof backupConfig>;
export type SecurityConfig = z.output<typeof securityConfig>;
