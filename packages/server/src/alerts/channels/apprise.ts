/**
 * Apprise-style channel URLs as a shorthand for a typed channel config:
 * `tgram://BOT_TOKEN/CHAT_ID`, `mailto://user:pass@host:port?to=a@b&from=c@d` (`mailtos://` for
 * TLS), `json://host:port/path` (`jsons://` for https), `slack://T/B/C`, `discord://ID/TOKEN`,
 * `twilio://SID:TOKEN@FROM/TO`. The result is validated like any other channel entry.
 */
export class AppriseError extends Error {
  override name = 'AppriseError';
}

export function parseAppriseUrl(url: string): Record<string, unknown> {
  const scheme = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  const rest = url.slice((scheme?.length ?? 0) + 3);
  switch (scheme) {
    case 'tgram': {
      const m = /^([^/]+)\/([^/?#]+)/.exec(rest);
      if (!m) throw new AppriseError('tgram:// URLs look like tgram://BOT_TOKEN/CHAT_ID');
      return { type: 'telegram', bot_token: decodeURIComponent(m[1]!), chat_id: m[2]! };
    }
    case 'mailto':
    case 'mailtos': {
      const u = new URL(`smtp://${rest}`);
      const to = u.searchParams.get('to');
      const from = u.searchParams.get('from') ?? (u.username ? `${u.username}@${u.hostname}` : '');
      if (!to) throw new AppriseError('mailto:// URLs need ?to=address');
      return {
        type: 'email',
        host: u.hostname,
        port: u.port ? Number(u.port) : scheme === 'mailtos' ? 465 : 587,
        secure: scheme === 'mailtos',
        ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        from,
        to: to.split(',').map((s) => s.trim()),
      };
    }
    case 'json':
    case 'jsons':
      return { type: 'webhook', url: `${scheme === 'jsons' ? 'https' : 'http'}://${rest}` };
    case 'slack': {
      const parts = rest.split('/').filter(Boolean);
      if (parts.length !== 3) throw new AppriseError('slack:// URLs look like slack://T/B/C');
      return { type: 'slack', webhook_url: `https://hooks.slack.com/services/${parts.join('/')}` };
    }
    case 'discord': {
      const parts = rest.split('/').filter(Boolean);
      if (parts.length !== 2)
        throw new AppriseError('discord:// URLs look like discord://WEBHOOK_ID/WEBHOOK_TOKEN');
      return {
        type: 'discord',
        webhook_url: `https://discord.com/api/webhooks/${parts.join('/')}`,
      };
    }
    case 'twilio': {
      const m = /^([^:]+):([^@]+)@([^/]+)\/(.+)$/.exec(rest);
      if (!m) throw new AppriseError('twilio:// URLs look like twilio://SID:TOKEN@FROM/TO');
      return {
        type: 'twilio',
        account_sid: m[1]!,
        auth_token: decodeURIComponent(m[2]!),
        from: decodeURIComponent(m[3]!),
        to: m[4]!.split('/').map(decodeURIComponent),
      };
    }
    default:
      throw new AppriseError(
        'unsupported channel URL scheme (use tgram://, mailto://, mailtos://, json://, jsons://, slack://, discord://, twilio://)',
      );
  }
}
