import type { ChannelConfig } from '../config.js';
import { DeliveryError, type Channel } from './channel.js';

type DesktopConfig = Extract<ChannelConfig, { type: 'desktop' }>;

interface Notifier {
  notify(options: Record<string, unknown>, callback: (error: Error | null) => void): void;
}

/**
 * Desktop notifications through node-notifier when it is installed (an optional dependency):
 * without it, messages to this channel are marked skipped.
 */
export async function desktopChannel(config: DesktopConfig): Promise<Channel> {
  let notifier: Notifier | null = null;
  try {
    const mod = (await import('node-notifier')) as unknown as { default?: Notifier } & Notifier;
    notifier = mod.default ?? mod;
  } catch {
    notifier = null;
  }
  return {
    name: config.name,
    type: 'desktop',
    async send(n, ctx) {
      if (!notifier) return { skipped: 'node-notifier is not installed' };
      const message = ctx.renderer.chat(n, 'plain').slice(0, 1000);
      const active = notifier;
      await new Promise<void>((resolve, reject) => {
        active.notify(
          { title: ctx.renderer.subject(n), message, sound: config.sound, wait: false },
          (error) =>
            error
              ? reject(
                  new DeliveryError(`desktop notification failed: ${error.message.slice(0, 120)}`),
                )
              : resolve(),
        );
      });
      return {};
    },
  };
}
