import { describe, expect, it } from 'vitest';
import { safeNext, tokenFromHash } from './login.js';

describe('after logging in', () => {
  it('goes back to the page that asked for the login', () => {
    expect(safeNext('?next=%2Fjournal%3Fbot%3Da')).toBe('/journal?bot=a');
    expect(safeNext('')).toBe('/');
  });

  it('never leaves the site or loops back to the login page', () => {
    for (const bad of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '/login',
      '/login?next=/',
    ]) {
      expect(safeNext(`?next=${encodeURIComponent(bad)}`), bad).toBe('/');
    }
  });
});

describe('the login URL', () => {
  it('carries the token in the fragment', () => {
    expect(tokenFromHash('#token=tw_abc')).toBe('tw_abc');
    expect(tokenFromHash('#other=1')).toBeNull();
    expect(tokenFromHash('')).toBeNull();
    expect(tokenFromHash(`#token=${'x'.repeat(600)}`)).toBeNull();
  });
});
