import { z } from 'zod';

const botId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : -');

/**
 * The Hummingbot bridge: the hub subscribes to Hummingbot's MQTT topics
 * (`<prefix>/<instance_id>/events|notify|log|hb|status_updates`) on this broker and maps them to
 * ingest events for the bot named in `instances` (default: the instance id itself).
 */
export const hummingbotConfig = z.strictObject({
  enabled: z.boolean().default(false),
  /** Broker URL: mqtt://host:port, mqtts://… or ws://… */
  url: z.string().min(1).default('mqtt://127.0.0.1:1883'),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Hummingbot's topic namespace (`mqtt_bridge` publishes under `hbot/<instance_id>/…`). */
  topic_prefix: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[^#+]+$/, 'no MQTT wildcards in the prefix')
    .default('hbot'),
  /** Hummingbot instance id → hub bot id; unlisted instances use their own id (sanitised). */
  instances: z.record(z.string(), botId).default({}),
  /** Only bridge the listed instances. */
  only_listed: z.boolean().default(false),
  /** Account the bridged fills belong to (default: the bot's account). */
  account: botId.optional(),
  /** Events are batched for at most this long before one ingest transaction. */
  batch_ms: z.number().int().min(0).max(10_000).default(200),
  client_id: z.string().min(1).max(64).optional(),
  /** Keep the broker session (QoS 1 messages published while the hub is down are kept). */
  persistent_session: z.boolean().default(true),
});
export type HummingbotConfig = z.output<typeof hummingbotConfig>;

/** Configuration of adapters and bridges (issue 8). */
export const integrationsConfig = z.strictObject({
  hummingbot: hummingbotConfig.default(hummingbotConfig.parse({})),
});
export type IntegrationsConfig = z.output<typeof integrationsConfig>;
