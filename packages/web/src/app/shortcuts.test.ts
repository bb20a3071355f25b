import { describe, expect, it } from 'vitest';
import { shortcutFor } from './shortcuts.js';

const none = { ctrl: false, meta: false, alt: false };

describe('keyboard shortcuts', () => {
  it('goes to a page with g then its key, within a second', () => {
    const a = shortcutFor('g', none, { pendingG: null }, 1000);
    expect(a.action).toEqual({ kind: 'pending' });
    expect(shortcutFor('j', none, a.state, 1500).action).toEqual({ kind: 'go', key: 'j' });
    expect(shortcutFor('j', none, a.state, 2500).action).toBeNull();
  });

  it('focuses search with / and shows help with ?', () => {
    expect(shortcutFor('/', none, { pendingG: null }, 0).action).toEqual({ kind: 'search' });
    expect(shortcutFor('?', none, { pendingG: null }, 0).action).toEqual({ kind: 'help' });
  });

  it('leaves browser shortcuts alone', () => {
    expect(shortcutFor('g', { ...none, ctrl: true }, { pendingG: null }, 0).action).toBeNull();
  });
});
