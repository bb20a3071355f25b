import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../time/index.js';
import { alertsConfig } from '../config.js';
import type { FireSignal, Severity } from '../model.js';
import { AlertCore } from './core.js';
import { coreSettingsFrom } from './settings.js';
import { Effects, type OutboxDraft } from './types.js';

const T0 = Date.UTC(2026, 0, 5, 14, 30); // a Monday, 14:30 UTC
const S = 1000;
const M = 60 * S;
const H = 60 * M;

/** An engine on a manual clock that collects what it would send. */
function engine(config: Record<string, unknown>) {
  const clock = new ManualClock(T0);
  let ids = 0;
  const core = new AlertCore(
    coreSettingsFrom(alertsConfig.parse(config), {
      timezone: 'UTC',
      externalUrl: 'http://hub.test',
      newId: () => `id${++ids}`,
    }),
  );
  const sent: OutboxDraft[] = [];
  const step = (fn: (fx: Effects) => void) => {
    const fx = new Effects();
    fn(fx);
    sent.push(...fx.outbox);
    return fx;
  };
  return {
    core,
    clock,
    sent,
    fire(
      name: string,
      labels: Record<string, string> = {},
      severity: Severity = 'warning',
      extra: Partial<FireSignal> = {},
    ) {
      let fp = '';
      step((fx) => {
        fp = core.fire(
          {
            name,
            severity,
            labels,
            annotations: { summary: `${name} happened` },
            source: 'sink',
            ...extra,
          },
          clock.now(),
          fx,
        ).fingerprint;
        core.flushDue(clock.now(), fx);
      });
      return fp;
    },
    resolve(fp: string) {
      step((fx) => {
        core.resolve(fp, clock.now(), fx);
        core.flushDue(clock.now(), fx);
      });
    },
    /** Moves the clock and runs the evaluator tick, like the service's timer does. */
    at(ms: number) {
      clock.set(T0 + ms);
      step((fx) => core.tick(clock.now(), fx));
    },
    step,
    /** Alert names per message, e.g. [["A","B"], ["C"]]. */
    names: () => sent.map((o) => o.payload.alerts.map((a) => a.labels.alertname)),
  };
}

