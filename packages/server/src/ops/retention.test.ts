import { describe, expect, it } from 'vitest';
import { backupFileName, parseBackupName, type BackupName } from './names.js';
import { backupsToDelete } from './retention.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);

/** One backup per day for `days` days, the newest `offset` days before NOW. */
function daily(days: number, offset = 0): BackupName[] {
  return Array.from({ length: days }, (_, i) =>
    parseBackupName(backupFileName(NOW - (i + offset) * DAY))!,
  );
}

const names = (list: BackupName[]) => list.map((b) => b.name).sort();

describe('retention keeps exactly what the policy says', () => {
  it('keep_last alone keeps the newest N and deletes the rest', () => {
    const all = daily(10);
    const doomed = backupsToDelete(all, { keepLast: 3, keepDays: 0 }, NOW);
    expect(doomed).toHaveLength(7);
    expect(names(all.filter((b) => !doomed.includes(b)))).toEqual(names(all.slice(0, 3)));
  });

  it('keep_days keeps everything younger than the limit beyond keep_last', () => {
    const all = daily(40);
    const doomed = backupsToDelete(all, { keepLast: 2, keepDays: 30 }, NOW);
    // Ages 0…29 days are kept (younger than 30 days); 30…39 go.
    expect(names(doomed)).toEqual(names(all.slice(30)));
  });

  it('keep_last protects old backups when there is nothing newer', () => {
    const old = daily(5, 100);
    expect(backupsToDelete(old, { keepLast: 3, keepDays: 7 }, NOW).map((b) => b.name)).toEqual(
      names(old.slice(3)).reverse(),
    );
  });

  it('never deletes the newest backup, whatever the policy', () => {
    const one = daily(1, 1000);
    expect(backupsToDelete(one, { keepLast: 0, keepDays: 0 }, NOW)).toEqual([]);
  });

  it('counts pre-restore backups like any other', () => {
    const all = [parseBackupName(backupFileName(NOW - 1000, 'pre-restore'))!, ...daily(3, 1)];
    const doomed = backupsToDelete(all, { keepLast: 2, keepDays: 0 }, NOW);
    expect(names(doomed)).toEqual(names(all.slice(2)));
  });

  it('treats a backup from the future (clock set back) as young', () => {
    const future = parseBackupName(backupFileName(NOW + 10 * DAY))!;
    const doomed = backupsToDelete([future, ...daily(3, 40)], { keepLast: 1, keepDays: 30 }, NOW);
    expect(doomed.map((b) => b.name)).not.toContain(future.name);
    expect(doomed).toHaveLength(3);
  });
});
