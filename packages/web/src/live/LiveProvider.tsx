import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { notifyUnauthorized } from '../api/client.js';
import { CacheUpdater } from './apply.js';
import { LiveConnection, type LiveStatus, type SocketLike } from './connection.js';

/** While the socket is down the page polls the hub this often. */
export const POLL_MS = 5_000;

interface LiveSnapshot {
  status: LiveStatus;
  lastUpdateAt: number | null;
}

class LiveStore {
  private listeners = new Set<() => void>();
  snapshot: LiveSnapshot = { status: 'connecting', lastUpdateAt: null };
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  get = () => this.snapshot;
  set(next: Partial<LiveSnapshot>) {
    const merged = { ...this.snapshot, ...next };
    if (
      merged.status === this.snapshot.status &&
      merged.lastUpdateAt === this.snapshot.lastUpdateAt
    )
      return;
    this.snapshot = merged;
    for (const l of this.listeners) l();
  }
}

const LiveContext = createContext<LiveStore | null>(null);

function streamUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/api/v1/stream`;
}

/**
 * Owns the page's one WebSocket: patches the query cache from its messages, refetches after a
 * reconnect, and polls every 5 s while it cannot connect.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const store = useMemo(() => new LiveStore(), []);
  const connRef = useRef<LiveConnection | null>(null);

  useEffect(() => {
    const updater = new CacheUpdater(qc, () => Date.now());
    const conn = new LiveConnection(
      streamUrl(),
      {
        // The DOM socket has the handful of members the connection uses.
        createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
        now: () => Date.now(),
        random: () => Math.random(),
      },
      {
        onMessages: (messages) => {
          updater.apply(messages);
          store.set({ lastUpdateAt: conn.lastUpdateAt });
        },
        onStatus: (status) => store.set({ status, lastUpdateAt: conn.lastUpdateAt }),
        onReconnect: () => {
          void qc.invalidateQueries();
        },
        onUnauthorized: () => notifyUnauthorized(),
      },
    );
    connRef.current = conn;
    conn.start();
    // "Last update" also moves on the hello and other frames between bursts.
    const sync = setInterval(() => store.set({ lastUpdateAt: conn.lastUpdateAt }), 1000);

    const poll = setInterval(() => {
      if (conn.status === 'live' || conn.status === 'stopped' || document.hidden) return;
      void qc.invalidateQueries({ type: 'active' }).then(() => {
        conn.markUpdated();
        store.set({ lastUpdateAt: conn.lastUpdateAt });
      });
    }, POLL_MS);
    const wake = () => {
      if (!document.hidden) conn.retryNow();
    };
    document.addEventListener('visibilitychange', wake);
    window.addEventListener('online', wake);
    return () => {
      clearInterval(sync);
      clearInterval(poll);
      document.removeEventListener('visibilitychange', wake);
      window.removeEventListener('online', wake);
      conn.stop();
      connRef.current = null;
    };
  }, [qc, store]);

  return <LiveContext.Provider value={store}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveSnapshot {
  const store = useContext(LiveContext);
  if (!store) throw new Error('useLive outside LiveProvider');
  return useSyncExternalStore(store.subscribe, store.get);
}
