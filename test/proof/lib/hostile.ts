import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ROOT } from '../../support/hub-process.js';

/**
 * Hostile request bodies for the ingest API and the adapters: random JSON, wrong types,
 * extreme numbers, deep nesting, huge strings, unicode, SQL and HTML injection, and mutations
 * of real payloads (the adapters' test fixtures) so the fuzzing reaches past the first check.
 */
export const INJECTIONS = [
  "'; DROP TABLE fills; --",
  "' OR '1'='1",
  '" OR 1=1 --',
  "Robert'); DROP TABLE bots;--",
  '1; DELETE FROM counters',
  '$1',
  '?',
  "\\'; SELECT pg_sleep(10); --",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  'javascript:alert(1)',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '%s%s%s%n',
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil',
  '𝕋𝕣𝕒𝕕𝕖𝕨𝕒𝕥𝕔𝕙',
  'Ω≈ç√∫˜µ≤≥÷',
  '田中さんにあげて下さい',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\r\nSet-Cookie: x=1',
  ' ',
  '',
];

export const EXTREME_NUMBERS = [
  0,
  -0,
  -1,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER,
  1e21,
  1e-7,
  0.1 + 0.2,
  123456789.12345679,
  2 ** 53 + 1,
  8.64e15,
  8.64e15 + 1,
  -8.64e15,
];

/** A value of any JSON type, biased toward the nasty ones. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: fc.constantFrom(...EXTREME_NUMBERS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.nat({ max: 70_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...INJECTIONS), { maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 2_000 }).map((d) => nest(d, 'x')),
  },
);

/** `[[[…"x"…]]]`, depth d. */
export function nest(depth: number, leaf: unknown): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

interface Mutation {
  where: number;
  op: 'replace' | 'delete' | 'add' | 'wrap';
  key: string;
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  where: fc.nat(),
  op: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'add', 'wrap'),
  key: fc.oneof(fc.constantFrom(...INJECTIONS), fc.string({ maxLength: 12 })),
  value: hostileValue,
});

/** Applies mutations to a deep copy of `seed` (paths chosen among the copy's current nodes). */
export function mutate(seed: unknown, mutations: Mutation[]): unknown {
  let root = JSON.parse(JSON.stringify(seed)) as Json;
  for (const m of mutations) {
    const all = paths(root);
    const p = all[m.where % all.length]!;
    if (p.length === 0) {
      root = (m.op === 'wrap' ? [root] : m.value) as Json;
      continue;
    }
    const parent = p
      .slice(0, -1)
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root);
    const last = p[p.length - 1]!;
    const obj = parent as Record<string | number, unknown>;
    if (m.op === 'replace') obj[last] = m.value;
    else if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete obj[last];
    } else if (m.op === 'wrap') obj[last] = [obj[last]];
    else if (!Array.isArray(parent)) obj[m.key] = m.value;
    else parent.push(m.value);
  }
  return root;
}

/** The adapters' real payloads (test/fixtures/<adapter>/*.json) as mutation seeds. */
export function fixtureSeeds(adapter: string): unknown[] {
  const dir = path.join(ROOT, 'test/fixtures', adapter);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      try {
        return JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as unknown;
      } catch {
        return null;
      }
    })
    .filter((v) => v !== null);
}

const T0 = Date.UTC(2026, 0, 5, 14, 30);
let unique = 0;

