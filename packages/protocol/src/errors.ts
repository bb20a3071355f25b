import { z } from 'zod';

/** One problem in a rejected request: which event (if any), which field, and why. */
export const problemDetail = z.object({
  index: z.number().int().optional(),
  path: z.string(),
  message: z.string(),
});
export type ProblemDetail = z.output<typeof problemDetail>;

export const ERROR_CODES = [
  'invalid',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'rate_limited',
  'not_ready',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Every error the API returns has this shape; never a stack trace. */
export const errorResponse = z.object({
  error: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.array(problemDetail).optional(),
});
export type ErrorResponse = z.output<typeof errorResponse>;
