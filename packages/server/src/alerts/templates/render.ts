import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Notification } from '../engine/types.js';
import { compileTemplate, TemplateError, type Escape, type Template } from './engine.js';
import { DEFAULT_TEMPLATES, TEMPLATE_PARTS, type TemplatePart } from './defaults.js';

export type ChatFlavour = 'telegram' | 'slack' | 'discord' | 'plain';

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml: Escape = (s) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const none: Escape = (s) => s;

/** Variables in Telegram messages: HTML-escaped, and markdown markers made inert. */
const escapeTelegramVar: Escape = (s) =>
  escapeHtml(s).replace(/\*/g, '&#42;').replace(/_/g, '&#95;').replace(/`/g, '&#96;');
const escapeSlack: Escape = (s) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeDiscord: Escape = (s) => s.replace(/([\\*_~`|>])/g, '\\$1');

/** The chat markdown of the templates (`*bold*`, `_italic_`, `` `code` ``) in Telegram's HTML. */
function markdownToTelegramHtml(s: string): string {
  return s
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/gm, '$1<i>$2</i>');
}

function markdownToDiscord(s: string): string {
  return s.replace(/(?<!\\)\*([^*\n]+?)(?<!\\)\*/g, '**$1**');
}

const EMOJI = { critical: '🔴', warning: '🟠', info: '🔵', resolved: '✅' } as const;

/** The values templates see (documented in docs/alerts.md). */
export function templateContext(n: Notification): Record<string, unknown> {
  const alerts = n.alerts.map((a) => {
    const severity = a.labels.severity ?? 'info';
    const labelsText = ['bot', 'account', 'symbol', 'strategy', 'connection', 'channel', 'scope']
      .filter((k) => a.labels[k])
      .map((k) => `${k}=${a.labels[k]}`)
      .join(' ');
    return {
      status: a.status,
      firing: a.status === 'firing',
      resolved: a.status === 'resolved',
      name: a.labels.alertname ?? '',
      severity,
      SEVERITY: severity.toUpperCase(),
      emoji:
        a.status === 'resolved'
          ? EMOJI.resolved
          : (EMOJI[severity as keyof typeof EMOJI] ?? EMOJI.info),
      labels: a.labels,
      labelsText,
      annotations: a.annotations,
      summary: a.annotations.summary ?? a.labels.alertname ?? '',
      description: a.annotations.description ?? '',
      resolvedNote: a.status === 'resolved' ? (a.annotations.resolved ?? '') : '',
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? '',
      fingerprint: a.fingerprint,
      shortId: a.fingerprint.slice(0, 8),
      generatorURL: a.generatorURL,
    };
  });
  const names = [...new Set(alerts.map((a) => a.name))];
  let title: string;
  switch (n.kind) {
    case 'digest':
      title = `Digest: ${n.digest?.entries.length ?? 0} notifications since ${n.digest?.from ?? ''}`;
      break;
    case 'throttled':
      title = `${n.suppressed?.count ?? 0} notifications held back by the message limit`;
      break;
    case 'test':
      title = 'Test message from Tradewatch';
      break;
    default:
      title =
        alerts.length === 1
          ? `${alerts[0]!.name}: ${alerts[0]!.summary}`
          : `${names.join(', ')} (${alerts.length + n.truncated} alerts)`;
  }
  const worst = alerts.some((a) => a.firing && a.severity === 'critical')
    ? EMOJI.critical
    : alerts.some((a) => a.firing && a.severity === 'warning')
      ? EMOJI.warning
      : n.status === 'resolved'
        ? EMOJI.resolved
        : EMOJI.info;
  return {
    kind: n.kind,
    status: n.status,
    STATUS: n.kind === 'test' ? 'TEST' : n.status.toUpperCase(),
    firing: n.status === 'firing',
    resolved: n.status === 'resolved',
    escalation: n.kind === 'escalation',
    emoji: n.kind === 'test' ? '🧪' : n.kind === 'digest' ? '📋' : worst,
    title,
    receiver: n.receiver,
    route: n.route,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalURL,
    createdAt: n.createdAt,
    alerts,
    count: alerts.length + n.truncated,
    truncated: n.truncated,
    suppressed: n.suppressed ?? null,
    digest: n.digest ?? null,
    message: n.message ?? '',
  };
}

/**
 * Renders notifications with the shipped templates and the overrides of `templates_dir`
 * (`<name>.<part>.tmpl`), picked by the notification's alert name, then `default`.
 */
export class Renderer {
  private readonly compiled = new Map<string, Template>();

  constructor(overrides: Record<string, string> = {}) {
    for (const [key, source] of Object.entries({ ...DEFAULT_TEMPLATES, ...overrides })) {
      this.compiled.set(key, compileTemplate(source, key));
    }
  }

  /** Reads `<name>.<part>.tmpl` files; throws a TemplateError naming the file that does not compile. */
  static load(dir: string | undefined): Renderer {
    return new Renderer(dir ? readOverrides(dir) : {});
  }

  private pick(n: Notification, part: TemplatePart): Template {
    if (n.kind === 'summary') return this.compiled.get(`summary.${part}`)!;
    if (n.kind === 'alert' || n.kind === 'escalation') {
      const names = new Set(n.alerts.map((a) => a.labels.alertname));
      if (names.size === 1) {
        const own = this.compiled.get(`${[...names][0]}.${part}`);
        if (own) return own;
      }
    }
    return this.compiled.get(`default.${part}`)!;
  }

  private context(n: Notification): unknown {
    return n.kind === 'summary' ? { ...n.summary, externalURL: n.externalURL } : templateContext(n);
  }

  render(n: Notification): Rendered {
    const ctx = this.context(n);
    return {
      subject: this.pick(n, 'subject').render(ctx, none).replace(/\s+/g, ' ').trim().slice(0, 250),
      text: tidy(this.pick(n, 'text').render(ctx, none)),
      html: this.pick(n, 'html').render(ctx, escapeHtml),
    };
  }

  subject(n: Notification): string {
    return this.pick(n, 'subject')
      .render(this.context(n), none)
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 250);
  }

  text(n: Notification): string {
    return tidy(this.pick(n, 'text').render(this.context(n), none));
  }

  /** Chat markdown in the dialect of one service. */
  chat(n: Notification, flavour: ChatFlavour): string {
    const t = this.pick(n, 'markdown');
    const ctx = this.context(n);
    switch (flavour) {
      case 'telegram':
        return tidy(markdownToTelegramHtml(t.render(ctx, escapeTelegramVar, escapeHtml)));
      case 'slack':
        return tidy(t.render(ctx, escapeSlack));
      case 'discord':
        return tidy(markdownToDiscord(t.render(ctx, escapeDiscord)));
      case 'plain':
        return tidy(t.render(ctx, none));
    }
  }
}

function tidy(s: string): string {
  return s.replace(/\n{3,}/g, '\n\n').trim();
}

export function readOverrides(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of readdirSync(dir)) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)\.([a-z]+)\.tmpl$/.exec(file);
    if (!m) continue;
    if (!(TEMPLATE_PARTS as readonly string[]).includes(m[2]!)) {
      throw new TemplateError(`${file}: the part must be one of ${TEMPLATE_PARTS.join(', ')}`);
    }
    out[`${m[1]}.${m[2]}`] = readFileSync(path.join(dir, file), 'utf8');
  }
  return out;
}
