import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TokenScope } from '@tradewatch/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, ConfigError } from '../config/index.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';
import { opsOf } from './index.js';
import { DASHBOARD_CSP, DOCS_CSP } from './security.js';
import { tlsServerOptions } from './tls.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Operation {
  method: Method;
  path: string;
  url: string;
}

async function call(t: TestHub, op: Operation, token?: string, extra: Record<string, string> = {}) {
  const res = await t.hub.app.inject({
    method: op.method,
    url: op.url,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(op.method === 'GET' || op.method === 'DELETE'
        ? {}
        : { 'content-type': 'application/json' }),
      ...extra,
    },
    ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: '{}' }),
  });
  return res;
}

describe('every route in the OpenAPI document enforces its scope', () => {
  let t: TestHub;
  const configs = new Map<string, { scope?: TokenScope; public?: boolean }>();
  let operations: Operation[] = [];

  beforeAll(async () => {
    t = await startTestHub('sqlite', {
      security: { rate_limit: { auth_failures: { max: 0 }, ingest_per_token: { max: 0 } } },
    });
    t.hub.app.addHook('onResponse', async (request) => {
      const key = `${request.method} ${request.routeOptions.url ?? ''}`;
      configs.set(key, request.routeOptions.config);
    });
    await t.hub.app.ready();
    const doc = t.hub.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({
          method: m.toUpperCase() as Method,
          path: p,
          // Path parameters get a harmless value: the check is about who may call, not what.
          url: p.replace(/\{[^}]+\}/g, 'x'),
        })),
    );
  });
  afterAll(() => t.close());

  it('walks a non-trivial API', () => {
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining(['POST /api/v1/ingest', 'GET /api/v1/audit', 'POST /api/v1/backups']),
    );
  });

  it('without a token: 401 unless the route is public', async () => {
    const problems: string[] = [];
    for (const op of operations) {
      const res = await call(t, op);
      const cfg = configs.get(`${op.method} ${op.path.replace(/\{([^}]+)\}/g, ':$1')}`);
      if (!cfg) {
        problems.push(`${op.method} ${op.path}: no route answered (${res.statusCode})`);
        continue;
      }
      if (cfg.public) {
        if (res.statusCode === 401)
          problems.push(`${op.method} ${op.path} is public but answered 401`);
      } else if (res.statusCode !== 401) {
        problems.push(`${op.method} ${op.path} answered ${res.statusCode} without a token`);
      }
      if (res.statusCode === 401) {
        expect(res.json()).toMatchObject({ error: 'unauthorized' });
        expect(res.body).not.toMatch(/at .*\.ts:\d+/);
      }
    }
    expect(problems).toEqual([]);
  });

  it('with a token of another scope: 403; with the right scope: neither 401 nor 403', async () => {
    const tokens = new Map<string, string>();
    const tokenFor = async (scopes: TokenScope[]) => {
      const key = scopes.join(',');
      if (!tokens.has(key))
        tokens.set(key, (await t.hub.tokens.create({ name: `walk-${key}`, scopes })).token);
      return tokens.get(key)!;
    };
    const wrongFor: Record<TokenScope, TokenScope[]> = {
      read: ['ingest'],
      ingest: ['read'],
      journal: ['read', 'ingest'],
      admin: ['read', 'ingest', 'journal'],
    };
    const problems: string[] = [];
    const right: [Operation, TokenScope][] = [];
    for (const op of operations) {
      const cfg = configs.get(`${op.method} ${op.path.replace(/\{([^}]+)\}/g, ':$1')}`);
      if (!cfg || cfg.public) continue;
      const needed: TokenScope = cfg.scope ?? 'admin';
      const wrong = await call(t, op, await tokenFor(wrongFor[needed]));
      if (wrong.statusCode !== 403) {
        problems.push(
          `${op.method} ${op.path} (needs ${needed}) answered ${wrong.statusCode} to [${wrongFor[needed].join(',')}]`,
        );
      }
      right.push([op, needed]);
    }
    // Right-scope calls last: some of them change state.
    for (const [op, needed] of right) {
      const ok = await call(t, op, await tokenFor([needed]));
      if (ok.statusCode === 401 || ok.statusCode === 403) {
        problems.push(
          `${op.method} ${op.path} refused its own scope ${needed}: ${ok.statusCode} ${ok.body.slice(0, 120)}`,
        );
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('security headers', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite');
  });
  afterAll(() => t.close());

  it('the dashboard and API answers carry the strict CSP and the usual hardening headers', async () => {
    for (const url of ['/', '/livez', '/api/v1/portfolio']) {
      const res = await t.hub.app.inject({ url, headers: { authorization: `Bearer ${t.admin}` } });
      expect(res.headers['content-security-policy'], url).toBe(DASHBOARD_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      // Plain HTTP: no Strict-Transport-Security (it would pin browsers to HTTPS the hub does not serve).
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
    expect(DASHBOARD_CSP).toContain(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:",
    );
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
  });

  it('the API docs get a policy the Swagger UI works under', async () => {
    const res = await t.hub.app.inject({
      url: '/api/docs/json',
      headers: { authorization: `Bearer ${t.admin}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(DOCS_CSP);
    const ui = await t.hub.app.inject({
      url: '/api/docs/static/index.html',
      headers: { authorization: `Bearer ${t.admin}` },
    });
    expect(ui.headers['content-security-policy']).toBe(DOCS_CSP);
    expect(DOCS_CSP).toContain("script-src 'self';");
    expect(DOCS_CSP).not.toContain('upgrade-insecure-requests');
  });

  it('CORS is off by default: no Access-Control-Allow-Origin for any origin', async () => {
    const res = await t.hub.app.inject({
      url: '/api/v1/portfolio',
      headers: { authorization: `Bearer ${t.admin}`, origin: 'https://evil.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('applies the request time limits to the HTTP server', () => {
    expect(t.hub.app.server.requestTimeout).toBe(120_000);
    expect(t.hub.app.server.headersTimeout).toBe(30_000);
    expect(t.hub.app.server.timeout).toBe(60_000);
  });
});

describe('CORS with an allow-list', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite', {
      security: { cors: { origins: ['https://grafana.example:3000'] } },
    });
  });
  afterAll(() => t.close());

  it('answers the preflight of an allowed origin without a token, and only that origin', async () => {
    const pre = await t.hub.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/portfolio',
      headers: {
        origin: 'https://grafana.example:3000',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://grafana.example:3000');
    const other = await t.hub.app.inject({
      url: '/api/v1/portfolio',
      headers: { authorization: `Bearer ${t.admin}`, origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await t.hub.app.inject({
      url: '/api/v1/portfolio',
      headers: { authorization: `Bearer ${t.admin}`, origin: 'https://grafana.example:3000' },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://grafana.example:3000');
  });
});

describe('rate limits', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite', {
      security: {
        rate_limit: {
          auth_failures: { max: 3, window_s: 60 },
          ingest_per_token: { max: 2, window_s: 10 },
        },
      },
    });
  });
  afterAll(() => t.close());

  const get = (token: string) =>
    t.hub.app.inject({ url: '/api/v1/portfolio', headers: { authorization: `Bearer ${token}` } });

  it('failed authentication: 401 three times, then 429 with Retry-After until the window ends', async () => {
    for (let i = 0; i < 3; i++) expect((await get('tw_wrong_token')).statusCode).toBe(401);
    const limited = await get('tw_wrong_token');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      error: 'rate_limited',
      message: expect.stringContaining('too many failed authentication attempts'),
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // A valid token from the same address is never locked out.
    expect((await get(t.admin)).statusCode).toBe(200);
    t.clock.advance(61_000);
    expect((await get('tw_wrong_token')).statusCode).toBe(401);
  });

  it('ingest: per token, other tokens unaffected, free again in the next window', async () => {
    const a = (await t.hub.tokens.create({ name: 'bot-a', scopes: ['ingest'] })).token;
    const b = (await t.hub.tokens.create({ name: 'bot-b', scopes: ['ingest'] })).token;
    const hb = (token: string) => t.ingest([{ type: 'heartbeat', bot: 'a', ts: T0 }], token);
    expect((await hb(a)).status).toBe(200);
    expect((await hb(a)).status).toBe(200);
    const third = await hb(a);
    expect(third.status).toBe(429);
    expect(third.body.message).toMatch(/more than 2 ingest requests in 10 s/);
    expect((await hb(b)).status).toBe(200);
    t.clock.advance(10_001);
    expect((await hb(a)).status).toBe(200);
  });
});

describe('audit log', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite', { backup: { schedule: null } });
  });
  afterAll(() => t.close());

  it('records admin requests and AUDIT events with who and when, newest first, secrets scrubbed', async () => {
    const created = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/backups',
      headers: { authorization: `Bearer ${t.admin}` },
    });
    expect(created.statusCode).toBe(200);
    await t.hub.events.record({
      type: 'AUDIT',
      severity: 'info',
      actor: 'alice',
      message: 'silenced BotDown',
      context: {
        action: 'alert.silence',
        target: 'BotDown',
        bot_token: 'tw_secret',
        reason: 'maintenance',
      },
    });
    const page = await t.get<{
      items: {
        actor: string;
        action: string;
        target: string | null;
        details: Record<string, unknown>;
      }[];
      next_cursor: string | null;
    }>('/api/v1/audit?limit=1');
    expect(page.status).toBe(200);
    expect(page.body.items[0]).toMatchObject({
      actor: 'alice',
      action: 'alert.silence',
      target: 'BotDown',
    });
    expect(page.body.items[0]!.details).toMatchObject({
      bot_token: '[redacted]',
      reason: 'maintenance',
    });
    const next = await t.get<{ items: { actor: string; action: string }[] }>(
      `/api/v1/audit?cursor=${page.body.next_cursor!}`,
    );
    expect(next.body.items[0]).toMatchObject({
      actor: 'TRADEWATCH_ADMIN_TOKEN',
      action: 'POST /api/v1/backups',
    });
    const read = (await t.hub.tokens.create({ name: 'r', scopes: ['read'] })).token;
    expect((await t.get('/api/v1/audit', read)).status).toBe(403);
  });
});

describe('backup names from requests cannot escape the backup directory', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite', { backup: { schedule: null } });
  });
  afterAll(() => t.close());

  it.each([
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '..%5C..%5Cwindows',
    '%2Fetc%2Fpasswd',
    'tradewatch-backup-20260105-143000.tar.gz%00.txt',
    '....%2F%2F....%2F%2Fetc',
  ])('GET /api/v1/backups/%s is refused', async (name) => {
    const res = await t.hub.app.inject({
      url: `/api/v1/backups/${name}`,
      headers: { authorization: `Bearer ${t.admin}` },
    });
    expect([400, 404]).toContain(res.statusCode);
    expect(res.body).not.toContain('root:');
  });

  it('a real backup downloads; a well-formed name that does not exist is 404', async () => {
    const made = await opsOf(t.hub)!.backupNow();
    const res = await t.hub.app.inject({
      url: `/api/v1/backups/${made!.backup.name}`,
      headers: { authorization: `Bearer ${t.admin}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const missing = await t.hub.app.inject({
      url: '/api/v1/backups/tradewatch-backup-20200101-000000.tar.gz',
      headers: { authorization: `Bearer ${t.admin}` },
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('built-in TLS', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-tls-'));
  const make = (name: string) => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, `${name}.key`),
        '-out',
        path.join(dir, `${name}.crt`),
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    chmodSync(path.join(dir, `${name}.key`), 0o600);
  };
  let haveOpenssl = true;
  try {
    make('a');
    make('b');
  } catch {
    haveOpenssl = false;
  }
  const config = (cert: string, key: string) =>
    configSchema.parse({ data_dir: dir, security: { tls: { cert, key } } });

  it.skipIf(!haveOpenssl)('loads a certificate and key (paths relative to data_dir)', () => {
    const tls = tlsServerOptions(config('a.crt', 'a.key'));
    expect(tls?.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(tls?.warnings).toEqual([]);
    expect(tlsServerOptions(configSchema.parse({ data_dir: dir }))).toBeNull();
  });

  it.skipIf(!haveOpenssl)(
    'refuses a missing file or a key of another certificate, naming the key',
    () => {
      expect(() => tlsServerOptions(config('missing.crt', 'a.key'))).toThrow(
        /security\.tls\.cert": cannot read/,
      );
      expect(() => tlsServerOptions(config('a.crt', 'b.key'))).toThrow(ConfigError);
      expect(() => tlsServerOptions(config('a.crt', 'b.key'))).toThrow(/do not form a usable pair/);
    },
  );

  it.skipIf(!haveOpenssl)('warns about a key readable by everyone', () => {
    writeFileSync(path.join(dir, 'open.key'), '');
    chmodSync(path.join(dir, 'a.key'), 0o644);
    expect(tlsServerOptions(config('a.crt', 'a.key'))?.warnings[0]).toMatch(
      /readable by every user/,
    );
    chmodSync(path.join(dir, 'a.key'), 0o600);
  });

  it('half a pair is a configuration error', () => {
    expect(configSchema.safeParse({ security: { tls: { cert: 'a.crt' } } }).success).toBe(false);
  });

  it.skipIf(!haveOpenssl)('serves HTTPS with HSTS when the hub is built with TLS', async () => {
    const t = await startTestHub('sqlite', {
      security: { tls: { cert: path.join(dir, 'a.crt'), key: path.join(dir, 'a.key') } },
    });
    try {
      expect(t.hub.app.server).toBeInstanceOf(https.Server);
      const res = await t.hub.app.inject({ url: '/livez' });
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    } finally {
      await t.close();
    }
  });
});
