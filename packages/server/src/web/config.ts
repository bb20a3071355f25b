import { z } from 'zod';

/** `web:` — dashboard sessions and static files (issue 3). */
export const webConfig = z.strictObject({
  /** Serve the dashboard at `/` (the API works either way). */
  enabled: z.boolean().default(true),
  /** Where the built dashboard is; default: packages/web/dist next to the server package. */
  dist_dir: z.string().min(1).optional(),
  /** How long a dashboard login lasts, in hours (absolute, not sliding). */
  session_ttl_hours: z
    .number()
    .positive()
    .max(24 * 366)
    .default(24 * 7),
  /**
   * `auto` marks the session cookie Secure when the request came over HTTPS (behind a proxy,
   * set server.trust_proxy so X-Forwarded-Proto counts); `always` / `never` force it.
   */
  secure_cookie: z.enum(['auto', 'always', 'never']).default('auto'),
});
export type WebConfig = z.output<typeof webConfig>;
