/**
 * A small logic-less template language (a subset of Mustache/Handlebars), enough for messages
 * and safe for user-supplied templates (no code evaluation):
 *
 * - `{{path.to.value}}` — escaped for the output (HTML, chat markdown …)
 * - `{{{path}}}` — inserted as is
 * - `{{#each list}} … {{/each}}` — `this`, `@index`, `@first`, `@last` inside
 * - `{{#if path}} … {{else}} … {{/if}}`, `{{#unless path}} … {{/unless}}`
 *
 * A line holding only a block tag disappears entirely, so templates can be laid out readably.
 */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Node =
  | { t: 'text'; v: string }
  | { t: 'var'; path: string; raw: boolean }
  | { t: 'each'; path: string; body: Node[] }
  | { t: 'if'; path: string; negate: boolean; body: Node[]; otherwise: Node[] };

export type Escape = (value: string) => string;

export interface Template {
  render(context: unknown, escape: Escape, escapeText?: Escape): string;
}

const TAG = /\{\{\{\s*([^}]+?)\s*\}\}\}|\{\{\s*([^}]+?)\s*\}\}/g;

export function compileTemplate(source: string, name = 'template'): Template {
  const text = source.replace(/^[ \t]*(\{\{(?:[#/][^}]*|else)\}\})[ \t]*\r?\n/gm, '$1');
  const root: Node[] = [];
  const stack: {
    node: Extract<Node, { t: 'each' | 'if' }> | null;
    list: Node[];
    inElse: boolean;
  }[] = [{ node: null, list: root, inElse: false }];
  let last = 0;
  for (const m of text.matchAll(TAG)) {
    const top = stack[stack.length - 1]!;
    if (m.index > last) top.list.push({ t: 'text', v: text.slice(last, m.index) });
    last = m.index + m[0].length;
    if (m[1] !== undefined) {
      top.list.push({ t: 'var', path: m[1], raw: true });
      continue;
    }
    const tag = m[2]!;
    if (tag.startsWith('#each ')) {
      const node: Node = { t: 'each', path: tag.slice(6).trim(), body: [] };
      top.list.push(node);
      stack.push({ node, list: node.body, inElse: false });
    } else if (tag.startsWith('#if ') || tag.startsWith('#unless ')) {
      const negate = tag.startsWith('#unless ');
      const node: Node = {
        t: 'if',
        path: tag.slice(negate ? 8 : 4).trim(),
        negate,
        body: [],
        otherwise: [],
      };
      top.list.push(node);
      stack.push({ node, list: node.body, inElse: false });
    } else if (tag === 'else') {
      if (top.node?.t !== 'if' || top.inElse)
        throw new TemplateError(`${name}: {{else}} outside {{#if}}`);
      top.list = top.node.otherwise;
      top.inElse = true;
    } else if (tag.startsWith('/')) {
      const kind = tag.slice(1).trim();
      const expected =
        top.node === null
          ? null
          : top.node.t === 'each'
            ? 'each'
            : top.node.negate
              ? 'unless'
              : 'if';
      if (kind !== expected)
        throw new TemplateError(`${name}: {{/${kind}}} does not close an open {{#${kind}}}`);
      stack.pop();
    } else if (tag.startsWith('#') || tag.startsWith('!')) {
      if (tag.startsWith('!')) continue; // comment
      throw new TemplateError(`${name}: unknown block {{${tag}}} (use #each, #if, #unless)`);
    } else {
      top.list.push({ t: 'var', path: tag, raw: false });
    }
  }
  if (stack.length > 1)
    throw new TemplateError(`${name}: {{#${stack[stack.length - 1]!.node!.t}}} is never closed`);
  if (last < text.length) root.push({ t: 'text', v: text.slice(last) });
  return {
    render(context, escape, escapeText = (s) => s) {
      return renderNodes(root, [context], {}, escape, escapeText);
    },
  };
}

function lookup(path: string, scopes: unknown[], locals: Record<string, unknown>): unknown {
  if (path.startsWith('@')) return locals[path];
  if (path === 'this' || path === '.') return scopes[scopes.length - 1];
  const parts = path.replace(/^this\./, '').split('.');
  for (let i = scopes.length - 1; i >= 0; i--) {
    let value: unknown = scopes[i];
    let found = true;
    for (const p of parts) {
      if (value !== null && typeof value === 'object' && p in value) {
        value = (value as Record<string, unknown>)[p];
      } else {
        found = false;
        break;
      }
    }
    if (found) return value;
  }
  return undefined;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function renderNodes(
  nodes: Node[],
  scopes: unknown[],
  locals: Record<string, unknown>,
  escape: Escape,
  escapeText: Escape,
): string {
  let out = '';
  for (const n of nodes) {
    switch (n.t) {
      case 'text':
        out += escapeText(n.v);
        break;
      case 'var': {
        const v = lookup(n.path, scopes, locals);
        if (v === undefined || v === null) break;
        const s =
          typeof v === 'string'
            ? v
            : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
              ? String(v)
              : JSON.stringify(v);
        out += n.raw ? s : escape(s);
        break;
      }
      case 'each': {
        const v = lookup(n.path, scopes, locals);
        const items: unknown[] = Array.isArray(v)
          ? (v as unknown[])
          : v !== null && typeof v === 'object'
            ? Object.entries(v as Record<string, unknown>).map(([key, value]) => ({ key, value }))
            : [];
        items.forEach((item, i) => {
          out += renderNodes(
            n.body,
            [...scopes, item],
            { '@index': i, '@first': i === 0, '@last': i === items.length - 1 },
            escape,
            escapeText,
          );
        });
        break;
      }
      case 'if': {
        const v = truthy(lookup(n.path, scopes, locals));
        out += renderNodes(
          v !== n.negate ? n.body : n.otherwise,
          scopes,
          locals,
          escape,
          escapeText,
        );
        break;
      }
    }
  }
  return out;
}
