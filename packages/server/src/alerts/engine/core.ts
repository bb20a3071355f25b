import { isoUtc } from '@tradewatch/protocol';
import { matches, parseMatchers, type Matcher } from '../matchers.js';
import {
  fingerprint,
  fullLabels,
  hashOf,
  severityRank,
  type AlertRecord,
  type AlertSource,
  type Annotations,
  type FireSignal,
  type Labels,
  type Severity,
} from '../model.js';
import { passesQuiet, quietAt } from './quiet-hours.js';
import {
  FALLBACK_ROUTE,
  groupKeyOf,
  groupLabelsOf,
  highestSeverity,
  routesFor,
  type Route,
} from './routing.js';
import type { Effects } from './types.js';
import {
  type AlertView,
  type DigestEntry,
  type DigestItem,
  type GroupRecord,
  type HistoryEvent,
  type Notification,
  type NotificationKind,
  type SilenceRecord,
  type ThrottleRecord,
} from './types.js';

export interface ChannelInfo {
  name: string;
  type: string;
  minSeverity: Severity;
  sendResolved: boolean;
  throttle: { max: number; windowMs: number } | null;
}

export interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

export interface CoreSettings {
  routes: Route[];
  inhibit: InhibitRule[];
  channels: Map<string, ChannelInfo>;
  eventTtlMs: number;
  maxAlertsPerMessage: number;
  externalUrl: string;
  newId: () => string;
}

export function compileInhibitRules(
  spec: {
    source_match: Record<string, string>;
    target_match: Record<string, string>;
    equal: string[];
  }[],
): InhibitRule[] {
  return spec.map((r) => ({
    source: parseMatchers(r.source_match),
    target: parseMatchers(r.target_match),
    equal: r.equal,
  }));
}

export type EffectiveState = 'firing' | 'acknowledged' | 'silenced' | 'inhibited' | 'resolved';

/**
 * The alert engine's state machine, pure and clock-free: every method takes `now` and records
 * what it changed in an `Effects`, which the service writes in one transaction (alert state,
 * history, groups and outbox rows together). Grouping follows Alertmanager: a new group waits
 * `group_wait`, changes to a notified group wait `group_interval` after the last message, an
 * unchanged firing group is repeated after `repeat_interval`.
 */
export class AlertCore {
  readonly alerts = new Map<string, AlertRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly silences = new Map<string, SilenceRecord>();
  readonly throttles = new Map<string, ThrottleRecord>();
  readonly digest = new Map<string, DigestItem>();
  /** Fingerprints of the groups each alert is a member of. */
  private readonly memberOf = new Map<string, Set<string>>();
  /** Per inhibit rule: firing alerts that match its source. */
  private readonly inhibitSources: Set<string>[];
  private readonly routeById: Map<string, Route>;
  /** Firing alerts by source, for the sweeps of level-triggered sources. */
  private readonly firingBySource = new Map<AlertSource, Set<string>>();
  private lastTick = 0;

  constructor(readonly settings: CoreSettings) {
    this.inhibitSources = settings.inhibit.map(() => new Set<string>());
    this.routeById = new Map(settings.routes.map((r) => [r.id, r]));
    this.routeById.set(FALLBACK_ROUTE.id, FALLBACK_ROUTE);
  }

  // ---------------------------------------------------------------- loading

  /** Forgets everything (before a restore from the database). */
  clear(): void {
    this.alerts.clear();
    this.groups.clear();
    this.silences.clear();
    this.throttles.clear();
    this.digest.clear();
    this.memberOf.clear();
    this.firingBySource.clear();
    for (const set of this.inhibitSources) set.clear();
  }

  /** Restores persisted state (after a restart). */
  restore(state: {
    alerts: AlertRecord[];
    groups: GroupRecord[];
    silences: SilenceRecord[];
    throttles: ThrottleRecord[];
    digest: DigestItem[];
  }): void {
    for (const a of state.alerts) {
      this.alerts.set(a.fingerprint, a);
      this.noteFiring(a);
      if (a.status === 'firing') this.indexInhibitSource(a, true);
    }
    for (const g of state.groups) {
      this.groups.set(g.key, g);
      for (const fp of Object.keys(g.members)) this.addMembership(fp, g.key);
    }
    for (const s of state.silences) this.silences.set(s.id, s);
    for (const t of state.throttles) this.throttles.set(t.channel, t);
    for (const d of state.digest) this.digest.set(d.id, d);
  }

