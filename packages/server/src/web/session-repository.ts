import { createHash, randomBytes } from 'node:crypto';
import type { TokenScope } from '@tradewatch/protocol';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/index.js';
import type { Database } from '../store/index.js';

export interface WebSessionsTable {
  /** SHA-256 (hex) of the cookie value. */
  id: string;
  token_id: string;
  name: string;
  /** Comma-separated scopes of the token at login. */
  scopes: string;
  bot: string | null;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  user_agent: string | null;
}

/** The core tables plus this module's. */
export interface WebDatabase extends Database {
  web_sessions: WebSessionsTable;
}

export interface CreatedSession {
  /** The cookie value (shown to the browser only). */
  secret: string;
  expiresAt: number;
}

/** The principal of the bootstrap token (TRADEWATCH_ADMIN_TOKEN), which has no tokens row. */
const BOOTSTRAP_TOKEN_ID = 'bootstrap';
/** A verified session is trusted this long before the database is asked again. */
const CACHE_MS = 5_000;
const LAST_SEEN_RESOLUTION_MS = 60_000;

export function hashSession(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Dashboard sessions: only this repository touches `web_sessions`. */
export class SessionRepository {
  private readonly cache = new Map<string, { principal: Principal | null; at: number }>();

  constructor(
    private readonly db: Kysely<WebDatabase>,
    private readonly now: () => number,
  ) {}

  async create(
    principal: Principal,
    ttlMs: number,
    userAgent: string | null,
  ): Promise<CreatedSession> {
    const secret = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + ttlMs;
    await this.db
      .insertInto('web_sessions')
      .values({
        id: hashSession(secret),
        token_id: principal.tokenId,
        name: principal.name,
        scopes: [...principal.scopes].join(','),
        bot: principal.bot,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
        user_agent: userAgent ? userAgent.slice(0, 256) : null,
      })
      .execute();
    return { secret, expiresAt };
  }

  /**
   * The principal of a live session: not expired, and its token not revoked since login.
   * Results are cached for a few seconds; deletes through this repository clear the cache.
   */
  async resolve(secret: string): Promise<(Principal & { expiresAt: number }) | null> {
    const id = hashSession(secret);
    const now = this.now();
    const cached = this.cache.get(id);
    if (cached && now - cached.at < CACHE_MS) {
      const p = cached.principal as (Principal & { expiresAt: number }) | null;
      return p && p.expiresAt > now ? p : null;
    }
    const row = await this.db
      .selectFrom('web_sessions as s')
      .leftJoin('tokens as t', 't.id', 's.token_id')
      .select([
        's.token_id',
        's.name',
        's.scopes',
        's.bot',
        's.expires_at',
        's.last_seen_at',
        't.id as token_row',
        't.revoked_at',
      ])
      .where('s.id', '=', id)
      .executeTakeFirst();
    const expiresAt = row ? Number(row.expires_at) : 0;
    const tokenAlive =
      row !== undefined &&
      (row.token_id === BOOTSTRAP_TOKEN_ID || (row.token_row !== null && row.revoked_at === null));
    const principal =
      row && tokenAlive && expiresAt > now
        ? {
            tokenId: row.token_id,
            name: row.name,
            scopes: new Set(row.scopes.split(',') as TokenScope[]),
            bot: row.bot,
            expiresAt,
          }
        : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { principal, at: now });
    if (principal && now - Number(row!.last_seen_at) >= LAST_SEEN_RESOLUTION_MS) {
      await this.db
        .updateTable('web_sessions')
        .set({ last_seen_at: now })
        .where('id', '=', id)
        .execute();
    }
    return principal;
  }

  async delete(secret: string): Promise<void> {
    const id = hashSession(secret);
    this.cache.delete(id);
    await this.db.deleteFrom('web_sessions').where('id', '=', id).execute();
  }

  /** Ends every session made with a token (after the token is revoked). */
  async deleteForToken(tokenId: string): Promise<number> {
    this.cache.clear();
    const r = await this.db
      .deleteFrom('web_sessions')
      .where('token_id', '=', tokenId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteAll(): Promise<number> {
    this.cache.clear();
    const r = await this.db.deleteFrom('web_sessions').executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteExpired(): Promise<number> {
    const r = await this.db
      .deleteFrom('web_sessions')
      .where('expires_at', '<=', this.now())
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('web_sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('expires_at', '>', this.now())
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
