import { z } from 'zod';

/** `cluster:` — several hub instances on one PostgreSQL (leader election, fan-out). */
export const clusterConfig = z.strictObject({});
export type ClusterConfig = z.output<typeof clusterConfig>;
