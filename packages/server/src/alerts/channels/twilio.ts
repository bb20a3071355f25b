import type { ChannelConfig } from '../config.js';
import type { Channel } from './channel.js';
import { jsonField, post } from './http.js';

type TwilioConfig = Extract<ChannelConfig, { type: 'twilio' }>;

/** SMS through Twilio's Messages API, one message per recipient (plain text, at most 1,600 characters). */
export function twilioChannel(config: TwilioConfig): Channel {
  const url = `${config.api_url.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(config.account_sid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${config.account_sid}:${config.auth_token}`).toString('base64')}`;
  return {
    name: config.name,
    type: 'twilio',
    async send(n, ctx) {
      const body = ctx.renderer.text(n).slice(0, 1600);
      let statusCode = 0;
      for (const to of config.to) {
        const form = new URLSearchParams({ To: to, From: config.from, Body: body });
        statusCode = await post(url, form.toString(), {
          signal: ctx.signal,
          contentType: 'application/x-www-form-urlencoded',
          headers: { authorization: auth, 'i-twilio-idempotency-token': `${ctx.dedupKey}:${to}` },
          explain: jsonField('message'),
        });
      }
      return { statusCode };
    },
  };
}
