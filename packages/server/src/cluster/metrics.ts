import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ClusterGaugeSources {
  instance: string;
  leader(): boolean;
  listening(): boolean;
}

export interface ClusterMetrics {
  leaderChanges: Counter | null;
  notifications: Counter | null;
  fanoutSeconds: Histogram | null;
}

/** The cluster's Prometheus metrics (a name another module already registered is skipped). */
export function registerClusterMetrics(
  registry: Registry,
  sources: ClusterGaugeSources,
): ClusterMetrics {
  const make = <T>(build: () => T): T | null => {
    try {
      return build();
    } catch {
      return null;
    }
  };
  const registers = [registry];
  make(
    () =>
      new Gauge({
        name: 'tradewatch_cluster_leader',
        help: '1 when this instance leads (runs the singleton jobs), else 0; label: instance id',
        labelNames: ['instance'],
        registers,
        collect() {
          this.reset();
          this.set({ instance: sources.instance }, sources.leader() ? 1 : 0);
        },
      }),
  );
  make(
    () =>
      new Gauge({
        name: 'tradewatch_cluster_listening',
        help: '1 when the LISTEN session for other instances’ commits is up (always 1 on SQLite)',
        registers,
        collect() {
          this.set(sources.listening() ? 1 : 0);
        },
      }),
  );
  return {
    leaderChanges: make(
      () =>
        new Counter({
          name: 'tradewatch_cluster_leader_changes_total',
          help: 'Times this instance became leader or stepped down',
          registers,
        }),
    ),
    notifications: make(
      () =>
        new Counter({
          name: 'tradewatch_cluster_remote_commits_total',
          help: 'Commit notifications received from other instances',
          registers,
        }),
    ),
    fanoutSeconds: make(
      () =>
        new Histogram({
          name: 'tradewatch_cluster_fanout_seconds',
          help: 'Time one fan-out pass took (cache refresh, reading the new facts, pushing them)',
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
          registers,
        }),
    ),
  };
}