const ops = { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/hook' };
const phone = { name: 'phone', type: 'webhook', url: 'http://127.0.0.1:9/phone' };

describe('grouping and timing', () => {
  it('waits group_wait before the first message and sends the alerts of a group together', () => {
    const e = engine({ channels: [ops], routes: [{ channels: ['ops'], group_wait: '10s' }] });
    e.fire('BotDown', { bot: 'a' });
    e.at(5 * S);
    e.fire('BotDown', { bot: 'b' });
    e.at(9 * S);
    expect(e.sent).toHaveLength(0);
    e.at(10 * S);
    expect(e.sent).toHaveLength(1);
    expect(e.sent[0]!.payload.alerts.map((a) => a.labels.bot)).toEqual(['a', 'b']);
    expect(e.sent[0]!.payload.groupLabels).toEqual({ alertname: 'BotDown' });
    expect(e.sent[0]!.payload.commonLabels).toEqual({ alertname: 'BotDown', severity: 'warning' });
  });

  it('keeps groups apart by the group_by labels', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_by: ['bot'], group_wait: 0 }],
    });
    e.fire('BotDown', { bot: 'a' });
    e.fire('OrderRejected', { bot: 'a', order_id: 'o1' }, 'warning');
    e.fire('BotDown', { bot: 'b' });
    // group_wait 0: each alert goes out at once; later ones in a notified group wait group_interval.
    expect(e.names()).toEqual([['BotDown'], ['BotDown']]);
    e.at(1 * M);
    expect(e.names()).toEqual([['BotDown'], ['BotDown'], ['BotDown', 'OrderRejected']]);
  });

  it('holds changes to a notified group until group_interval after the last message', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_wait: '10s', group_interval: '5m' }],
    });
    e.fire('LowBalance', { account: 'a' });
    e.at(10 * S);
    e.at(20 * S);
    e.fire('LowBalance', { account: 'b' });
    e.at(5 * M);
    expect(e.sent).toHaveLength(1);
    e.at(5 * M + 10 * S);
    expect(e.sent).toHaveLength(2);
    expect(e.sent[1]!.payload.alerts.map((a) => a.labels.account)).toEqual(['a', 'b']);
  });

  it('repeats an unchanged firing group after repeat_interval, unless every alert is acknowledged', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_wait: 0, repeat_interval: '1h' }],
    });
    const fp = e.fire('MaxDrawdown', {}, 'critical');
    e.at(59 * M);
    expect(e.sent).toHaveLength(1);
    e.at(1 * H);
    expect(e.sent).toHaveLength(2);
    // A reminder is not a duplicate: receivers that drop repeats by dedup key still get it.
    expect(e.sent[1]!.dedupKey).not.toBe(e.sent[0]!.dedupKey);
    e.step((fx) => e.core.ack(fp, 'trader', e.clock.now(), fx));
    e.at(3 * H);
    expect(e.sent).toHaveLength(2);
  });

  it('notifies the resolution at the next flush, as a resolved message', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_wait: 0, group_interval: '1m' }],
    });
    const fp = e.fire('BotDown', { bot: 'a' }, 'critical');
    e.at(10 * S);
    e.resolve(fp);
    expect(e.sent).toHaveLength(1);
    e.at(1 * M);
    expect(e.sent).toHaveLength(2);
    expect(e.sent[1]!.payload.status).toBe('resolved');
    expect(e.sent[1]!.payload.alerts[0]).toMatchObject({
      status: 'resolved',
      endsAt: new Date(T0 + 10 * S).toISOString(),
    });
    // The group is done: nothing more is sent.
    e.at(5 * H);
    expect(e.sent).toHaveLength(2);
    expect(e.core.groups.size).toBe(0);
  });

  it('does not notify an alert that resolved before its group was ever sent', () => {
    const e = engine({ channels: [ops], routes: [{ channels: ['ops'], group_wait: '30s' }] });
    const fp = e.fire('StaleMarketData', { symbol: 'X' });
    e.at(10 * S);
    e.resolve(fp);
    e.at(1 * M);
    expect(e.sent).toHaveLength(0);
  });

  it('sends a severity change of a firing alert as news', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_wait: 0, group_interval: '1m' }],
    });
    e.fire('PortfolioHeat', {}, 'warning');
    e.at(2 * M);
    e.fire('PortfolioHeat', {}, 'critical');
    e.at(2 * M + 1);
    expect(e.sent.map((o) => o.payload.alerts[0]!.labels.severity)).toEqual([
      'warning',
      'critical',
    ]);
  });

  it('lets event alerts expire without a resolved message', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_wait: 0 }],
      event_alert_ttl: '5m',
    });
    e.fire('OrderRejected', { bot: 'a', order_id: 'o1' }, 'warning', {
      oneshot: true,
      source: 'event',
    });
    e.at(5 * M);
    e.at(10 * M);
    expect(e.sent).toHaveLength(1);
    expect([...e.core.alerts.values()][0]!.status).toBe('resolved');
  });
});