  // ---------------------------------------------------------------- alert state

  /** Fires an alert (or refreshes one already firing). Returns its record. */
  fire(signal: FireSignal, now: number, fx: Effects): AlertRecord {
    const labels = fullLabels(signal.name, signal.severity, signal.labels);
    const fp = fingerprint(signal.name, labels);
    const existing = this.alerts.get(fp);
    if (existing && existing.status === 'firing') {
      const severityChanged = existing.severity !== signal.severity;
      if (severityChanged || !sameRecord(existing.annotations, signal.annotations)) {
        const next: AlertRecord = {
          ...existing,
          severity: signal.severity,
          labels,
          annotations: signal.annotations,
          updatedAt: now,
        };
        this.alerts.set(fp, next);
        fx.alerts.add(fp);
        if (severityChanged) {
          this.history(
            fx,
            next,
            now,
            'updated',
            `severity ${existing.severity} → ${signal.severity}`,
            null,
          );
          this.route(next, now, fx);
          this.touchGroupsOf(fp, now, fx);
        }
        return next;
      }
      return existing;
    }
    const record: AlertRecord = {
      fingerprint: fp,
      name: signal.name,
      severity: signal.severity,
      labels,
      annotations: signal.annotations,
      status: 'firing',
      source: signal.source,
      oneshot: signal.oneshot ?? false,
      startsAt: now,
      endsAt: null,
      updatedAt: now,
      ackedAt: null,
      ackedBy: null,
      escalatedAt: null,
      episode: (existing?.episode ?? 0) + 1,
    };
    this.alerts.set(fp, record);
    this.noteFiring(record);
    fx.alerts.add(fp);
    fx.fired.push(record);
    this.history(fx, record, now, 'firing', record.annotations.summary ?? record.name, null);
    this.indexInhibitSource(record, true, now, fx);
    this.route(record, now, fx);
    return record;
  }

  /** Resolves a firing alert; `annotations` are merged (e.g. the downtime of a bot). */
  resolve(fp: string, now: number, fx: Effects, annotations?: Annotations): boolean {
    const a = this.alerts.get(fp);
    if (!a || a.status !== 'firing') return false;
    const next: AlertRecord = {
      ...a,
      status: 'resolved',
      endsAt: now,
      updatedAt: now,
      annotations: annotations ? { ...a.annotations, ...annotations } : a.annotations,
    };
    this.alerts.set(fp, next);
    this.noteFiring(next);
    fx.alerts.add(fp);
    fx.resolved.push(next);
    this.history(
      fx,
      next,
      now,
      a.oneshot ? 'expired' : 'resolved',
      next.annotations.resolved ?? 'resolved',
      null,
    );
    this.indexInhibitSource(next, false, now, fx);
    if (a.oneshot) {
      // Event alerts say what happened once; their expiry is not news.
      for (const key of [...(this.memberOf.get(fp) ?? [])]) {
        const g = this.groups.get(key);
        if (!g) continue;
        delete g.members[fp];
        this.dropMembership(fp, key);
        this.saveGroup(g, fx);
      }
    } else {
      this.touchGroupsOf(fp, now, fx);
    }
    return true;
  }

  /**
   * Level-triggered sources: every firing alert of `source` (and, if given, of these names) that
   * the latest evaluation did not derive resolves.
   */
  sweep(
    source: AlertSource,
    derived: ReadonlySet<string>,
    now: number,
    fx: Effects,
    options: {
      names?: ReadonlySet<string>;
      annotate?: (a: AlertRecord) => Annotations | undefined;
    } = {},
  ): void {
    const firing = this.firingBySource.get(source);
    if (!firing) return;
    for (const fp of [...firing]) {
      const a = this.alerts.get(fp);
      if (!a || a.status !== 'firing' || derived.has(fp)) continue;
      if (options.names && !options.names.has(a.name)) continue;
      this.resolve(fp, now, fx, options.annotate?.(a));
    }
  }

  private noteFiring(a: AlertRecord): void {
    let set = this.firingBySource.get(a.source);
    if (!set) {
      set = new Set();
      this.firingBySource.set(a.source, set);
    }
    if (a.status === 'firing') set.add(a.fingerprint);
    else set.delete(a.fingerprint);
  }

