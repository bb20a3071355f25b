import type { Labels } from './model.js';

/**
 * Label matchers: `{label: value}` matches equality, `{label: "/regex/"}` a full-string regular
 * expression, `{label: "!value"}` inequality and `{label: "!/regex/"}` a negated regex. An empty
 * value matches a missing label (as in Alertmanager).
 */
export interface Matcher {
  label: string;
  negate: boolean;
  test(value: string): boolean;
  /** How it was written, for display. */
  source: string;
}

export class MatcherError extends Error {
  override name = 'MatcherError';
}

export function parseMatcher(label: string, raw: string): Matcher {
  let text = raw;
  let negate = false;
  if (text.startsWith('!')) {
    negate = true;
    text = text.slice(1);
  }
  let test: (v: string) => boolean;
  if (text.length >= 2 && text.startsWith('/') && text.endsWith('/')) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${text.slice(1, -1)})$`);
    } catch (error) {
      throw new MatcherError(`label "${label}": ${(error as Error).message}`);
    }
    test = (v) => re.test(v);
  } else {
    test = (v) => v === text;
  }
  return { label, negate, test, source: raw };
}

export function parseMatchers(spec: Record<string, string>): Matcher[] {
  return Object.entries(spec).map(([label, value]) => parseMatcher(label, value));
}

export function matches(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) {
    const ok = m.test(labels[m.label] ?? '');
    if (ok === m.negate) return false;
  }
  return true;
}

/** Parses `name=value`, `name=~regex`, `name!=value` (CLI and Telegram). */
export function parseMatcherArg(arg: string): [string, string] {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(=~|!=|!~|=)(.*)$/.exec(arg);
  if (!m) throw new MatcherError(`"${arg}" is not a matcher (use label=value or label=~regex)`);
  const [, label, op, value] = m as unknown as [string, string, string, string];
  switch (op) {
    case '=':
      return [label, value];
    case '!=':
      return [label, `!${value}`];
    case '=~':
      return [label, `/${value}/`];
    default:
      return [label, `!/${value}/`];
  }
}