describe('routing', () => {
  it('takes the first matching route unless it says continue; unmatched alerts reach the log', () => {
    const e = engine({
      channels: [ops, phone],
      routes: [
        { match: { severity: 'critical' }, channels: ['phone'], group_wait: 0, continue: true },
        { match: { alertname: '/Bot.*/' }, channels: ['ops'], group_wait: 0 },
      ],
    });
    e.fire('BotDown', { bot: 'a' }, 'critical');
    e.fire('LowBalance', { account: 'x' }, 'warning');
    e.at(10 * S); // the implicit catch-all waits the default group_wait
    expect(e.sent.map((o) => [o.channel, o.payload.alerts[0]!.labels.alertname])).toEqual([
      ['phone', 'BotDown'],
      ['ops', 'BotDown'],
      ['log', 'LowBalance'],
    ]);
  });

  it('uses one catch-all route to every channel when no routes are configured', () => {
    const e = engine({ channels: [ops, phone] });
    e.fire('BotDown', { bot: 'a' });
    e.at(10 * S);
    expect(e.sent.map((o) => o.channel)).toEqual(['ops', 'phone']);
  });

  it('respects a channel minimum severity', () => {
    const e = engine({
      channels: [ops, { ...phone, min_severity: 'critical' }],
      routes: [{ channels: ['ops', 'phone'], group_wait: 0 }],
    });
    e.fire('TradeClosed', { trade: 't1' }, 'info');
    expect(e.sent.map((o) => o.channel)).toEqual(['ops']);
  });

  it('never sends a DeliveryFailing alert to the channel that is failing', () => {
    const e = engine({
      channels: [ops, phone],
      routes: [{ channels: ['ops', 'phone'], group_wait: 0 }],
    });
    e.fire('DeliveryFailing', { channel: 'ops' });
    expect(e.sent.map((o) => o.channel)).toEqual(['phone']);
  });

  it('gives every message a dedup key from group, channel and alert set', () => {
    const e = engine({
      channels: [ops, phone],
      routes: [{ channels: ['ops', 'phone'], group_wait: 0 }],
    });
    e.fire('BotDown', { bot: 'a' });
    const [a, b] = e.sent;
    expect(a!.dedupKey).toMatch(/^[0-9a-f]{32}$/);
    expect(a!.dedupKey).not.toBe(b!.dedupKey);
  });
});

describe('inhibition', () => {
  it('BotDown inhibits ConnectionLost and StaleMarketData of the same bot (the default rule)', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_by: ['...'], group_wait: '5s' }],
    });
    e.fire('BotDown', { bot: 'a' }, 'critical');
    const lost = e.fire('ConnectionLost', { bot: 'a', connection: 'broker' });
    e.fire('ConnectionLost', { bot: 'b', connection: 'broker' });
    e.at(5 * S);
    expect(
      e.sent
        .map((o) => `${o.payload.alerts[0]!.labels.alertname}/${o.payload.alerts[0]!.labels.bot}`)
        .sort(),
    ).toEqual(['BotDown/a', 'ConnectionLost/b']);
    const a = e.core.alerts.get(lost)!;
    expect(e.core.effectiveState(a, e.clock.now())).toBe('inhibited');
  });

  it('sends the inhibited alert once its source resolves', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_by: ['...'], group_wait: 0, group_interval: '1m' }],
    });
    const down = e.fire('BotDown', { bot: 'a' }, 'critical');
    e.fire('ConnectionLost', { bot: 'a', connection: 'broker' });
    expect(e.names()).toEqual([['BotDown']]);
    e.at(30 * S);
    e.resolve(down);
    e.at(2 * M);
    expect(e.names().flat().sort()).toEqual(['BotDown', 'BotDown', 'ConnectionLost']);
  });
});

describe('silences', () => {
  it('records silenced alerts without sending them, and sends them when the silence ends', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_wait: 0, group_interval: '1m' }],
    });
    e.step((fx) =>
      e.core.putSilence(
        {
          id: 's1',
          matchers: { alertname: 'BotDown', bot: 'a' },
          startsAt: T0,
          endsAt: T0 + 1 * H,
          comment: 'maintenance',
          createdBy: 'me',
          createdAt: T0,
          updatedAt: T0,
        },
        e.clock.now(),
        fx,
      ),
    );
    const fp = e.fire('BotDown', { bot: 'a' }, 'critical');
    e.fire('BotDown', { bot: 'b' }, 'critical');
    expect(e.sent[0]!.payload.alerts.map((a) => a.labels.bot)).toEqual(['b']);
    expect(e.core.effectiveState(e.core.alerts.get(fp)!, e.clock.now())).toBe('silenced');
    e.at(30 * M);
    expect(e.sent).toHaveLength(1);
    e.at(1 * H);
    expect(e.sent).toHaveLength(2);
    expect(e.sent[1]!.payload.alerts.map((a) => a.labels.bot)).toEqual(['a', 'b']);
  });

  it('an expired silence lets the alert through at the next flush', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_wait: 0, group_interval: '1m' }],
    });
    e.step((fx) =>
      e.core.putSilence(
        {
          id: 's1',
          matchers: { alertname: 'LowBalance' },
          startsAt: T0,
          endsAt: T0 + 1 * H,
          comment: '',
          createdBy: 'me',
          createdAt: T0,
          updatedAt: T0,
        },
        e.clock.now(),
        fx,
      ),
    );
    e.fire('LowBalance', { account: 'a' });
    expect(e.sent).toHaveLength(0);
    e.at(10 * M);
    e.step((fx) => {
      e.core.expireSilence('s1', e.clock.now(), fx);
      e.core.flushDue(e.clock.now(), fx);
    });
    expect(e.sent).toHaveLength(1);
  });
});

