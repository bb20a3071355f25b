import { randomBytes } from 'node:crypto';
import { Counter, Gauge, Histogram } from 'prom-client';
import { onRemoteCommit } from '../cluster/index.js';
import type { Hub } from '../hub.js';
import type { HubModule } from '../module.js';
import { Runbook } from './actions/runbook.js';
import { createChannels, type Channel } from './channels/index.js';
import { logChannel } from './channels/log.js';
import { registerAlertsCli } from './cli/commands.js';
import { CommandService } from './commands/service.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { registerAlertRoutes } from './http/routes.js';
import { AlertService } from './service.js';
import { alertsMigrations } from './store/migrations.js';
import { AlertsRepository } from './store/repository.js';
import { SummaryJob } from './summary/job.js';
import { TelegramApi } from './telegram/api.js';
import { TelegramBot } from './telegram/bot.js';
import { Renderer } from './templates/render.js';

/** Everything the alerts module runs for one hub (tests reach it through `alertsRuntime`). */
export interface AlertsRuntime {
  service: AlertService;
  commands: CommandService;
  dispatcher: Dispatcher;
  summary: SummaryJob;
  telegram: TelegramBot | null;
  runbook: Runbook;
  channels: Map<string, Channel>;
  renderer: Renderer;
  /** Runs the evaluator once (what the timer does every `evaluation_interval`), then delivers. */
  tick(): Promise<void>;
  /** Waits until queued engine steps are written and due deliveries attempted. */
  settle(): Promise<void>;
}

const runtimes = new WeakMap<Hub, AlertsRuntime>();
const timers = new WeakMap<Hub, NodeJS.Timeout>();
const unsubscribe = new WeakMap<Hub, () => void>();

export function alertsRuntime(hub: Hub): AlertsRuntime {
  const r = runtimes.get(hub);
  if (!r) throw new Error('the alerts module is not registered on this hub');
  return r;
}

export function externalUrlOf(hub: Hub): string {
  return (
    hub.config.alerts.external_url ??
    hub.config.server.public_url ??
    `http://${hub.config.server.host}:${hub.config.server.port}`
  ).replace(/\/+$/, '');
}

