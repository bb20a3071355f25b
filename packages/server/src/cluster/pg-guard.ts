import type { EventEmitter } from 'node:events';
import pg from 'pg';

const GUARDED = Symbol.for('tradewatch.pg.checkedOutErrorGuard');

type Emit = (this: EventEmitter, event: string | symbol, ...args: unknown[]) => boolean;
type Guardable = Omit<EventEmitter, 'emit'> & { emit: Emit; [GUARDED]?: true };

/**
 * node-postgres emits `error` on a client whose connection dies; the pool listens only while
 * the client is idle in it. A client checked out between two queries (a transaction doing its
 * JavaScript work) has no listener, so a PostgreSQL restart under load crashed the hub with an
 * unhandled 'error' event. Every pooled client gets a permanent listener when the pool hands it
 * out: the error is not lost (the client's pending and next queries fail with it, and the pool
 * discards the client on release), it just no longer kills the process.
 *
 * This belongs in the store (`pool.on('connect', c => c.on('error', () => {}))` where the pool is
 * made); done here on the pool's public `connect`/`acquire` events until it is, and harmless after.
 */
export function guardCheckedOutClients(): void {
  const proto = pg.Pool.prototype as unknown as Guardable;
  if (proto[GUARDED]) return;
  proto[GUARDED] = true;
  const emit = proto.emit;
  proto.emit = function (this: EventEmitter, event, ...args) {
    if (event === 'connect' || event === 'acquire') {
      const client = args[0] as Guardable | undefined;
      if (client && !client[GUARDED]) {
        client[GUARDED] = true;
        client.on('error', () => undefined);
      }
    }
    return emit.call(this, event, ...args);
  };
}
