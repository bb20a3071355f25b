/**
 * Keyboard shortcuts: `g` then a page's key goes there, `/` focuses the page's search field,
 * `?` shows the list. Keys typed into fields are left alone.
 */
export interface ShortcutState {
  pendingG: number | null;
}

export type ShortcutAction =
  { kind: 'go'; key: string } | { kind: 'search' } | { kind: 'help' } | { kind: 'pending' } | null;

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** What a key press means, given whether `g` was pressed within the last second. */
export function shortcutFor(
  key: string,
  mods: { ctrl: boolean; meta: boolean; alt: boolean },
  state: ShortcutState,
  now: number,
): { action: ShortcutAction; state: ShortcutState } {
  if (mods.ctrl || mods.meta || mods.alt) return { action: null, state: { pendingG: null } };
  if (state.pendingG !== null && now - state.pendingG <= 1000) {
    return { action: /^[a-z]$/.test(key) ? { kind: 'go', key } : null, state: { pendingG: null } };
  }
  if (key === 'g') return { action: { kind: 'pending' }, state: { pendingG: now } };
  if (key === '/') return { action: { kind: 'search' }, state: { pendingG: null } };
  if (key === '?') return { action: { kind: 'help' }, state: { pendingG: null } };
  return { action: null, state: { pendingG: null } };
}
