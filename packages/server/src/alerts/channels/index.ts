import type { ChannelConfig } from '../config.js';
import { alertmanagerChannel } from './alertmanager.js';
import type { Channel, ChannelDeps } from './channel.js';
import { desktopChannel } from './desktop.js';
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { logChannel } from './log.js';
import { slackChannel } from './slack.js';
import { telegramChannel } from './telegram.js';
import { twilioChannel } from './twilio.js';
import { webhookChannel } from './webhook.js';

export * from './channel.js';

/** Builds a channel from its config (one file per channel type). */
export async function createChannel(config: ChannelConfig, deps: ChannelDeps): Promise<Channel> {
  switch (config.type) {
    case 'log':
      return logChannel(config, deps);
    case 'webhook':
      return webhookChannel(config);
    case 'alertmanager':
      return alertmanagerChannel(config);
    case 'email':
      return emailChannel(config, deps);
    case 'telegram':
      return telegramChannel(config);
    case 'slack':
      return slackChannel(config);
    case 'discord':
      return discordChannel(config);
    case 'twilio':
      return twilioChannel(config);
    case 'desktop':
      return desktopChannel(config);
  }
}

/** Every configured channel, plus the built-in `log` channel unless one is named so. */
export async function createChannels(
  configs: ChannelConfig[],
  deps: ChannelDeps,
): Promise<Map<string, Channel>> {
  const out = new Map<string, Channel>();
  for (const c of configs) out.set(c.name, await createChannel(c, deps));
  if (!out.has('log')) out.set('log', logChannel({ name: 'log', level: 'warn' }, deps));
  return out;
}
