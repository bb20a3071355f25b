import type { Matcher } from '../matchers.js';
import type { AlertRecord, AlertStatus, Annotations, Labels, Severity } from '../model.js';

/** What the last notification of a group said about each member (null: not notified yet). */
export type MemberState = 'firing' | null;

/** An aggregation group: the alerts one route collects under the same group labels. */
export interface GroupRecord {
  key: string;
  route: string;
  labels: Labels;
  members: Record<string, MemberState>;
  createdAt: number;
  nextFlushAt: number | null;
  lastFlushAt: number | null;
  lastHash: string | null;
  /** Repeats of the same alert set (part of the dedup key so a reminder is not dropped). */
  repeat: number;
}

export interface SilenceRecord {
  id: string;
  matchers: Record<string, string>;
  compiled: Matcher[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface ThrottleRecord {
  channel: string;
  windowStart: number;
  count: number;
  /** One line per notification held back, summarised in the next message. */
  suppressed: string[];
}

/** One line of a digest. */
export interface DigestEntry {
  at: string;
  status: AlertStatus;
  alertnames: string[];
  lines: string[];
}

export interface DigestItem {
  id: string;
  route: string;
  channel: string;
  createdAt: number;
  entry: DigestEntry;
}

/** An alert as notifications carry it (Alertmanager's shape). */
export interface AlertView {
  fingerprint: string;
  status: AlertStatus;
  labels: Labels;
  annotations: Annotations;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string;
}

export type NotificationKind = 'alert' | 'escalation' | 'digest' | 'throttled' | 'test' | 'summary';

/** The content of one outbox row: rendered per channel at delivery time. */
export interface Notification {
  kind: NotificationKind;
  receiver: string;
  route: string;
  groupKey: string;
  status: AlertStatus;
  alerts: AlertView[];
  truncated: number;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Annotations;
  externalURL: string;
  createdAt: string;
  /** Notifications the channel's throttle held back since its last message. */
  suppressed?: { count: number; lines: string[] };
  digest?: { from: string; to: string; entries: DigestEntry[] };
  /** The daily summary's figures (rendered with the `summary.*` templates). */
  summary?: Record<string, unknown>;
  message?: string;
}

export interface OutboxDraft {
  channel: string;
  kind: NotificationKind;
  groupKey: string | null;
  dedupKey: string;
  payload: Notification;
  createdAt: number;
}

export type HistoryEvent =
  'firing' | 'resolved' | 'acknowledged' | 'escalated' | 'expired' | 'updated';

export interface HistoryRow {
  fingerprint: string;
  name: string;
  ts: number;
  event: HistoryEvent;
  severity: Severity;
  labels: Labels;
  message: string;
  actor: string | null;
}

/** Everything one engine step changed: written to the database in one transaction. */
export class Effects {
  readonly alerts = new Set<string>();
  readonly history: HistoryRow[] = [];
  readonly groups = new Set<string>();
  readonly deletedGroups = new Set<string>();
  readonly outbox: OutboxDraft[] = [];
  readonly throttles = new Set<string>();
  readonly digestAdd: DigestItem[] = [];
  readonly digestDelete: string[] = [];
  readonly silences = new Set<string>();
  /** Alerts that started firing (runbook actions, events, stream). */
  readonly fired: AlertRecord[] = [];
  readonly resolved: AlertRecord[] = [];

  get empty(): boolean {
    return (
      this.alerts.size === 0 &&
      this.history.length === 0 &&
      this.groups.size === 0 &&
      this.deletedGroups.size === 0 &&
      this.outbox.length === 0 &&
      this.throttles.size === 0 &&
      this.digestAdd.length === 0 &&
      this.digestDelete.length === 0 &&
      this.silences.size === 0
    );
  }
}
