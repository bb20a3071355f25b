import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyPath, DASHBOARD_CSP, registerDashboard } from './static.js';

const dist = mkdtempSync(path.join(tmpdir(), 'tradewatch-static-'));
mkdirSync(path.join(dist, 'assets'));
writeFileSync(path.join(dist, 'assets', 'app-1.js'), '1');
writeFileSync(path.join(dist, 'favicon.svg'), '<svg/>');
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('dashboard paths', () => {
  it.each([
    ['/', 'index'],
    ['/journal', 'index'],
    ['/bots/alpha%20one', 'index'],
    ['/assets/app-1.js', 'asset'],
    ['/favicon.svg', 'file'],
    ['/assets/app-2.js', 'missing'],
    ['/nothing.png', 'missing'],
    ['/api/v1/x', 'api'],
    ['/api', 'api'],
    ['/%E0%A4%A', 'missing'],
    ['/../secret', 'index'],
  ])('%s is %s', (url, kind) => {
    expect(classifyPath(dist, url).kind).toBe(kind);
  });

  it('never resolves outside the directory', () => {
    expect(classifyPath(dist, '/..%2f..%2fetc%2fpasswd').file).not.toContain('..');
  });
});

describe('dashboard without a build', () => {
  it('says how to build it, with the CSP header', async () => {
    const app = Fastify();
    await registerDashboard(app, path.join(dist, 'not-built'));
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    await app.close();
  });
});
