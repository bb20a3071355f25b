/** A stretch of time in which a bot was up (heartbeats arriving) or down. */
export interface LivenessSegment {
  from: number;
  to: number;
  status: 'up' | 'down' | 'unknown';
}

/**
 * A bot's liveness timeline over [from, to) from its heartbeat times: each heartbeat keeps it up
 * for two intervals (the same rule as the bot list); gaps are down, and the time before its
 * first heartbeat ever is unknown. Pure.
 */
export function livenessSegments(
  beats: number[],
  intervalS: number,
  from: number,
  to: number,
  firstEver: number | null,
): LivenessSegment[] {
  const span = 2 * intervalS * 1000;
  const out: LivenessSegment[] = [];
  const push = (a: number, b: number, status: LivenessSegment['status']) => {
    if (b <= a) return;
    const last = out[out.length - 1];
    if (last && last.status === status && last.to >= a) last.to = Math.max(last.to, b);
    else out.push({ from: a, to: b, status });
  };
  let cursor = from;
  const sorted = [...beats].sort((a, b) => a - b);
  for (const t of sorted) {
    if (t + span <= cursor) continue;
    if (t >= to) break;
    if (t > cursor) {
      const unknownUntil = firstEver === null ? t : Math.min(t, Math.max(cursor, firstEver));
      push(cursor, unknownUntil, 'unknown');
      push(Math.max(cursor, unknownUntil), t, 'down');
      cursor = t;
    }
    const end = Math.min(to, t + span);
    push(cursor, end, 'up');
    cursor = Math.max(cursor, end);
  }
  if (cursor < to) {
    if (firstEver === null || firstEver >= to) push(cursor, to, 'unknown');
    else {
      push(cursor, Math.max(cursor, Math.min(to, firstEver)), 'unknown');
      push(Math.max(cursor, firstEver), to, 'down');
    }
  }
  return out;
}
