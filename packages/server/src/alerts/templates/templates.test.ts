import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Notification } from '../engine/types.js';
import { compileTemplate, TemplateError } from './engine.js';
import { Renderer } from './render.js';

const plain = (s: string) => s;

describe('template language', () => {
  it('inserts values, loops and branches; block-only lines leave no blank line', () => {
    const t = compileTemplate(
      'Hi {{name}}\n{{#each items}}\n- {{this}}{{#if @last}}.{{/if}}\n{{/each}}\n{{#unless items}}none{{/unless}}',
    );
    expect(t.render({ name: 'Ann', items: ['a', 'b'] }, plain)).toBe('Hi Ann\n- a\n- b.\n');
    expect(t.render({ name: 'Bo', items: [] }, plain)).toBe('Hi Bo\nnone');
  });

  it('escapes {{x}} for the output and leaves {{{x}}} raw', () => {
    const t = compileTemplate('{{v}} {{{v}}}');
    expect(t.render({ v: '<b>' }, (s) => s.replace('<', '&lt;'))).toBe('&lt;b> <b>');
  });

  it('reads dotted paths and falls back to outer scopes inside loops', () => {
    const t = compileTemplate('{{#each alerts}}{{labels.bot}}@{{host}} {{/each}}');
    expect(t.render({ host: 'h', alerts: [{ labels: { bot: 'x' } }] }, plain)).toBe('x@h ');
  });

  it('rejects unbalanced blocks with the template name', () => {
    expect(() => compileTemplate('{{#if a}}x', 'BotDown.text')).toThrow(TemplateError);
    expect(() => compileTemplate('{{/each}}', 'x')).toThrow(/does not close/);
    expect(() => compileTemplate('{{#with a}}{{/with}}', 'x')).toThrow(/unknown block/);
  });
});

const alert = (over: Partial<Notification['alerts'][number]> = {}) => ({
  fingerprint: '0123456789abcdef',
  status: 'firing' as const,
  labels: { alertname: 'LowBalance', severity: 'warning', account: 'acc_1' },
  annotations: { summary: 'Cash 90 < 100 *now*' },
  startsAt: '2026-01-05T14:30:00.000Z',
  endsAt: null,
  generatorURL: 'http://hub/alerts?fingerprint=0123456789abcdef',
  ...over,
});

const notification = (over: Partial<Notification> = {}): Notification => ({
  kind: 'alert',
  receiver: 'ops',
  route: 'r0',
  groupKey: 'r0:{}',
  status: 'firing',
  alerts: [alert()],
  truncated: 0,
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://hub',
  createdAt: '2026-01-05T14:30:00.000Z',
  ...over,
});

describe('default templates', () => {
  const r = new Renderer();

  it('renders subject, text and HTML for email', () => {
    const out = r.render(notification());
    expect(out.subject).toBe('[FIRING] LowBalance: Cash 90 < 100 *now*');
    expect(out.text).toContain('- WARNING LowBalance (account=acc_1): Cash 90 < 100 *now*');
    expect(out.html).toContain('Cash 90 &lt; 100 *now*');
  });

  it('renders chat markdown per service, with values made inert', () => {
    const tg = r.chat(notification(), 'telegram');
    expect(tg).toContain('<b>LowBalance</b>');
    expect(tg).toContain('<code>account=acc&#95;1</code>');
    expect(tg).toContain('Cash 90 &lt; 100 &#42;now&#42;');
    expect(r.chat(notification(), 'discord')).toContain('**LowBalance**');
    expect(r.chat(notification(), 'discord')).toContain('\\*now\\*');
    expect(r.chat(notification(), 'slack')).toContain('Cash 90 &lt; 100 *now*');
  });

  it('uses an alert name’s own template when every alert of the message has that name', () => {
    const down = notification({
      alerts: [
        alert({
          labels: { alertname: 'BotDown', severity: 'critical', bot: 'alpha' },
          annotations: { summary: 'no heartbeat' },
        }),
      ],
    });
    expect(r.chat(down, 'plain')).toContain('🔴 *Bot down: alpha*');
  });

  it('takes overrides from the templates directory', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-tmpl-'));
    writeFileSync(
      path.join(dir, 'LowBalance.text.tmpl'),
      'LOW {{#each alerts}}{{labels.account}}{{/each}}',
    );
    const own = Renderer.load(dir);
    expect(own.text(notification())).toBe('LOW acc_1');
    expect(own.subject(notification())).toBe('[FIRING] LowBalance: Cash 90 < 100 *now*');
  });
});