  ack(fp: string, actor: string, now: number, fx: Effects, comment?: string): AlertRecord | null {
    const a = this.alerts.get(fp);
    if (!a) return null;
    if (a.status !== 'firing' || a.ackedAt !== null) return a;
    const next: AlertRecord = { ...a, ackedAt: now, ackedBy: actor, updatedAt: now };
    this.alerts.set(fp, next);
    fx.alerts.add(fp);
    this.history(
      fx,
      next,
      now,
      'acknowledged',
      comment ? `acknowledged: ${comment}` : 'acknowledged',
      actor,
    );
    return next;
  }

  // ---------------------------------------------------------------- silences

  putSilence(s: Omit<SilenceRecord, 'compiled'>, now: number, fx: Effects): SilenceRecord {
    const previous = this.silences.get(s.id);
    const record: SilenceRecord = { ...s, compiled: parseMatchers(s.matchers) };
    this.silences.set(s.id, record);
    fx.silences.add(s.id);
    // Alerts it stops silencing (an edit or an early end) are notified at the next group flush.
    for (const silence of previous ? [previous, record] : [record])
      this.touchMatching(silence.compiled, now, fx);
    return record;
  }

  expireSilence(id: string, now: number, fx: Effects): SilenceRecord | null {
    const s = this.silences.get(id);
    if (!s) return null;
    if (s.endsAt <= now) return s;
    return this.putSilence({ ...s, endsAt: now, updatedAt: now }, now, fx);
  }

  silencesOf(a: AlertRecord, now: number): string[] {
    const out: string[] = [];
    for (const s of this.silences.values()) {
      if (s.startsAt <= now && now < s.endsAt && matches(s.compiled, a.labels)) out.push(s.id);
    }
    return out;
  }

