import { describe, expect, it } from 'vitest';
import { backoffDelay, LiveConnection, type LiveStatus, type SocketLike } from './connection.js';
import type { LiveMessage } from './patch.js';

/** A fake socket the test opens, feeds and closes by hand. */
class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  open() {
    this.onopen?.({});
  }
  send(m: unknown) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
  drop(code = 1006) {
    this.onclose?.({ code, reason: '' });
  }
  close() {
    this.closed = true;
  }
}

/** Timers run only when the test says so; time is a number the test moves. */
function harness() {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const sockets: FakeSocket[] = [];
  const statuses: LiveStatus[] = [];
  const batches: LiveMessage[][] = [];
  let reconnects = 0;
  let unauthorized = 0;
  const conn = new LiveConnection(
    'ws://hub/api/v1/stream',
    {
      createSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      setTimeout: (fn, ms) => {
        const id = nextId++;
        timers.push({ at: now + ms, fn, id });
        return id;
      },
      clearTimeout: (id) => {
        const i = timers.findIndex((t) => t.id === id);
        if (i >= 0) timers.splice(i, 1);
      },
      now: () => now,
      random: () => 0.5,
    },
    {
      onMessages: (m) => batches.push(m),
      onStatus: (s) => statuses.push(s),
      onReconnect: () => (reconnects += 1),
      onUnauthorized: () => (unauthorized += 1),
    },
  );
  return {
    conn,
    sockets,
    statuses,
    batches,
    get reconnects() {
      return reconnects;
    },
    get unauthorized() {
      return unauthorized;
    },
    /** Moves time forward, running due timers in order. */
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > until) break;
        timers.shift();
        now = t.at;
        t.fn();
      }
      now = until;
    },
    last: () => sockets[sockets.length - 1]!,
  };
}

const fill = (id: string) =>
  ({
    type: 'fill',
    seq: 1,
    data: {
      id,
      bot: 'a',
      account: 'x',
      symbol: 'S',
      side: 'buy',
      qty: 1,
      price: 1,
      ts: '2026-01-05T00:00:00Z',
    },
  }) as const;

describe('backoff', () => {
  it('doubles from the base up to the cap, half of it random', () => {
    const o = { baseMs: 500, maxMs: 30_000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 0, o))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(1, 1, o)).toBe(500);
    expect(backoffDelay(20, 1, o)).toBe(30_000);
    expect(backoffDelay(20, 0, o)).toBe(15_000);
  });
});

describe('live connection', () => {
  it('goes live when the socket opens and delivers messages in bursts', () => {
    const h = harness();
    h.conn.start();
    expect(h.statuses).toEqual(['connecting']);
    h.last().open();
    expect(h.conn.status).toBe('live');
    h.last().send({ type: 'hello', seq: 0, server_time: 'x' });
    h.last().send(fill('f1'));
    h.last().send(fill('f2'));
    h.last().send({ type: 'alert', seq: 1, data: {} }); // another module's message: ignored
    expect(h.batches).toEqual([]);
    h.advance(100);
    expect(h.batches.map((b) => b.map((m) => (m.type === 'fill' ? m.data.id : m.type)))).toEqual([
      ['f1', 'f2'],
    ]);
  });

  it('reconnects with backoff after a drop, and asks for a refetch once back', () => {
    const h = harness();
    h.conn.start();
    h.last().open();
    h.last().drop();
    expect(h.conn.status).toBe('reconnecting');
    expect(h.sockets).toHaveLength(1);
    h.advance(374); // 500 × (0.5 + 0.5 × 0.5) = 375
    expect(h.sockets).toHaveLength(1);
    h.advance(1);
    expect(h.sockets).toHaveLength(2);
    expect(h.reconnects).toBe(0);
    h.last().open();
    expect(h.conn.status).toBe('live');
    expect(h.reconnects).toBe(1);
  });

  it('falls back to polling when the socket cannot open, and keeps trying', () => {
    const h = harness();
    h.conn.start();
    h.last().drop(); // never opened
    expect(h.conn.status).toBe('reconnecting');
    h.advance(1_000);
    h.last().drop();
    expect(h.conn.status).toBe('polling');
    h.advance(60_000);
    expect(h.sockets).toHaveLength(3);
    h.last().drop();
    expect(h.conn.status).toBe('polling');
    h.advance(60_000);
    expect(h.sockets).toHaveLength(4);
    h.last().open();
    expect(h.conn.status).toBe('live');
  });

  it('delivers what was buffered when the socket drops', () => {
    const h = harness();
    h.conn.start();
    h.last().open();
    h.last().send(fill('f1'));
    h.last().drop();
    expect(h.batches).toHaveLength(1);
  });

  it('stops and asks for a login when the hub refuses the session', () => {
    const h = harness();
    h.conn.start();
    h.last().drop(4401);
    expect(h.unauthorized).toBe(1);
    expect(h.conn.status).toBe('stopped');
    h.advance(60_000);
    expect(h.sockets).toHaveLength(1);
  });

  it('records the time of the last update', () => {
    const h = harness();
    h.conn.start();
    h.advance(5_000);
    h.last().open();
    expect(h.conn.lastUpdateAt).toBe(5_000);
    h.advance(2_000);
    h.last().send(fill('f1'));
    expect(h.conn.lastUpdateAt).toBe(7_000);
  });

  it('closes its socket and schedules nothing after stop', () => {
    const h = harness();
    h.conn.start();
    h.last().open();
    h.conn.stop();
    expect(h.last().closed).toBe(true);
    h.advance(60_000);
    expect(h.sockets).toHaveLength(1);
  });
});
