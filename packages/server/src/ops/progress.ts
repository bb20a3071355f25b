import { formatBytes } from './files.js';

/** Where long operations report how far they are (a terminal line, or nothing). */
export interface Progress {
  /** Starts a phase; `total` in bytes (or rows) when known. */
  phase(name: string, total?: number): void;
  /** Work done so far in the current phase, in the unit of its total. */
  update(done: number): void;
  /** Ends the current line. */
  end(message?: string): void;
}

export const silentProgress: Progress = {
  phase() {},
  update() {},
  end() {},
};

/**
 * A single updating line on a terminal (`\r`), at most ~10 redraws a second; on anything that
 * is not a TTY, nothing (so logs and pipes stay clean).
 */
export function terminalProgress(
  stream: NodeJS.WriteStream = process.stderr,
  unit: 'bytes' | 'rows' = 'bytes',
): Progress {
  if (!stream.isTTY) return silentProgress;
  let name = '';
  let total: number | undefined;
  let last = 0;
  let dirty = false;
  const fmt = (n: number) => (unit === 'bytes' ? formatBytes(n) : n.toLocaleString('en-US'));
  const draw = (done: number) => {
    const pct = total ? ` ${Math.min(100, Math.floor((done / total) * 100))}%` : '';
    const amount = total ? ` (${fmt(done)} of ${fmt(total)})` : done > 0 ? ` (${fmt(done)})` : '';
    stream.write(`\r\x1b[2K${name}${pct}${amount}`);
    dirty = true;
  };
  return {
    phase(n, t) {
      if (dirty) stream.write('\n');
      name = n;
      total = t;
      last = 0;
      draw(0);
    },
    update(done) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      draw(done);
    },
    end(message) {
      if (dirty) stream.write(message ? `\r\x1b[2K${message}\n` : '\n');
      dirty = false;
    },
  };
}
