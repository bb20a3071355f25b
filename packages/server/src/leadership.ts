/**
 * Which hub instance runs the singleton jobs (alert evaluation, schedulers, the Telegram
 * poller). On SQLite there is one instance and it always leads; on PostgreSQL the cluster
 * module replaces `hub.leader` with an advisory-lock election.
 */
export interface Leadership {
  isLeader(): boolean;
  /** Called with the new state whenever it changes; returns an unsubscribe function. */
  onChange(listener: (leader: boolean) => void): () => void;
}

export const alwaysLeader: Leadership = {
  isLeader: () => true,
  onChange: () => () => undefined,
};
