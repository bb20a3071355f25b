import type { Trx } from '../ingest/ingest-repository.js';
import { botInfoToRow, type IngestService } from '../ingest/index.js';
import type { BotInfo } from '../portfolio/index.js';
import type { Clock } from '../time/index.js';

export interface BotSettings {
  name?: string | undefined;
  framework?: string | null | undefined;
  account?: string | null | undefined;
  heartbeat_interval_s?: number | null | undefined;
}

/** The bot registry's writes: settings from the API/config and the halted flag. */
export class BotService {
  constructor(
    private readonly ingest: IngestService,
    private readonly clock: Clock,
  ) {}

  /** Creates or updates a bot's settings (a bot is also registered by its first event). */
  async upsert(id: string, settings: BotSettings): Promise<BotInfo> {
    return this.ingest.mutate(async (trx, draft) => {
      const now = this.clock.now();
      const current: BotInfo = draft.bots.get(id) ?? {
        id,
        name: id,
        framework: null,
        account: null,
        heartbeatIntervalS: null,
        firstSeenAt: now,
        lastEventAt: now,
        lastHeartbeatAt: null,
        reportedStatus: null,
        version: null,
        connections: {},
        halted: false,
        updatedAt: now,
      };
      const next: BotInfo = {
        ...current,
        name: settings.name ?? current.name,
        framework: settings.framework === undefined ? current.framework : settings.framework,
        account: settings.account === undefined ? current.account : settings.account,
        heartbeatIntervalS:
          settings.heartbeat_interval_s === undefined
            ? current.heartbeatIntervalS
            : settings.heartbeat_interval_s,
        updatedAt: now,
      };
      draft.bots.set(id, next);
      await writeBot(trx, next);
      return next;
    });
  }

  async setHalted(id: string, halted: boolean): Promise<BotInfo | null> {
    return this.ingest.mutate(async (trx, draft) => {
      const current = draft.bots.get(id);
      if (!current) return null;
      const next = { ...current, halted, updatedAt: this.clock.now() };
      draft.bots.set(id, next);
      await writeBot(trx, next);
      return next;
    });
  }
}

async function writeBot(trx: Trx, bot: BotInfo): Promise<void> {
  const row = botInfoToRow(bot);
  const { id: _id, ...rest } = row;
  await trx
    .insertInto('bots')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest))
    .execute();
}
