import { describe, expect, it } from 'vitest';
import { readCookie, sessionCookie } from './cookie.js';

describe('session cookie', () => {
  it('reads one cookie among several, decoding its value', () => {
    expect(readCookie('a=1; tw_session=abc%2Fd; b=2', 'tw_session')).toBe('abc/d');
    expect(readCookie('tw_session="quoted"', 'tw_session')).toBe('quoted');
  });

  it('answers null for a missing header, a missing cookie or an undecodable value', () => {
    expect(readCookie(undefined, 'tw_session')).toBeNull();
    expect(readCookie('other=1; junk', 'tw_session')).toBeNull();
    expect(readCookie('tw_session=%E0%A4%A', 'tw_session')).toBeNull();
  });

  it('does not match a cookie whose name merely ends with the name', () => {
    expect(readCookie('xtw_session=1', 'tw_session')).toBeNull();
  });

  it('is always HttpOnly and SameSite=Strict, Secure only when asked', () => {
    expect(sessionCookie('tw_session', 'v', { maxAge: 60, secure: false })).toBe(
      'tw_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict',
    );
    expect(sessionCookie('tw_session', 'v', { maxAge: 60, secure: true })).toMatch(/; Secure$/);
  });

  it('deletes with Max-Age=0 and a past expiry', () => {
    expect(sessionCookie('tw_session', '', { maxAge: 0, secure: false })).toContain(
      'Max-Age=0; HttpOnly; SameSite=Strict; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
  });
});
