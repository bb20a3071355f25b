import { parseWireTime } from '@tradewatch/protocol';
import { z } from 'zod';

/** A wire time in a query string: ISO 8601 with offset or epoch ms. */
export const queryTime = z
  .string()
  .transform((v, ctx) => {
    const ms = parseWireTime(/^\d+$/.test(v) ? Number(v) : v);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected an ISO 8601 time with offset or epoch milliseconds',
      });
      return z.NEVER;
    }
    return ms;
  })
  .optional();

const shortText = z.string().min(1).max(128).optional();

/** Filters shared by the list endpoints. */
export const commonFilters = {
  bot: shortText,
  account: shortText,
  strategy: shortText,
  symbol: z.string().min(1).max(64).optional(),
  from: queryTime,
  to: queryTime,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(512).optional(),
};