/** Events of every type that are valid as they stand (the fuzzer then breaks some of them). */
export const validEvent: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    kind: fc.constantFrom(
      'fill',
      'order',
      'mark',
      'cash_flow',
      'signal',
      'heartbeat',
      'log',
      'balance',
      'position',
      'metric',
    ),
    bot: fc.constantFrom('fz-1', 'fz-2', 'fz.3'),
    text: fc.oneof(
      fc.constantFrom(...INJECTIONS.filter((s) => s.trim() !== '')),
      fc.constant('BTCUSD'),
    ),
    n: fc.integer({ min: 1, max: 1000 }),
  })
  .map(({ kind, bot, text, n }) => {
    const id = `fz-${process.pid}-${unique++}`;
    const ts = T0 + n * 1000;
    const symbol = text.slice(0, 64) || 'X';
    switch (kind) {
      case 'fill':
        return {
          type: 'fill',
          id,
          bot,
          ts,
          symbol,
          side: n % 2 ? 'buy' : 'sell',
          qty: n / 10,
          price: 100 + n,
          fee: 0.01,
          strategy: text || undefined,
        };
      case 'order':
        return {
          type: 'order',
          id,
          bot,
          ts,
          order_id: `o-${id}`,
          symbol,
          side: 'buy',
          qty: n,
          order_type: 'limit',
          limit_price: n,
          status: 'rejected',
          reason: text || 'r',
        };
      case 'mark':
        return { type: 'mark', bot, ts, symbol, price: n };
      case 'cash_flow':
        return {
          type: 'cash_flow',
          id,
          bot,
          ts,
          amount: n,
          kind: 'deposit',
          note: text || undefined,
        };
      case 'signal':
        return { type: 'signal', bot, ts, symbol, direction: 'long', note: text || undefined };
      case 'heartbeat':
        return { type: 'heartbeat', bot, ts, interval_s: 30, status: text.slice(0, 64) || 'ok' };
      case 'log':
        return { type: 'log', bot, ts, level: 'warning', message: text || 'm', context: { text } };
      case 'balance':
        return { type: 'balance', bot, ts, cash: n * 1000 };
      case 'position':
        return { type: 'position', bot, ts, symbol, qty: n };
      default:
        return {
          type: 'metric',
          bot,
          ts,
          name: 'fz_metric',
          value: n,
          labels: { text: text.slice(0, 256) },
        };
    }
  });

export interface HostileRequest {
  route: string;
  query: string;
  contentType: string | null;
  body: string;
  /** Sent without a token, or with a wrong one. */
  auth: 'ok' | 'none' | 'wrong';
  what: string;
}

const rawText: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }).map((s) => ['random text', s] as [string, string]),
  fc
    .constantFrom(
      '{"events":',
      '{"events":[{"type":"fill",',
      '{"events": [1e400]}',
      '{"events":[{"type":"fill","id":"a","bot":"b","ts":1,"symbol":"S","side":"buy","qty":1e400,"price":1}]}',
      '{"events":[{"type":"fill","id":"a","bot":"b","ts":1e400,"symbol":"S","side":"buy","qty":1,"price":1}]}',
      '{"__proto__":{"polluted":true},"events":[]}',
      '{"constructor":{"prototype":{"polluted":true}},"events":[]}',
      '{"events":[{"type":"fill","__proto__":{"type":"fill"}}]}',
      'null',
      '[]',
      '""',
      '0',
      'NaN',
      '\u0000',
      '\ufeff{"events":[]}',
    )
    .map((s) => ['crafted text', s] as [string, string]),
  fc
    .integer({ min: 1_000, max: 200_000 })
    .map((d) => ['deep array', '['.repeat(d) + ']'.repeat(d)] as [string, string]),
  fc
    .integer({ min: 1_000, max: 100_000 })
    .map(
      (d) =>
        ['deep object', '{"events":'.repeat(1) + '{"a":'.repeat(d) + '1' + '}'.repeat(d) + '}'] as [
          string,
          string,
        ],
    ),
);

