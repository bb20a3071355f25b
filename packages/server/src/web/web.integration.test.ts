import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects } from '../testing/stores.js';
import { startTestHub, type TestHub } from '../testing/test-hub.js';
import type { WebDatabase } from './session-repository.js';
import { DASHBOARD_CSP } from './static.js';

// This suite tests the dashboard's modules on their own, whatever state the others are in.
vi.mock('../modules.js', async () => {
  const { webModule } = await import('./index.js');
  const { journalModule } = await import('../journal/index.js');
  return { hubModules: [journalModule, webModule] };
});

const dist = mkdtempSync(path.join(tmpdir(), 'tradewatch-web-dist-'));
mkdirSync(path.join(dist, 'assets'));
writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Tradewatch</title>');
writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
writeFileSync(
  path.join(dist, 'assets', 'index-abc123.js.br'),
  brotliCompressSync('console.log(1)'),
);
afterAll(() => rmSync(dist, { recursive: true, force: true }));

type Json = Record<string, unknown>;
type Res = {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  json: <T = Json>() => T;
};

describe.each(dialects)('dashboard sessions and static files on %s', (kind) => {
  let t: TestHub;
  const call = async (
    method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
    url: string,
    opts: { cookie?: string; token?: string; body?: unknown; contentType?: string | null } = {},
  ): Promise<Res> => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const ct = opts.contentType === undefined ? 'application/json' : opts.contentType;
    if (opts.body !== undefined && ct) headers['content-type'] = ct;
    const res = await t.hub.app.inject({
      method,
      url,
      headers,
      ...(opts.body === undefined
        ? {}
        : { payload: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body,
      json: <T>() => JSON.parse(res.body) as T,
    };
  };
  const login = async (token: string) => {
    const res = await call('POST', '/api/v1/session', { body: { token } });
    const raw = res.headers['set-cookie'];
    const setCookie = typeof raw === 'string' ? raw : '';
    return { res, setCookie, cookie: setCookie.split(';')[0]! };
  };

  beforeAll(async () => {
    t = await startTestHub(kind, { server: { trust_proxy: true }, web: { dist_dir: dist } });
  });
  afterAll(async () => t.close());

  it('exchanges a token for an HttpOnly SameSite=Strict cookie that is not the token', async () => {
    const { res, setCookie, cookie } = await login(t.admin);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ name: 'TRADEWATCH_ADMIN_TOKEN', scopes: ['admin'] });
    expect(setCookie).toMatch(
      /^tw_session=[A-Za-z0-9_-]{40,}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Strict$/,
    );
    expect(setCookie).not.toContain(t.admin);
    // Only a hash of the cookie is stored.
    const db = t.hub.store.db as unknown as Kysely<WebDatabase>;
    const rows = await db.selectFrom('web_sessions').select('id').execute();
    expect(rows.map((r) => r.id)).not.toContain(cookie.split('=')[1]);
  });

  it('marks the cookie Secure when the request came over HTTPS', async () => {
    // The test hub trusts its proxy, so X-Forwarded-Proto tells the request's protocol.
    const res = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      payload: JSON.stringify({ token: t.admin }),
    });
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure$/);
  });

  it('lets the cookie through every API route and says who is logged in', async () => {
    const { cookie } = await login(t.admin);
    expect((await call('GET', '/api/v1/portfolio', { cookie })).status).toBe(200);
    const me = await call('GET', '/api/v1/session', { cookie });
    expect(me.json()).toMatchObject({ via: 'session', scopes: ['admin'] });
    expect(me.json().expires_at).toMatch(/Z$/);
    const viaToken = await call('GET', '/api/v1/session', { token: t.admin });
    expect(viaToken.json()).toMatchObject({ via: 'token', expires_at: null });
  });

  it('tells the dashboard which optional routes this hub has', async () => {
    const res = await call('GET', '/api/v1/dashboard', { token: t.admin });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      capabilities: { risk_limits: false, alerts: false, performance: false, events: false },
    });
  });

  it('opens the live stream with the cookie alone', async () => {
    const { cookie } = await login(t.admin);
    let resolveHello: (m: { type: string }) => void = () => undefined;
    const hello = new Promise<{ type: string }>((r) => (resolveHello = r));
    const ws = await t.hub.app.injectWS(
      '/api/v1/stream',
      { headers: { cookie } },
      {
        onInit: (socket) =>
          socket.once('message', (d: Buffer) =>
            resolveHello(JSON.parse(d.toString()) as { type: string }),
          ),
      },
    );
    expect((await hello).type).toBe('hello');
    ws.terminate();
  });

  it('refuses bad tokens (401) and tokens without the read scope (403)', async () => {
    expect((await login('tw_nope')).res.status).toBe(401);
    const ingestOnly = await call('POST', '/api/v1/tokens', {
      token: t.admin,
      body: { name: 'bot-writer', scopes: ['ingest'] },
    });
    const res = await login(ingestOnly.json().token as string);
    expect(res.res.status).toBe(403);
    expect(res.res.json().message).toContain('read');
    expect(res.setCookie).toBe('');
  });

  it('refuses a cookie-authenticated write that is not JSON (cross-site form protection)', async () => {
    const { cookie } = await login(t.admin);
    const form = await call('POST', '/api/v1/tokens', {
      cookie,
      body: 'name=x&scopes=admin',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(403);
    expect(form.json().message).toContain('application/json');
    const json = await call('POST', '/api/v1/tokens', {
      cookie,
      body: { name: 'viewer', scopes: ['read'] },
    });
    expect(json.status).toBe(201);
  });

  it('logs out: the session ends and the cookie is cleared', async () => {
    const { cookie } = await login(t.admin);
    const out = await call('DELETE', '/api/v1/session', { cookie });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await call('GET', '/api/v1/portfolio', { cookie })).status).toBe(401);
  });

  it('expires sessions after session_ttl_hours', async () => {
    const { cookie } = await login(t.admin);
    t.clock.advance(7 * 24 * 3_600_000 + 1);
    expect((await call('GET', '/api/v1/portfolio', { cookie })).status).toBe(401);
  });

  it('ends the sessions of a token when it is revoked', async () => {
    const created = (
      await call('POST', '/api/v1/tokens', {
        token: t.admin,
        body: { name: 'phone', scopes: ['read'] },
      })
    ).json<{ id: string; token: string }>();
    const { cookie } = await login(created.token);
    expect((await call('GET', '/api/v1/portfolio', { cookie })).status).toBe(200);
    // A read session cannot manage tokens.
    expect((await call('GET', '/api/v1/tokens', { cookie })).status).toBe(403);
    expect((await call('DELETE', `/api/v1/tokens/${created.id}`, { token: t.admin })).status).toBe(
      204,
    );
    expect((await call('GET', '/api/v1/portfolio', { cookie })).status).toBe(401);
  });

  describe('token API', () => {
    it('shows a new token once and lists tokens without secrets', async () => {
      const created = await call('POST', '/api/v1/tokens', {
        token: t.admin,
        body: { name: 'grafana', scopes: ['read', 'read'] },
      });
      expect(created.status).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const body = created.json();
      expect(body).toMatchObject({ name: 'grafana', scopes: ['read'], bot: null });
      expect(body.token).toMatch(/^tw_/);
      const list = await call('GET', '/api/v1/tokens', { token: t.admin });
      expect(list.body).not.toContain(body.token);
      expect(list.json().items).toContainEqual(
        expect.objectContaining({ id: body.id, name: 'grafana', scopes: ['read'] }),
      );
    });

    it('validates the body, naming the field', async () => {
      const res = await call('POST', '/api/v1/tokens', {
        token: t.admin,
        body: { name: 'x', scopes: ['root'] },
      });
      expect(res.status).toBe(400);
      expect(res.json().message).toContain('scopes');
    });

    it('revokes by id, 404 for an unknown or revoked one, and includes revoked ones on request', async () => {
      const { id } = (
        await call('POST', '/api/v1/tokens', {
          token: t.admin,
          body: { name: 'old', scopes: ['read'] },
        })
      ).json<{ id: string }>();
      expect((await call('DELETE', `/api/v1/tokens/${id}`, { token: t.admin })).status).toBe(204);
      expect((await call('DELETE', `/api/v1/tokens/${id}`, { token: t.admin })).status).toBe(404);
      const all = await call('GET', '/api/v1/tokens?include_revoked=true', { token: t.admin });
      const items = all.json<{ items: { id: string; revoked_at: string | null }[] }>().items;
      expect(items.find((r) => r.id === id)!.revoked_at).not.toBeNull();
    });

    it('needs admin for tokens and config, read for the version', async () => {
      const { token } = (
        await call('POST', '/api/v1/tokens', {
          token: t.admin,
          body: { name: 'ro', scopes: ['read'] },
        })
      ).json<{ token: string }>();
      expect((await call('GET', '/api/v1/tokens', { token })).status).toBe(403);
      expect((await call('GET', '/api/v1/config', { token })).status).toBe(403);
      const version = await call('GET', '/api/v1/version', { token });
      expect(version.status).toBe(200);
      expect(version.json()).toMatchObject({ node: process.version, database: kind });
    });

    it('shows the configuration with secrets redacted', async () => {
      const res = await call('GET', '/api/v1/config', { token: t.admin });
      expect(res.status).toBe(200);
      const config = res.json<{ web: unknown; database: { url: string } }>();
      expect(config.web).toMatchObject({ session_ttl_hours: 168, secure_cookie: 'auto' });
      if (kind === 'postgres') expect(config.database.url).not.toContain('search_path');
    });
  });

  describe('static files', () => {
    it('serves index.html at / and for client routes, never cached, with the CSP', async () => {
      for (const url of ['/', '/journal?symbol=AAPL', '/bots/alpha', '/login']) {
        const res = await call('GET', url);
        expect(res.status, url).toBe(200);
        expect(res.body).toContain('<title>Tradewatch</title>');
        expect(res.headers['cache-control']).toBe('no-cache');
        expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      }
    });

    it('caches hashed assets for a year; other files for an hour', async () => {
      const asset = await call('GET', '/assets/index-abc123.js');
      expect(asset.status).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['content-type']).toMatch(/javascript/);
      const icon = await call('GET', '/favicon.svg');
      expect(icon.headers['cache-control']).toBe('public, max-age=3600');
    });

    it('sends the pre-compressed file to a browser that accepts it', async () => {
      const res = await t.hub.app.inject({
        method: 'GET',
        url: '/assets/index-abc123.js',
        headers: { 'accept-encoding': 'br, gzip' },
      });
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    });

    it('answers 404 for a missing asset rather than the page', async () => {
      expect((await call('GET', '/assets/index-gone.js')).status).toBe(404);
      expect((await call('GET', '/robots.txt')).status).toBe(404);
    });

    it('leaves unknown API paths to the JSON 404', async () => {
      const res = await call('GET', '/api/v1/nothing-here', { token: t.admin });
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ error: 'not_found' });
    });

    it('never serves files outside the dashboard directory', async () => {
      const res = await call('GET', '/..%2f..%2fetc%2fpasswd');
      expect(res.body).not.toContain('root:');
      const res2 = await call('GET', '/assets/../../package.json');
      expect(res2.body).not.toContain('"name"');
    });
  });
});
