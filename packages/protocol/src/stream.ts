import { z } from 'zod';
import { botRow, fillRow, orderRow, portfolioResponse, positionRow, tradeRow } from './api.js';

/**
 * Messages pushed on `GET /api/v1/stream`. Each carries the commit's sequence number so a
 * client that reconnects can tell whether it missed anything (and refetch if so).
 */
export const streamMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), seq: z.number(), server_time: z.string() }),
  z.object({ type: z.literal('fill'), seq: z.number(), data: fillRow }),
  z.object({ type: z.literal('order'), seq: z.number(), data: orderRow }),
  z.object({ type: z.literal('position'), seq: z.number(), data: positionRow }),
  z.object({ type: z.literal('trade'), seq: z.number(), data: tradeRow }),
  z.object({ type: z.literal('portfolio'), seq: z.number(), data: portfolioResponse }),
  z.object({ type: z.literal('bot'), seq: z.number(), data: botRow }),
  z.object({
    type: z.literal('event'),
    seq: z.number(),
    data: z.object({
      kind: z.string(),
      bot: z.string().nullable(),
      ts: z.string(),
      summary: z.string(),
    }),
  }),
]);
export type StreamMessage = z.output<typeof streamMessage>;
export type StreamMessageType = StreamMessage['type'];