describe('quiet hours', () => {
  const quiet = { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' };

  it('holds warnings during the window and sends them when it ends; critical passes', () => {
    const e = engine({
      channels: [ops],
      quiet_hours: quiet,
      routes: [{ channels: ['ops'], group_wait: 0, group_by: ['...'], repeat_interval: '1d' }],
    });
    // 23:30 in Berlin (UTC+1 in January).
    e.clock.set(Date.UTC(2026, 0, 5, 22, 30));
    e.fire('LowBalance', { account: 'a' }, 'warning');
    e.fire('DailyLossLimit', {}, 'critical');
    expect(e.names()).toEqual([['DailyLossLimit']]);
    e.clock.set(Date.UTC(2026, 0, 6, 5, 59));
    e.step((fx) => e.core.tick(e.clock.now(), fx));
    expect(e.sent).toHaveLength(1);
    e.clock.set(Date.UTC(2026, 0, 6, 6, 0)); // 07:00 Berlin
    e.step((fx) => e.core.tick(e.clock.now(), fx));
    expect(e.names()).toEqual([['DailyLossLimit'], ['LowBalance']]);
  });

  it('a route may turn quiet hours off', () => {
    const e = engine({
      channels: [ops],
      quiet_hours: quiet,
      routes: [{ channels: ['ops'], group_wait: 0, quiet_hours: false }],
    });
    e.clock.set(Date.UTC(2026, 0, 5, 22, 30));
    e.fire('LowBalance', { account: 'a' }, 'warning');
    expect(e.sent).toHaveLength(1);
  });

  it('weekday windows start only on the listed days', () => {
    const e = engine({
      channels: [ops],
      quiet_hours: { start: '00:00', end: '00:00', timezone: 'UTC', days: ['sat', 'sun'] },
      routes: [{ channels: ['ops'], group_wait: 0, group_by: ['...'], repeat_interval: '30d' }],
    });
    e.fire('LowBalance', { account: 'monday' }); // T0 is a Monday
    e.clock.set(Date.UTC(2026, 0, 10, 12)); // Saturday
    e.fire('LowBalance', { account: 'saturday' });
    expect(e.sent.map((o) => o.payload.alerts[0]!.labels.account)).toEqual(['monday']);
    e.clock.set(Date.UTC(2026, 0, 11, 0)); // Sunday 00:00: Sunday's window starts
    e.step((fx) => e.core.tick(e.clock.now(), fx));
    expect(e.sent).toHaveLength(1);
    e.clock.set(Date.UTC(2026, 0, 12, 0)); // Monday 00:00
    e.step((fx) => e.core.tick(e.clock.now(), fx));
    expect(e.sent.map((o) => o.payload.alerts[0]!.labels.account)).toEqual(['monday', 'saturday']);
  });
});

describe('digest', () => {
  it('collects a route into one message per interval', () => {
    const e = engine({
      channels: [ops],
      routes: [{ channels: ['ops'], group_wait: 0, group_by: ['...'], digest: '1h' }],
    });
    e.fire('TradeClosed', { trade: 't1' }, 'info');
    e.at(10 * M);
    e.fire('TradeClosed', { trade: 't2' }, 'info');
    e.fire('PositionOpened', { symbol: 'AAPL' }, 'info');
    e.at(29 * M);
    expect(e.sent).toHaveLength(0);
    // T0 is 14:30; the hourly digest closes at 15:00.
    e.at(30 * M);
    expect(e.sent).toHaveLength(1);
    const d = e.sent[0]!;
    expect(d.kind).toBe('digest');
    expect(d.payload.digest!.entries.map((x) => x.alertnames[0])).toEqual([
      'TradeClosed',
      'TradeClosed',
      'PositionOpened',
    ]);
    e.at(2 * H);
    expect(e.sent).toHaveLength(1);
  });
});

describe('escalation', () => {
  const config = {
    channels: [ops, phone],
    routes: [{ channels: ['ops'], group_wait: 0, escalate: { after: '15m', channels: ['phone'] } }],
  };

  it('sends an unacknowledged critical alert further after a while, once', () => {
    const e = engine(config);
    e.fire('DailyLossLimit', {}, 'critical');
    e.at(14 * M);
    expect(e.sent.map((o) => o.channel)).toEqual(['ops']);
    e.at(15 * M);
    e.at(16 * M);
    expect(e.sent.map((o) => `${o.kind}:${o.channel}`)).toEqual(['alert:ops', 'escalation:phone']);
  });

  it('does not escalate acknowledged alerts or lower severities', () => {
    const e = engine(config);
    const fp = e.fire('DailyLossLimit', {}, 'critical');
    e.fire('LowBalance', {}, 'warning');
    e.at(5 * M);
    e.step((fx) => e.core.ack(fp, 'me', e.clock.now(), fx));
    e.at(1 * H);
    expect(e.sent.every((o) => o.channel === 'ops')).toBe(true);
  });
});

describe('throttling', () => {
  it('caps messages per channel per window and summarises the rest in the next message', () => {
    const e = engine({
      channels: [{ ...ops, throttle: { max: 2, window: '1m' } }],
      routes: [{ channels: ['ops'], group_by: ['...'], group_wait: 0 }],
    });
    for (const bot of ['a', 'b', 'c', 'd', 'e']) e.fire('BotDown', { bot });
    expect(e.sent).toHaveLength(2);
    e.at(59 * S);
    expect(e.sent).toHaveLength(2);
    e.at(60 * S);
    expect(e.sent).toHaveLength(3);
    const summary = e.sent[2]!;
    expect(summary.kind).toBe('throttled');
    expect(summary.payload.suppressed).toEqual({
      count: 3,
      lines: [
        'BotDown bot=c: BotDown happened',
        'BotDown bot=d: BotDown happened',
        'BotDown bot=e: BotDown happened',
      ],
    });
  });

  it('carries held-back lines in the next regular message when one comes first', () => {
    const e = engine({
      channels: [{ ...ops, throttle: { max: 1, window: '1m' } }],
      routes: [{ channels: ['ops'], group_by: ['...'], group_wait: 0 }],
    });
    e.fire('BotDown', { bot: 'a' });
    e.fire('BotDown', { bot: 'b' });
    e.clock.set(T0 + 61 * S);
    e.fire('BotDown', { bot: 'c' });
    expect(e.sent).toHaveLength(2);
    expect(e.sent[1]!.payload.alerts[0]!.labels.bot).toBe('c');
    expect(e.sent[1]!.payload.suppressed).toEqual({
      count: 1,
      lines: ['BotDown bot=b: BotDown happened'],
    });
  });
});

describe('level-triggered sweep', () => {
  it('resolves alerts of a source that the latest evaluation no longer derives', () => {
    const e = engine({ channels: [ops], routes: [{ channels: ['ops'], group_wait: 0 }] });
    const keep = e.fire('DailyLossLimit', { bot: 'a' }, 'critical', { source: 'risk' });
    const gone = e.fire('DailyLossLimit', { bot: 'b' }, 'critical', { source: 'risk' });
    e.fire('BackupStale', {}, 'warning', { source: 'sink' });
    e.step((fx) => e.core.sweep('risk', new Set([keep]), e.clock.now(), fx));
    expect(e.core.alerts.get(keep)!.status).toBe('firing');
    expect(e.core.alerts.get(gone)!.status).toBe('resolved');
    expect([...e.core.alerts.values()].find((a) => a.name === 'BackupStale')!.status).toBe(
      'firing',
    );
  });
});
