import { mkdtempSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backupFileName,
  backupPath,
  parseBackupName,
  resolveInside,
  UnsafePathError,
} from './names.js';

describe('backup names', () => {
  it('carry the UTC creation time, to the second', () => {
    const ts = Date.UTC(2026, 0, 5, 14, 30, 7);
    expect(backupFileName(ts)).toBe('tradewatch-backup-20260105-143007.tar.gz');
    expect(backupFileName(ts, 'pre-restore')).toBe(
      'tradewatch-backup-20260105-143007-pre-restore.tar.gz',
    );
    expect(parseBackupName(backupFileName(ts, 'pre-restore'))).toEqual({
      name: 'tradewatch-backup-20260105-143007-pre-restore.tar.gz',
      createdAt: ts,
      label: 'pre-restore',
    });
  });

  it('parse only names the backup command writes', () => {
    for (const bad of [
      'tradewatch-backup-20260105-143007.tar',
      'tradewatch-backup-20261305-143007.tar.gz',
      'tradewatch-backup-20260230-143007.tar.gz',
      'backups/tradewatch-backup-20260105-143007.tar.gz',
      '../tradewatch-backup-20260105-143007.tar.gz',
      'tradewatch-backup-20260105-143007-UPPER.tar.gz',
      'tradewatch-backup-20260105-143007.tar.gz.sha256',
    ]) {
      expect(parseBackupName(bad), bad).toBeNull();
    }
  });

  it('refuse labels that could change the path', () => {
    expect(() => backupFileName(0, '../x')).toThrow(/label/);
  });
});

describe('names given by clients cannot leave their directory', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-names-'));

  it.each([
    '../etc/passwd',
    '..',
    '.',
    '/etc/passwd',
    'a/../../b',
    'a\\..\\b',
    'C:evil',
    'name\0.tar.gz',
    '',
    'x'.repeat(300),
  ])('refuses %j', (name) => {
    expect(() => resolveInside(dir, name)).toThrow(UnsafePathError);
  });

  it('accepts a plain name and resolves it inside the directory', () => {
    expect(resolveInside(dir, 'report.csv')).toBe(path.join(dir, 'report.csv'));
    expect(resolveInside(dir, '..hidden')).toBe(path.join(dir, '..hidden'));
  });

  it('accepts only backup names for backups, with a message naming the pattern', () => {
    expect(() => backupPath(dir, '../../etc/shadow')).toThrow(/is not a backup name/);
    expect(() => backupPath(dir, '%2e%2e%2fetc')).toThrow(/is not a backup name/);
    expect(backupPath(dir, 'tradewatch-backup-20260105-143007.tar.gz')).toBe(
      path.join(dir, 'tradewatch-backup-20260105-143007.tar.gz'),
    );
  });

  it('a symlinked directory entry is still a name inside the directory (the link is the file)', () => {
    mkdirSync(path.join(dir, 'sub'));
    symlinkSync('/etc', path.join(dir, 'sub', 'link'));
    expect(() => resolveInside(dir, 'sub/link')).toThrow(UnsafePathError);
  });
});