  isInhibited(a: AlertRecord): boolean {
    const rules = this.settings.inhibit;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (!matches(rule.target, a.labels)) continue;
      for (const sfp of this.inhibitSources[i]!) {
        if (sfp === a.fingerprint) continue;
        const s = this.alerts.get(sfp);
        if (s && rule.equal.every((l) => (s.labels[l] ?? '') === (a.labels[l] ?? ''))) return true;
      }
    }
    return false;
  }

  effectiveState(a: AlertRecord, now: number): EffectiveState {
    if (a.status === 'resolved') return 'resolved';
    if (this.silencesOf(a, now).length > 0) return 'silenced';
    if (this.isInhibited(a)) return 'inhibited';
    return a.ackedAt !== null ? 'acknowledged' : 'firing';
  }

  // ---------------------------------------------------------------- time

  /**
   * Everything that happens because time passed: event alerts expire, silences end, due groups
   * flush (held quiet-hours messages included), escalations, digests and throttle summaries.
   */
  tick(now: number, fx: Effects): void {
    for (const a of [...this.alerts.values()]) {
      if (a.status === 'firing' && a.oneshot && now >= a.startsAt + this.settings.eventTtlMs) {
        this.resolve(a.fingerprint, now, fx);
      }
    }
    for (const s of this.silences.values()) {
      if (s.endsAt <= now && s.endsAt > this.lastTick) this.touchMatching(s.compiled, now, fx);
      if (s.startsAt <= now && s.startsAt > this.lastTick) this.touchMatching(s.compiled, now, fx);
    }
    this.lastTick = now;
    this.flushDue(now, fx);
    this.escalate(now, fx);
    this.flushDigests(now, fx);
    this.flushThrottled(now, fx);
  }

  /** Sends every group whose timer is due (also called right after changes: group_wait 0). */
  flushDue(now: number, fx: Effects): void {
    for (const g of [...this.groups.values()]) {
      if (g.nextFlushAt !== null && g.nextFlushAt <= now) this.flush(g, now, fx);
    }
  }

  /** Forgets resolved alerts older than `keepMs` that no group still needs (they stay in the database). */
  prune(now: number, keepMs: number): void {
    for (const a of [...this.alerts.values()]) {
      if (
        a.status === 'resolved' &&
        a.endsAt !== null &&
        a.endsAt < now - keepMs &&
        !this.memberOf.has(a.fingerprint)
      ) {
        this.alerts.delete(a.fingerprint);
      }
    }
    for (const s of [...this.silences.values()]) {
      if (s.endsAt < now - keepMs) this.silences.delete(s.id);
    }
  }

  /** The earliest instant anything is due (for the timer of the service). */
  nextDue(): number | null {
    let next: number | null = null;
    const consider = (t: number | null) => {
      if (t !== null && (next === null || t < next)) next = t;
    };
    for (const g of this.groups.values()) consider(g.nextFlushAt);
    return next;
  }

  // ---------------------------------------------------------------- grouping

  private route(a: AlertRecord, now: number, fx: Effects): void {
    for (const r of routesFor(this.settings.routes, a.labels)) {
      const labels = groupLabelsOf(r, a.labels);
      const key = groupKeyOf(r, labels);
      let g = this.groups.get(key);
      if (!g) {
        g = {
          key,
          route: r.id,
          labels,
          members: {},
          createdAt: now,
          nextFlushAt: now + r.groupWaitMs,
          lastFlushAt: null,
          lastHash: null,
          repeat: 0,
        };
        this.groups.set(key, g);
      }
      if (!(a.fingerprint in g.members)) g.members[a.fingerprint] = null;
      this.addMembership(a.fingerprint, key);
      this.touch(g, r, now);
      this.saveGroup(g, fx);
    }
  }

  private touch(g: GroupRecord, r: Route, now: number): void {
    const candidate =
      g.lastFlushAt === null
        ? g.createdAt + r.groupWaitMs
        : Math.max(now, g.lastFlushAt + r.groupIntervalMs);
    g.nextFlushAt = g.nextFlushAt === null ? candidate : Math.min(g.nextFlushAt, candidate);
  }

  private touchGroupsOf(fp: string, now: number, fx: Effects): void {
    for (const key of this.memberOf.get(fp) ?? []) {
      const g = this.groups.get(key);
      if (!g) continue;
      this.touch(g, this.routeOf(g), now);
      this.saveGroup(g, fx);
    }
  }

  private touchMatching(matchers: Matcher[], now: number, fx: Effects): void {
    for (const a of this.alerts.values()) {
      if (a.status === 'firing' && matches(matchers, a.labels))
        this.touchGroupsOf(a.fingerprint, now, fx);
    }
  }

  private routeOf(g: GroupRecord): Route {
    return this.routeById.get(g.route) ?? FALLBACK_ROUTE;
  }

  private flush(g: GroupRecord, now: number, fx: Effects): void {
    const route = this.routeOf(g);
    const firing: AlertRecord[] = [];
    const resolved: AlertRecord[] = [];
    for (const [fp, said] of Object.entries(g.members)) {
      const a = this.alerts.get(fp);
      if (!a) {
        delete g.members[fp];
        this.dropMembership(fp, g.key);
        continue;
      }
      if (a.status === 'firing') {
        if (this.silencesOf(a, now).length === 0 && !this.isInhibited(a)) firing.push(a);
      } else if (said === 'firing') {
        resolved.push(a);
      } else {
        delete g.members[fp];
        this.dropMembership(fp, g.key);
      }
    }
    const settle = () => {
      if (Object.keys(g.members).length === 0) this.deleteGroup(g, fx);
      else this.saveGroup(g, fx);
    };
    if (firing.length === 0 && resolved.length === 0) {
      g.nextFlushAt = null;
      return settle();
    }
    const hash = hashOf(
      [
        ...firing.map((a) => `${a.fingerprint}:firing:${a.startsAt}:${a.severity}`),
        ...resolved.map((a) => `${a.fingerprint}:resolved:${a.startsAt}`),
      ].sort(),
    );
    const repeatDue =
      g.lastFlushAt !== null &&
      now >= g.lastFlushAt + route.repeatIntervalMs &&
      firing.some((a) => a.ackedAt === null);
    if (hash === g.lastHash && !repeatDue) {
      g.nextFlushAt =
        firing.length > 0 && g.lastFlushAt !== null ? g.lastFlushAt + route.repeatIntervalMs : null;
      return settle();
    }
    const q = quietAt(now, route.quiet);
    if (!passesQuiet(q, highestSeverity(firing))) {
      // Held: goes out (with whatever changed meanwhile) when the window ends.
      g.nextFlushAt = q!.until;
      return settle();
    }
    g.repeat = hash === g.lastHash ? g.repeat + 1 : 0;
    const sent = this.deliverGroup(g, route, firing, resolved, hash, now, fx);
    g.lastFlushAt = now;
    g.lastHash = hash;
    for (const a of firing) g.members[a.fingerprint] = 'firing';
    for (const a of resolved) {
      delete g.members[a.fingerprint];
      this.dropMembership(a.fingerprint, g.key);
    }
    g.nextFlushAt = firing.length > 0 ? now + route.repeatIntervalMs : null;
    void sent;
    settle();
  }

  private deliverGroup(
    g: GroupRecord,
    route: Route,
    firing: AlertRecord[],
    resolved: AlertRecord[],
    hash: string,
    now: number,
    fx: Effects,
  ): number {
    let sent = 0;
    const reached = new Set<string>();
    for (const channel of route.channels) {
      const info = this.settings.channels.get(channel);
      const min = info ? severityRank(info.minSeverity) : 0;
      // A channel never carries the news of its own failure (it would only queue behind it).
      const own = (a: AlertRecord) => a.name === 'DeliveryFailing' && a.labels.channel === channel;
      const f = firing.filter((a) => severityRank(a.severity) >= min && !own(a));
      const r =
        info?.sendResolved === false
          ? []
          : resolved.filter((a) => severityRank(a.severity) >= min && !own(a));
      if (f.length === 0 && r.length === 0) continue;
      for (const a of [...f, ...r]) reached.add(a.fingerprint);
      const payload = this.notification('alert', channel, route, g.key, g.labels, f, r, now);
      const dedupKey = hashOf([g.key, channel, hash, String(g.repeat)]);
      if (route.digestMs !== null) {
        this.addDigest(route, channel, payload, now, fx);
      } else {
        this.emit(channel, 'alert', g.key, dedupKey, payload, now, fx);
      }
      sent++;
    }
    // A failing channel's only route leads to itself: its alert goes to the log instead.
    const orphans = [...firing, ...resolved].filter(
      (a) => a.name === 'DeliveryFailing' && !reached.has(a.fingerprint),
    );
    if (orphans.length > 0) {
      const payload = this.notification(
        'alert',
        'log',
        route,
        g.key,
        g.labels,
        orphans.filter((a) => a.status === 'firing'),
        orphans.filter((a) => a.status === 'resolved'),
        now,
      );
      this.emit(
        'log',
        'alert',
        g.key,
        hashOf([g.key, 'log', hash, String(g.repeat)]),
        payload,
        now,
        fx,
      );
    }
    return sent;
  }

  // ---------------------------------------------------------------- escalation, digests, throttle

  private escalate(now: number, fx: Effects): void {
    for (const a of [...this.alerts.values()]) {
      if (a.status !== 'firing' || a.ackedAt !== null || a.escalatedAt !== null) continue;
      const routes = routesFor(this.settings.routes, a.labels).filter(
        (r) =>
          r.escalate &&
          severityRank(a.severity) >= severityRank(r.escalate.severity) &&
          now >= a.startsAt + r.escalate.afterMs,
      );
      if (routes.length === 0) continue;
      if (this.silencesOf(a, now).length > 0 || this.isInhibited(a)) continue;
      const channels = new Set(routes.flatMap((r) => r.escalate!.channels));
      for (const channel of channels) {
        const route = routes[0]!;
        const payload = this.notification(
          'escalation',
          channel,
          route,
          `escalation:${a.fingerprint}`,
          { alertname: a.name },
          [a],
          [],
          now,
        );
        this.emit(
          channel,
          'escalation',
          payload.groupKey,
          hashOf(['escalation', a.fingerprint, String(a.startsAt), channel]),
          payload,
          now,
          fx,
          false,
        );
      }
      const next = { ...a, escalatedAt: now, updatedAt: now };
      this.alerts.set(a.fingerprint, next);
      fx.alerts.add(a.fingerprint);
      this.history(fx, next, now, 'escalated', `escalated to ${[...channels].join(', ')}`, null);
    }
  }

  private addDigest(
    route: Route,
    channel: string,
    n: Notification,
    now: number,
    fx: Effects,
  ): void {
    const entry: DigestEntry = {
      at: isoUtc(now),
      status: n.status,
      alertnames: [...new Set(n.alerts.map((a) => a.labels.alertname ?? ''))],
      lines: n.alerts.map(alertLine),
    };
    const item: DigestItem = {
      id: this.settings.newId(),
      route: route.id,
      channel,
      createdAt: now,
      entry,
    };
    this.digest.set(item.id, item);
    fx.digestAdd.push(item);
  }

  private flushDigests(now: number, fx: Effects): void {
    const byTarget = new Map<string, DigestItem[]>();
    for (const item of this.digest.values()) {
      const k = `${item.route}\u0000${item.channel}`;
      const list = byTarget.get(k) ?? [];
      list.push(item);
      byTarget.set(k, list);
    }
    for (const items of byTarget.values()) {
      items.sort((a, b) => a.createdAt - b.createdAt);
      const first = items[0]!;
      const route = this.routeById.get(first.route);
      const interval = route?.digestMs ?? 0;
      const due =
        interval > 0
          ? Math.floor(first.createdAt / interval) * interval + interval
          : first.createdAt;
      if (now < due) continue;
      const payload = this.blank(
        'digest',
        first.channel,
        route ?? FALLBACK_ROUTE,
        `digest:${first.route}`,
        now,
      );
      payload.status = items.some((i) => i.entry.status === 'firing') ? 'firing' : 'resolved';
      payload.digest = {
        from: isoUtc(first.createdAt),
        to: isoUtc(now),
        entries: items.map((i) => i.entry),
      };
      this.emit(
        first.channel,
        'digest',
        payload.groupKey,
        hashOf(['digest', first.route, first.channel, ...items.map((i) => i.id)]),
        payload,
        now,
        fx,
        false,
      );
      for (const i of items) {
        this.digest.delete(i.id);
        fx.digestDelete.push(i.id);
      }
    }
  }

  private throttleOf(channel: string): { max: number; windowMs: number } | null {
    return this.settings.channels.get(channel)?.throttle ?? null;
  }

  /** Queues a message for a channel, within its throttle; what the throttle holds back is summarised later. */
  emit(
    channel: string,
    kind: NotificationKind,
    groupKey: string | null,
    dedupKey: string,
    payload: Notification,
    now: number,
    fx: Effects,
    throttled = true,
  ): void {
    const limit = throttled ? this.throttleOf(channel) : null;
    if (limit) {
      let t = this.throttles.get(channel);
      if (!t) {
        t = { channel, windowStart: windowStart(now, limit.windowMs), count: 0, suppressed: [] };
        this.throttles.set(channel, t);
      }
      if (now >= t.windowStart + limit.windowMs) {
        t.windowStart = windowStart(now, limit.windowMs);
        t.count = 0;
      }
      fx.throttles.add(channel);
      if (t.count >= limit.max) {
        t.suppressed.push(notificationLine(payload));
        return;
      }
      t.count++;
      if (t.suppressed.length > 0) {
        payload.suppressed = { count: t.suppressed.length, lines: t.suppressed.slice(0, 50) };
        t.suppressed = [];
      }
    }
    fx.outbox.push({ channel, kind, groupKey, dedupKey, payload, createdAt: now });
  }

  private flushThrottled(now: number, fx: Effects): void {
    for (const t of this.throttles.values()) {
      const limit = this.throttleOf(t.channel);
      if (t.suppressed.length === 0) continue;
      if (limit && now < t.windowStart + limit.windowMs) continue;
      t.windowStart = limit ? windowStart(now, limit.windowMs) : now;
      t.count = 1;
      const payload = this.blank(
        'throttled',
        t.channel,
        FALLBACK_ROUTE,
        `throttled:${t.channel}`,
        now,
      );
      payload.suppressed = { count: t.suppressed.length, lines: t.suppressed.slice(0, 50) };
      payload.status = 'firing';
      fx.outbox.push({
        channel: t.channel,
        kind: 'throttled',
        groupKey: payload.groupKey,
        dedupKey: hashOf(['throttled', t.channel, String(now)]),
        payload,
        createdAt: now,
      });
      t.suppressed = [];
      fx.throttles.add(t.channel);
    }
  }

  // ---------------------------------------------------------------- notifications

  view(a: AlertRecord): AlertView {
    return {
      fingerprint: a.fingerprint,
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: isoUtc(a.startsAt),
      endsAt: a.endsAt === null ? null : isoUtc(a.endsAt),
      generatorURL: `${this.settings.externalUrl}/alerts?fingerprint=${a.fingerprint}`,
    };
  }

  blank(
    kind: NotificationKind,
    channel: string,
    route: Route,
    groupKey: string,
    now: number,
  ): Notification {
    return {
      kind,
      receiver: channel,
      route: route.id,
      groupKey,
      status: 'firing',
      alerts: [],
      truncated: 0,
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: this.settings.externalUrl,
      createdAt: isoUtc(now),
    };
  }

  notification(
    kind: NotificationKind,
    channel: string,
    route: Route,
    groupKey: string,
    groupLabels: Labels,
    firing: AlertRecord[],
    resolved: AlertRecord[],
    now: number,
  ): Notification {
    const all = [...firing, ...resolved];
    const max = this.settings.maxAlertsPerMessage;
    const n = this.blank(kind, channel, route, groupKey, now);
    n.status = firing.length > 0 ? 'firing' : 'resolved';
    n.alerts = all.slice(0, max).map((a) => this.view(a));
    n.truncated = Math.max(0, all.length - max);
    n.groupLabels = groupLabels;
    n.commonLabels = common(all.map((a) => a.labels));
    n.commonAnnotations = common(all.map((a) => a.annotations));
    return n;
  }

  // ---------------------------------------------------------------- bookkeeping

  private history(
    fx: Effects,
    a: AlertRecord,
    now: number,
    event: HistoryEvent,
    message: string,
    actor: string | null,
  ): void {
    fx.history.push({
      fingerprint: a.fingerprint,
      name: a.name,
      ts: now,
      event,
      severity: a.severity,
      labels: a.labels,
      message,
      actor,
    });
  }

  private indexInhibitSource(a: AlertRecord, firing: boolean, now?: number, fx?: Effects): void {
    const rules = this.settings.inhibit;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (!matches(rule.source, a.labels)) continue;
      const set = this.inhibitSources[i]!;
      const had = set.has(a.fingerprint);
      if (firing) set.add(a.fingerprint);
      else set.delete(a.fingerprint);
      if (had === firing || now === undefined || fx === undefined) continue;
      // Targets it starts or stops inhibiting need a fresh look.
      for (const t of this.alerts.values()) {
        if (
          t.status === 'firing' &&
          t.fingerprint !== a.fingerprint &&
          matches(rule.target, t.labels) &&
          rule.equal.every((l) => (t.labels[l] ?? '') === (a.labels[l] ?? ''))
        ) {
          this.touchGroupsOf(t.fingerprint, now, fx);
        }
      }
    }
  }

  private addMembership(fp: string, key: string): void {
    let set = this.memberOf.get(fp);
    if (!set) {
      set = new Set();
      this.memberOf.set(fp, set);
    }
    set.add(key);
  }

  private dropMembership(fp: string, key: string): void {
    const set = this.memberOf.get(fp);
    if (!set) return;
    set.delete(key);
    if (set.size === 0) this.memberOf.delete(fp);
  }

  private saveGroup(g: GroupRecord, fx: Effects): void {
    fx.groups.add(g.key);
    fx.deletedGroups.delete(g.key);
  }

  private deleteGroup(g: GroupRecord, fx: Effects): void {
    this.groups.delete(g.key);
    for (const fp of Object.keys(g.members)) this.dropMembership(fp, g.key);
    fx.groups.delete(g.key);
    fx.deletedGroups.add(g.key);
  }
}

