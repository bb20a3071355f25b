import { z } from 'zod';

/** Configuration of dashboard sessions and static files (issue 3). */
export const webConfig = z.strictObject({});
export type WebConfig = z.output<typeof webConfig>;
