import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TOKEN_SCOPES, type TokenScope } from '@tradewatch/protocol';

/** What a verified token lets its holder do. */
export interface Principal {
  tokenId: string;
  name: string;
  scopes: ReadonlySet<TokenScope>;
  /** When set, the token may write only as this bot. */
  bot: string | null;
}

const TOKEN_PREFIX = 'tw_';

/** A new secret token: 32 random bytes, URL-safe. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function generateTokenId(): string {
  return 'tok_' + randomBytes(6).toString('hex');
}

/** Only this hash is stored; a stolen database does not yield usable tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two token hashes (hex of equal length). */
export function hashesEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function parseScopes(text: string): TokenScope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = scopes.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (bad.length > 0) {
    throw new Error(
      `unknown scope ${bad.map((s) => `"${s}"`).join(', ')}; scopes are ${TOKEN_SCOPES.join(', ')}`,
    );
  }
  if (scopes.length === 0) throw new Error(`give at least one scope: ${TOKEN_SCOPES.join(', ')}`);
  return [...new Set(scopes)] as TokenScope[];
}

/** `admin` may do everything; other scopes grant only themselves. */
export function hasScope(principal: Principal, needed: TokenScope): boolean {
  return principal.scopes.has(needed) || principal.scopes.has('admin');
}

/** Pulls the token out of `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