function windowStart(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

function common(list: Record<string, string>[]): Record<string, string> {
  if (list.length === 0) return {};
  const out: Record<string, string> = { ...list[0] };
  for (const item of list.slice(1)) {
    for (const k of Object.keys(out)) if (item[k] !== out[k]) delete out[k];
  }
  return out;
}

const IDENTITY_LABELS = ['bot', 'account', 'symbol', 'strategy', 'channel', 'connection'];

/** `BotDown bot=alpha: summary` */
export function alertLine(a: AlertView): string {
  const ids = IDENTITY_LABELS.filter((k) => a.labels[k]).map((k) => `${k}=${a.labels[k]}`);
  const head = `${a.status === 'resolved' ? 'RESOLVED ' : ''}${a.labels.alertname ?? ''}${ids.length ? ` ${ids.join(' ')}` : ''}`;
  const summary = a.annotations.summary;
  return summary ? `${head}: ${summary}` : head;
}

function notificationLine(n: Notification): string {
  if (n.alerts.length === 1) return alertLine(n.alerts[0]!);
  const names = [...new Set(n.alerts.map((a) => a.labels.alertname ?? ''))].join(', ');
  return `${n.status === 'resolved' ? 'RESOLVED ' : ''}${names} (${n.alerts.length + n.truncated} alerts)`;
}
