import { z } from 'zod';

/** Configuration of adapters and bridges (issue 8). */
export const integrationsConfig = z.strictObject({});
export type IntegrationsConfig = z.output<typeof integrationsConfig>;
