import type { HubModule } from '../module.js';
import { registerJournalRoutes } from './routes.js';

/**
 * The trade journal: notes and tags on round trips (audited), streamed CSV/XLSX exports of any
 * trade filter, and daily / weekly P&L aggregation. Notes live in the core `trade_notes` table,
 * apart from the projections, so a rebuild never loses them.
 */
export const journalModule: HubModule = {
  name: 'journal',
  register(hub) {
    registerJournalRoutes(hub);
  },
};
