import {
  EVENT_TYPES,
  INGEST_LIMITS,
  ingestEvent,
  type IngestEvent,
  type ProblemDetail,
} from '@tradewatch/protocol';

export type ValidationResult =
  | { ok: true; events: IngestEvent[] }
  | { ok: false; status: 400 | 413; message: string; details: ProblemDetail[] };

/** At most this many problems are listed; the message says how many there were. */
const MAX_DETAILS = 1_000;
const TYPES = new Set<string>(EVENT_TYPES);

/**
 * Validates an ingest body `{"events": [...]}` whole: every problem of every event is listed
 * with its index, field path and reason, and a batch with any problem is rejected entirely.
 */
export function validateIngestBody(body: unknown): ValidationResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return invalid('the body must be a JSON object {"events": [...]}', [
      { path: '', message: 'expected an object with an "events" array' },
    ]);
  }
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) {
    return invalid('"events" must be an array of events', [
      { path: 'events', message: 'expected an array' },
    ]);
  }
  if (events.length > INGEST_LIMITS.maxEvents) {
    return {
      ok: false,
      status: 413,
      message: `a batch holds at most ${INGEST_LIMITS.maxEvents} events; this one has ${events.length}`,
      details: [
        {
          path: 'events',
          message: `too many events (${events.length} > ${INGEST_LIMITS.maxEvents})`,
        },
      ],
    };
  }
  const out: IngestEvent[] = new Array<IngestEvent>(events.length);
  const details: ProblemDetail[] = [];
  let problems = 0;
  for (let index = 0; index < events.length; index++) {
    const raw: unknown = events[index];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems++;
      if (details.length < MAX_DETAILS)
        details.push({ index, path: '', message: 'an event must be a JSON object' });
      continue;
    }
    const type = (raw as { type?: unknown }).type;
    if (typeof type !== 'string' || !TYPES.has(type)) {
      problems++;
      if (details.length < MAX_DETAILS) {
        details.push({
          index,
          path: 'type',
          message:
            type === undefined
              ? `missing "type"; expected one of ${EVENT_TYPES.join(', ')}`
              : `unknown event type ${JSON.stringify(type).slice(0, 80)}; expected one of ${EVENT_TYPES.join(', ')}`,
        });
      }
      continue;
    }
    const parsed = ingestEvent.safeParse(raw);
    if (parsed.success) {
      out[index] = parsed.data;
    } else {
      for (const issue of parsed.error.issues) {
        problems++;
        if (details.length < MAX_DETAILS) {
          details.push({ index, path: issue.path.join('.'), message: describeIssue(issue) });
        }
      }
    }
  }
  if (problems > 0) {
    const first = details[0]!;
    const where = `event ${first.index ?? '?'}${first.path ? ` field "${first.path}"` : ''}`;
    return invalid(
      `${problems} problem${problems === 1 ? '' : 's'} in the batch (first: ${where}: ${first.message}); nothing was stored`,
      details,
    );
  }
  return { ok: true, events: out };
}

function invalid(message: string, details: ProblemDetail[]): ValidationResult {
  return { ok: false, status: 400, message, details };
}

interface IssueLike {
  code: string;
  message: string;
  input?: unknown;
}

function describeIssue(issue: IssueLike): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  return issue.message;
}
