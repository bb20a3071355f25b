import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  DEFAULT_FILTERS,
  journalSearch,
  parseJournalSearch,
  toggleSort,
  tradesApiQuery,
  withFilter,
} from './journal-filters.js';

describe('journal filters in the query string', () => {
  it('reads every filter and writes it back unchanged', () => {
    const search =
      '?view=week&from=2026-01-01&to=2026-01-31&bot=alpha&account=acc1&strategy=trend&symbol=AAPL&direction=long&outcome=win&status=closed&tag=breakout&q=late+entry&sort=net_pnl&order=asc&limit=100&cursor=abc';
    const f = parseJournalSearch(search);
    expect(f).toMatchObject({
      view: 'week',
      from: '2026-01-01',
      to: '2026-01-31',
      bot: 'alpha',
      direction: 'long',
      outcome: 'win',
      q: 'late entry',
      sort: 'net_pnl',
      order: 'asc',
      limit: 100,
      cursor: 'abc',
    });
    expect(journalSearch(f)).toBe(search);
  });

  it('leaves defaults out of the URL', () => {
    expect(journalSearch(DEFAULT_FILTERS)).toBe('');
    expect(parseJournalSearch('')).toEqual(DEFAULT_FILTERS);
  });

  it('drops values that make no sense instead of sending them', () => {
    const f = parseJournalSearch(
      '?sort=drop_table&order=sideways&limit=1e9&from=yesterday&direction=up&view=pie',
    );
    expect(f).toEqual(DEFAULT_FILTERS);
  });

  it('keeps odd text verbatim (it is only ever shown as text)', () => {
    const f = parseJournalSearch(`?symbol=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
    expect(f.symbol).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('the API query', () => {
  it('turns local dates into instants, the "to" date inclusive', () => {
    // Tests run with TZ=UTC.
    const q = tradesApiQuery(parseJournalSearch('?from=2026-01-05&to=2026-01-05&bot=a'), true);
    expect(Object.fromEntries(q)).toEqual({
      from: '2026-01-05T00:00:00.000Z',
      to: '2026-01-06T00:00:00.000Z',
      bot: 'a',
      sort: 'entry_at',
      order: 'desc',
      limit: '50',
    });
  });

  it('sends no paging for exports and aggregates', () => {
    const q = tradesApiQuery(parseJournalSearch('?cursor=abc&limit=100'), false);
    expect(q.has('limit')).toBe(false);
    expect(q.has('cursor')).toBe(false);
  });
});

describe('changing filters', () => {
  it('goes back to the first page', () => {
    const f = parseJournalSearch('?cursor=abc');
    expect(withFilter(f, { bot: 'x' }).cursor).toBeUndefined();
    expect(withFilter(f, { cursor: 'def' }).cursor).toBe('def');
  });

  it('sorts a new column descending and flips the current one', () => {
    const f = toggleSort(DEFAULT_FILTERS, 'net_pnl');
    expect([f.sort, f.order]).toEqual(['net_pnl', 'desc']);
    expect(toggleSort(f, 'net_pnl').order).toBe('asc');
  });

  it('counts active filters', () => {
    expect(activeFilterCount(parseJournalSearch('?bot=a&q=x&sort=bot'))).toBe(2);
  });
});
