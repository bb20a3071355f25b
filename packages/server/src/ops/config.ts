import { z } from 'zod';

/** `backup:` — scheduled backups and retention (issue 7). */
export const backupConfig = z.strictObject({});
/** `security:` — rate limits, CORS, TLS, request limits (issue 7). */
export const securityConfig = z.strictObject({});
export type BackupConfig = z.output<typeof backupConfig>;
export type SecurityConfig = z.output<typeof securityConfig>;
