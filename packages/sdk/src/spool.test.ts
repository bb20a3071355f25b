import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSpool, MemorySpool, SpoolFullError } from './spool.js';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'tw-spool-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const line = (i: number) => JSON.stringify({ type: 'log', id: `e${i}`, message: 'x'.repeat(20) });

describe('FileSpool', () => {
  it('is first in, first out across segments, and deletes what was acknowledged', async () => {
    const d = dir();
    const spool = await FileSpool.open({ dir: d, segmentBytes: 100 });
    const lines = Array.from({ length: 10 }, (_v, i) => line(i));
    for (const l of lines) await spool.append([l]);
    expect(readdirSync(d).length).toBeGreaterThan(1);
    expect(await spool.peek(4, 1e6)).toEqual(lines.slice(0, 4));
    await spool.ack(4);
    expect(await spool.peek(100, 1e6)).toEqual(lines.slice(4));
    await spool.ack(6);
    expect(spool.size()).toBe(0);
    expect(readdirSync(d)).toEqual([]);
    await spool.close();
  });

  it('replays what was not acknowledged after a restart, skipping a torn last line', async () => {
    const d = dir();
    const first = await FileSpool.open({ dir: d });
    await first.append([line(1), line(2)]);
    await first.close();
    writeFileSync(path.join(d, 'spool-000000000002.jsonl'), `${line(3)}\n{"type":"lo`);
    const again = await FileSpool.open({ dir: d });
    expect(await again.peek(10, 1e6)).toEqual([line(1), line(2), line(3)]);
    await again.append([line(4)]);
    expect(await again.peek(10, 1e6)).toEqual([line(1), line(2), line(3), line(4)]);
    await again.close();
  });

  it('keeps batches within the byte limit (one oversized event still goes alone)', async () => {
    const spool = await FileSpool.open({ dir: dir() });
    await spool.append([line(1), line(2), line(3)]);
    expect(await spool.peek(10, line(1).length * 2 + 2)).toHaveLength(2);
    expect(await spool.peek(10, 1)).toHaveLength(1);
    await spool.close();
  });

  it('is bounded', async () => {
    const spool = await FileSpool.open({ dir: dir(), maxBytes: 100 });
    await spool.append([line(1)]);
    await expect(spool.append([line(2), line(3)])).rejects.toThrow(SpoolFullError);
    expect(spool.size()).toBe(1);
    await spool.close();
    const memory = new MemorySpool(50);
    await expect(memory.append([line(1)])).rejects.toThrow(SpoolFullError);
  });
});

describe('FileSpool under concurrent use', () => {
  it('never loses an append that races an acknowledgement of everything before it', async () => {
    const spool = await FileSpool.open({ dir: dir() });
    await spool.append([line(1)]);
    // The sender acknowledges the only event while the bot appends the next one.
    await Promise.all([spool.ack(1), spool.append([line(2)]), spool.append([line(3)])]);
    expect(await spool.peek(10, 1e6)).toEqual([line(2), line(3)]);
    await spool.close();
    const reopened = await FileSpool.open({ dir: dirs.at(-1)! });
    expect(await reopened.peek(10, 1e6)).toEqual([line(2), line(3)]);
    await reopened.close();
  });
});
