import type { TokenRow, TokenScope } from '@tradewatch/protocol';
import { isoUtc } from '@tradewatch/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import {
  generateToken,
  generateTokenId,
  hashesEqual,
  hashToken,
  type Principal,
} from './tokens.js';

export interface CreatedToken {
  id: string;
  /** The secret: shown once, never stored. */
  token: string;
}

/** How often a token's `last_used_at` is written at most (avoids a write per request). */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Tokens: only this repository touches the tokens table. */
export class TokenRepository {
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly cache = new Map<string, { principal: Principal | null; at: number }>();
  private bootstrapHash: string | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  /** A token given by TRADEWATCH_ADMIN_TOKEN: valid while the variable is set, never stored. */
  setBootstrapAdminToken(token: string | null): void {
    this.bootstrapHash = token ? hashToken(token) : null;
  }

  async create(input: {
    name: string;
    scopes: TokenScope[];
    bot?: string | null;
  }): Promise<CreatedToken> {
    const token = generateToken();
    const id = generateTokenId();
    await this.db
      .insertInto('tokens')
      .values({
        id,
        name: input.name,
        hash: hashToken(token),
        scopes: input.scopes.join(','),
        bot: input.bot ?? null,
        created_at: this.now(),
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    return { id, token };
  }

  async list(includeRevoked = false): Promise<TokenRow[]> {
    let q = this.db.selectFrom('tokens').selectAll().orderBy('created_at').orderBy('id');
    if (!includeRevoked) q = q.where('revoked_at', 'is', null);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      scopes: r.scopes.split(',') as TokenScope[],
      bot: r.bot,
      created_at: isoUtc(r.created_at),
      last_used_at: r.last_used_at === null ? null : isoUtc(r.last_used_at),
      revoked_at: r.revoked_at === null ? null : isoUtc(r.revoked_at),
    }));
  }

  /** Revokes by id or by exact name; returns how many were revoked. */
  async revoke(idOrName: string): Promise<number> {
    const result = await this.db
      .updateTable('tokens')
      .set({ revoked_at: this.now() })
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    this.cache.clear();
    return Number(result.numUpdatedRows);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Resolves a presented token to its principal, or null. Results are cached for a few
   * seconds (hash → principal) so the hot ingest path does not query per request; a revoke
   * through this repository clears the cache, one through another process applies within 5 s.
   */
  async verify(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    if (this.bootstrapHash !== null && hashesEqual(hash, this.bootstrapHash)) {
      return {
        tokenId: 'bootstrap',
        name: 'TRADEWATCH_ADMIN_TOKEN',
        scopes: new Set(['admin']),
        bot: null,
      };
    }
    const now = this.now();
    const cached = this.cache.get(hash);
    if (cached && now - cached.at < 5_000) return cached.principal;
    const row = await this.db
      .selectFrom('tokens')
      .select(['id', 'name', 'scopes', 'bot', 'revoked_at', 'hash'])
      .where('hash', '=', hash)
      .executeTakeFirst();
    const principal =
      row && row.revoked_at === null && hashesEqual(row.hash, hash)
        ? {
            tokenId: row.id,
            name: row.name,
            scopes: new Set(row.scopes.split(',') as TokenScope[]),
            bot: row.bot,
          }
        : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, at: now });
    if (principal) await this.touch(principal.tokenId, now);
    return principal;
  }

  private async touch(id: string, now: number): Promise<void> {
    const last = this.lastUsedWritten.get(id) ?? 0;
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(id, now);
    await this.db.updateTable('tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}
