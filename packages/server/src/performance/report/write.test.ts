import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAtomically, writeTextAtomically } from './write.js';

describe('atomic report files', () => {
  it('leave the old file and no temporary file when writing fails', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-write-'));
    const file = path.join(dir, 'report.csv');
    writeFileSync(file, 'old');
    await expect(
      writeAtomically(file, async (out) => {
        out.write('half a report');
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['report.csv']);
  });

  it('replace a symbolic link at the path itself, never the file it points to', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-write-'));
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const link = path.join(dir, 'report.txt');
    symlinkSync(victim, link);
    await writeTextAtomically(link, 'report');
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(readFileSync(link, 'utf8')).toBe('report');
  });
});
