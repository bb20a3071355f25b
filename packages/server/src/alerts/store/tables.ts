import type { Generated } from 'kysely';

/** Row shapes of the alerts module's tables (see migrations.ts). */
export type AlertsRow = {
  fingerprint: string;
  name: string;
  severity: string;
  labels: string;
  annotations: string;
  status: string;
  source: string;
  oneshot: number;
  starts_at: number;
  ends_at: number | null;
  updated_at: number;
  acked_at: number | null;
  acked_by: string | null;
  escalated_at: number | null;
  episode: number;
};

export type HistoryTable = {
  id: Generated<number>;
  fingerprint: string;
  name: string;
  ts: number;
  event: string;
  severity: string;
  labels: string;
  message: string;
  actor: string | null;
};

export type GroupsRow = {
  key: string;
  route: string;
  labels: string;
  members: string;
  created_at: number;
  next_flush_at: number | null;
  last_flush_at: number | null;
  last_hash: string | null;
  repeat: number;
};

export type SilencesRow = {
  id: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  comment: string;
  created_by: string;
  created_at: number;
  updated_at: number;
};

export type OutboxTable = {
  id: Generated<number>;
  channel: string;
  kind: string;
  group_key: string | null;
  dedup_key: string;
  payload: string;
  created_at: number;
  /** pending | sent | skipped */
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  sent_at: number | null;
  sent_via: string | null;
  last_error: string | null;
};

export type DeliveriesTable = {
  id: Generated<number>;
  outbox_id: number;
  channel: string;
  via: string;
  kind: string;
  ts: number;
  ok: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  attempt: number;
};

export type ThrottleRow = {
  channel: string;
  window_start: number;
  count: number;
  suppressed: string;
};

export type DigestRow = {
  id: string;
  route: string;
  channel: string;
  created_at: number;
  entry: string;
};

export type CommandsRow = {
  id: string;
  action: string;
  scope: string;
  reason: string | null;
  targets: string;
  created_at: number;
  created_by: string;
  source: string;
};

export type CommandAcksRow = {
  command_id: string;
  bot: string;
  status: string;
  message: string | null;
  acked_at: number;
};

export type KvRow = { key: string; value: string; updated_at: number };

export type AlertsTables = {
  alerts_alerts: AlertsRow;
  alerts_history: HistoryTable;
  alerts_groups: GroupsRow;
  alerts_silences: SilencesRow;
  alerts_outbox: OutboxTable;
  alerts_deliveries: DeliveriesTable;
  alerts_throttle: ThrottleRow;
  alerts_digest: DigestRow;
  alerts_commands: CommandsRow;
  alerts_command_acks: CommandAcksRow;
  alerts_kv: KvRow;
};
