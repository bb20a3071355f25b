import { describe, expect, it } from 'vitest';
import { eventSearch, eventsApiQuery, parseEventSearch } from './event-filters.js';

describe('event filters', () => {
  it('round-trip through the query string, dropping unknown values', () => {
    const f = parseEventSearch(
      '?source=hub&level=error,nope,critical&type=AUDIT,trade&bot=alpha&q=margin',
    );
    expect(f).toEqual({
      source: 'hub',
      levels: ['error', 'critical'],
      types: ['AUDIT'],
      bot: 'alpha',
      q: 'margin',
    });
    expect(eventSearch(f)).toBe('?source=hub&level=error%2Ccritical&type=AUDIT&bot=alpha&q=margin');
    expect(eventSearch(parseEventSearch(''))).toBe('');
  });

  it('ask each feed in its own words', () => {
    const logs = eventsApiQuery(parseEventSearch('?level=error&type=AUDIT'), 100);
    expect(Object.fromEntries(logs)).toEqual({ limit: '100', level: 'error' });
    const hub = eventsApiQuery(parseEventSearch('?source=hub&level=error&type=AUDIT'), 50);
    expect(Object.fromEntries(hub)).toEqual({ limit: '50', severity: 'error', type: 'AUDIT' });
  });
});