/** Prometheus metrics of the module (skipped where another module already registered the name). */
function registerMetrics(hub: Hub, service: AlertService) {
  const make = <T>(build: () => T): T | null => {
    try {
      return build();
    } catch {
      return null;
    }
  };
  make(
    () =>
      new Gauge({
        name: 'tradewatch_alerts_firing',
        help: 'Firing alerts by name and severity',
        labelNames: ['alertname', 'severity'],
        registers: [hub.metrics],
        collect() {
          this.reset();
          for (const a of service.core.alerts.values()) {
            if (a.status === 'firing') this.inc({ alertname: a.name, severity: a.severity });
          }
        },
      }),
  );
  make(
    () =>
      new Gauge({
        name: 'tradewatch_alert_outbox_pending',
        help: 'Notifications waiting in the outbox, by channel',
        labelNames: ['channel'],
        registers: [hub.metrics],
        async collect() {
          this.reset();
          for (const [channel, p] of await service.repo.pendingCounts())
            this.set({ channel }, p.pending);
        },
      }),
  );
  return {
    deliveries: make(
      () =>
        new Counter({
          name: 'tradewatch_alert_deliveries_total',
          help: 'Alert delivery attempts by channel and outcome',
          labelNames: ['channel', 'outcome'],
          registers: [hub.metrics],
        }),
    ),
    seconds: make(
      () =>
        new Histogram({
          name: 'tradewatch_alert_delivery_seconds',
          help: 'Time one delivery attempt took',
          labelNames: ['channel'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [hub.metrics],
        }),
    ),
  };
}

/** Alerting, risk limits, dead-man's switch, kill switch, Telegram bot and daily summary. */
export const alertsModule: HubModule = {
  name: 'alerts',
  migrations: alertsMigrations,
  cli: registerAlertsCli,

  async register(hub) {
    const config = hub.config.alerts;
    const externalUrl = externalUrlOf(hub);
    const renderer = Renderer.load(config.templates_dir);
    const deps = {
      logger: hub.logger.child({ module: 'alerts' }),
      timeoutMs: config.delivery.timeout,
    };
    const channels = await createChannels(config.channels, deps);
    const repo = AlertsRepository.of(hub.store);
    const service = new AlertService(hub, config, hub.config.risk, repo, externalUrl);
    await service.load();
    const commands = new CommandService(hub, repo, service, config.kill_switch, service.builtins);
    await commands.load();
    const metrics = registerMetrics(hub, service);
    const owner = `${hub.config.server.host}:${hub.config.server.port}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const dispatcher = new Dispatcher({
      repo,
      channels,
      failover: new Map(
        config.channels.filter((c) => c.failover).map((c) => [c.name, c.failover!]),
      ),
      renderer,
      clock: hub.clock,
      logger: deps.logger,
      settings: config.delivery,
      dryRun: config.dry_run ? logChannel({ name: 'log', level: 'warn' }, deps) : null,
      owner,
      onHealth: (channel, failing, error) => {
        const labels = { channel };
        const work =
          failing && service.builtins.enabled('DeliveryFailing')
            ? service.fireSignals([
                {
                  name: 'DeliveryFailing',
                  severity: service.builtins.severity('DeliveryFailing'),
                  labels,
                  annotations: {
                    summary: `Channel ${channel} keeps failing (${error ?? 'unknown error'}); its messages wait in the outbox`,
                  },
                  source: 'delivery',
                },
              ])
            : service.resolveWhere('DeliveryFailing', labels).then(() => undefined);
        work.catch(() => undefined);
      },
      onAttempt: (channel, outcome, seconds) => {
        metrics.deliveries?.inc({ channel, outcome });
        metrics.seconds?.observe({ channel }, seconds);
      },
    });
    const runbook = new Runbook(config, {
      issue: (req) => commands.issue(req),
      events: hub.events,
      logger: deps.logger,
      allowExec: config.allow_exec,
      externalUrl,
    });
    service.hooks = {
      onOutbox: (rows) => dispatcher.offer(rows),
      lease: (now) => ({ owner, until: now + config.delivery.lease }),
      onFired: (fired) => {
        if (runbook.size > 0) void runbook.run(fired);
      },
      unacknowledged: (now) => commands.unacknowledged(now),
    };
    const summary = new SummaryJob(hub, service, renderer, config);
    let telegram: TelegramBot | null = null;
    if (config.telegram.enabled) {
      const channel = config.channels.find((c) => c.name === config.telegram.channel);
      const tg = channel?.type === 'telegram' ? channel : null;
      const token = config.telegram.bot_token ?? tg?.bot_token;
      if (token) {
        const allowed = new Set(
          config.telegram.allowed_chat_ids.length > 0
            ? config.telegram.allowed_chat_ids
            : tg
              ? [tg.chat_id]
              : [],
        );
        telegram = new TelegramBot({
          hub,
          api: new TelegramApi(
            config.telegram.api_url ?? tg?.api_url ?? 'https://api.telegram.org',
            token,
          ),
          alerts: service,
          commands,
          summary,
          allowedChats: allowed,
          pollTimeoutS: Math.round(config.telegram.poll_timeout / 1000),
          confirmTimeoutMs: config.telegram.confirm_timeout,
        });
      }
    }

    registerAlertRoutes({
      hub,
      alerts: service,
      commands,
      dispatcher,
      summary,
      channelList: [...channels.values()].map((c) => ({ name: c.name, type: c.type })),
    });
    hub.alertSink = service.sink();
    // The leader evaluates every commit, its own and (on PostgreSQL) other instances'.
    hub.ingest.onCommit((changes) => service.onCommit(changes, hub.leader.isLeader()));
    onRemoteCommit(hub, (changes) => service.onCommit(changes, hub.leader.isLeader()));

    let ticking: Promise<void> | null = null;
    const runtime: AlertsRuntime = {
      service,
      commands,
      dispatcher,
      summary,
      telegram,
      runbook,
      channels,
      renderer,
      async tick() {
        await service.tick();
        await dispatcher.drain();
      },
      async settle() {
        await service.idle();
        await dispatcher.drain();
      },
    };
    runtimes.set(hub, runtime);
    // The timer's ticks must not pile up if one is slow (a large database, a busy disk).
    (runtime as AlertsRuntime & { timerTick: () => void }).timerTick = () => {
      if (ticking) return;
      ticking = service
        .tick()
        .catch((error: unknown) => hub.logger.error({ err: error }, 'alert evaluation tick failed'))
        .finally(() => (ticking = null));
    };
  },

  async start(hub) {
    const r = runtimes.get(hub) as (AlertsRuntime & { timerTick: () => void }) | undefined;
    if (!r) return;
    if (hub.store.dialect === 'sqlite') {
      // One process owns a SQLite file: leases left by a killed process can go at once.
      await r.service.repo.releaseAllLeases();
    }
    // Every instance delivers (outbox leases keep them apart); one evaluates and schedules.
    r.dispatcher.start();
    let leading = false;
    const lead = async (leader: boolean) => {
      if (leader === leading) return;
      leading = leader;
      const old = timers.get(hub);
      if (old) clearInterval(old);
      timers.delete(hub);
      r.summary.stop();
      await r.telegram?.stop();
      if (!leader) return;
      // Take over what the previous leader wrote.
      await r.service.reloadState();
      await r.commands.load();
      const timer = setInterval(r.timerTick, hub.config.alerts.evaluation_interval);
      timer.unref();
      timers.set(hub, timer);
      r.summary.start();
      r.telegram?.start();
    };
    await lead(hub.leader.isLeader());
    const off = hub.leader.onChange((leader) => {
      lead(leader).catch((error: unknown) =>
        hub.logger.error({ err: error }, 'alerts could not change leadership'),
      );
    });
    unsubscribe.set(hub, off);
  },

  async stop(hub) {
    const r = runtimes.get(hub);
    if (!r) return;
    unsubscribe.get(hub)?.();
    const timer = timers.get(hub);
    if (timer) clearInterval(timer);
    r.summary.stop();
    await r.telegram?.stop();
    r.commands.stop();
    await r.service.idle();
    await r.dispatcher.stop();
    for (const c of r.channels.values()) await c.close?.();
  },
};
