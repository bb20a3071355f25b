import { z } from 'zod';

/** `health:` — check thresholds, sampler, retention of logs and samples (issue 6). */
export const healthConfig = z.strictObject({});
/** `probes:` — external dependencies checked from the hub (issue 6). */
export const probesConfig = z.array(z.strictObject({ name: z.string() }));
export type HealthConfig = z.output<typeof healthConfig>;
export type ProbesConfig = z.output<typeof probesConfig>;