/** A request to one of the routes under test. */
export function hostileRequest(options: { hugeBodies: boolean }): fc.Arbitrary<HostileRequest> {
  const seeds: Record<string, unknown[]> = {
    freqtrade: fixtureSeeds('freqtrade'),
    lean: fixtureSeeds('lean'),
    tradingview: fixtureSeeds('tradingview'),
    alertmanager: fixtureSeeds('alertmanager'),
  };
  const ingestBody: fc.Arbitrary<[string, unknown]> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .record({
          events: fc.array(validEvent, { minLength: 1, maxLength: 8 }),
          muts: fc.array(mutation, { maxLength: 4 }),
        })
        .map(
          ({ events, muts }) => ['mutated events', mutate({ events }, muts)] as [string, unknown],
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(validEvent, { minLength: 1, maxLength: 8 })
        .map((events) => ['valid events', { events }] as [string, unknown]),
    },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => ['random JSON', v] as [string, unknown]) },
    {
      weight: 1,
      arbitrary: fc
        .array(hostileValue, { maxLength: 5 })
        .map((events) => ['hostile values as events', { events }] as [string, unknown]),
    },
    {
      weight: 1,
      arbitrary: fc
        .dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 6 })
        .map((o) => ['hostile object', o] as [string, unknown]),
    },
  );
  const adapterBody = (name: string): fc.Arbitrary<[string, unknown]> =>
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .record({
            seed: fc.constantFrom(...seeds[name]!),
            muts: fc.array(mutation, { maxLength: 5 }),
          })
          .map(
            ({ seed, muts }) =>
              [`mutated ${name} payload`, mutate(seed, muts)] as [string, unknown],
          ),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...seeds[name]!)
          .map((s) => [`${name} fixture`, s] as [string, unknown]),
      },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => ['random JSON', v] as [string, unknown]) },
    );
  const huge: fc.Arbitrary<[string, string]> = fc.constantFrom(1_100_000, 5_300_000).map(
    (n) =>
      [
        'huge body',
        JSON.stringify({
          events: [{ type: 'log', bot: 'fz-1', ts: T0, level: 'info', message: 'x'.repeat(n) }],
        }),
      ] as [string, string],
  );

  return fc
    .record({
      route: fc.constantFrom(
        'ingest',
        'ingest',
        'freqtrade',
        'lean',
        'tradingview',
        'alertmanager',
      ),
      pick: fc.nat({ max: 99 }),
      bot: fc.oneof(
        { weight: 4, arbitrary: fc.constant('fz-1') },
        { weight: 1, arbitrary: fc.constantFrom(...INJECTIONS) },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constant('application/json') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-16',
            'multipart/form-data; boundary=x',
            'application/xml',
            'text/html',
          ),
        },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
      auth: fc.oneof(
        { weight: 18, arbitrary: fc.constant('ok' as const) },
        { weight: 1, arbitrary: fc.constantFrom('none' as const, 'wrong' as const) },
      ),
      ingest: ingestBody,
      freqtrade: adapterBody('freqtrade'),
      lean: adapterBody('lean'),
      tradingview: fc.oneof(
        adapterBody('tradingview'),
        fc
          .constantFrom(
            'BUY BTCUSDT',
            'flat NQ1! take profit',
            "long '; DROP TABLE signals; -- 0.8",
          )
          .map((s) => ['tradingview text', s] as [string, unknown]),
      ),
      alertmanager: adapterBody('alertmanager'),
      raw: rawText,
      huge,
    })
    .map((r) => {
      const route = r.route === 'ingest' ? '/api/v1/ingest' : `/api/v1/adapters/${r.route}`;
      let what: string;
      let body: string;
      if (options.hugeBodies && r.pick === 0) [what, body] = r.huge;
      else if (r.pick < 12) [what, body] = r.raw;
      else {
        const [w, v] = r[r.route as 'ingest'];
        what = w;
        body =
          typeof v === 'string' && r.route === 'tradingview' ? v : (JSON.stringify(v) ?? 'null');
      }
      const query = r.route === 'ingest' || r.bot === null ? '' : `?bot=${percentEncode(r.bot)}`;
      return {
        route,
        query,
        contentType: r.contentType,
        body,
        auth: r.auth,
        what: `${r.route}: ${what}`,
      };
    });
}

/** One line about a request: route, content type, auth and the start of the body. */
export function describe(req: HostileRequest): string {
  const body =
    req.body.length > 300 ? `${req.body.slice(0, 300)}… (${req.body.length} bytes)` : req.body;
  return `POST ${req.route}${req.query} [${req.what}; content-type ${req.contentType ?? 'none'}; auth ${req.auth}] ${JSON.stringify(body)}`;
}

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD, as on the wire). */
function percentEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}
