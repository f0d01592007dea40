// Reads WebAssembly text into s-expressions that remember where each token is: atoms (keywords,
// $ids, numbers), strings, and lists with the positions of their `(` and `)`. Comments (`;;` to
// end of line, nested `(; ... ;)`) are skipped; parentheses inside strings and comments do not
// count. Errors name the line.

import { SourceMapError } from './errors';

export interface WatPos {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export type WatNode = WatAtom | WatString | WatList;

export interface WatAtom extends WatPos {
  kind: 'atom';
  text: string;
}

export interface WatString extends WatPos {
  kind: 'string';
}

export interface WatList extends WatPos {
  kind: 'list';
  items: WatNode[];
  /** Position of the closing `)`. */
  close: WatPos;
}

/** The top-level nodes of a WAT text. */
export function parseWat(text: string): WatNode[] {
  const root: WatNode[] = [];
  const stack: WatList[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const n = text.length;
  const pos = (at: number): WatPos => ({ line, column: at - lineStart + 1 });
  const push = (node: WatNode) => (stack.length ? stack[stack.length - 1].items : root).push(node);
  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 0x0a) {
      newline(i);
      i++;
    } else if (ch === 0x20 || ch === 0x09 || ch === 0x0d) {
      i++;
    } else if (ch === 0x3b /* ; */ && text.charCodeAt(i + 1) === 0x3b) {
      while (i < n && text.charCodeAt(i) !== 0x0a) i++;
    } else if (ch === 0x28 /* ( */ && text.charCodeAt(i + 1) === 0x3b) {
      const startLine = line;
      let depth = 0;
      for (;;) {
        if (i >= n) throw new SourceMapError('wat', startLine, 'unterminated block comment');
        const c = text.charCodeAt(i);
        if (c === 0x28 && text.charCodeAt(i + 1) === 0x3b) {
          depth++;
          i += 2;
        } else if (c === 0x3b && text.charCodeAt(i + 1) === 0x29) {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else {
          if (c === 0x0a) newline(i);
          i++;
        }
      }
    } else if (ch === 0x28) {
      const p = pos(i);
      stack.push({ kind: 'list', items: [], line: p.line, column: p.column, close: p });
      i++;
    } else if (ch === 0x29) {
      const list = stack.pop();
      if (!list) throw new SourceMapError('wat', line, 'unbalanced `)`');
      list.close = pos(i);
      push(list);
      i++;
    } else if (ch === 0x22 /* " */) {
      const p = pos(i);
      i = skipString(text, i, line, newline);
      push({ kind: 'string', ...p });
    } else {
      const p = pos(i);
      const start = i;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x28 || c === 0x29 || c === 0x3b) break;
        // `$"..."`: an identifier written as a string.
        if (c === 0x22) {
          if (i === start + 1 && text.charCodeAt(start) === 0x24) {
            i = skipString(text, i, line, newline);
            continue;
          }
          break;
        }
        i++;
      }
      if (i === start) throw new SourceMapError('wat', line, `unexpected character ${JSON.stringify(text[i])}`);
      push({ kind: 'atom', text: text.slice(start, i), ...p });
    }
  }
  if (stack.length) throw new SourceMapError('wat', stack[stack.length - 1].line, 'unclosed `(`');
  return root;
}

/** Index just past the string starting at `i` (a `"`). */
function skipString(text: string, i: number, line: number, newline: (at: number) => void): number {
  const startLine = line;
  i++;
  for (;;) {
    if (i >= text.length) throw new SourceMapError('wat', startLine, 'unterminated string');
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c /* \ */) {
      if (text.charCodeAt(i + 1) === 0x0a) newline(i + 1);
      i += 2;
      continue;
    }
    if (c === 0x0a) newline(i);
    i++;
  }
}

export function isAtom(node: WatNode | undefined, text?: string): node is WatAtom {
  return node !== undefined && node.kind === 'atom' && (text === undefined || node.text === text);
}

/** The head keyword of a list (`func` for `(func ...)`), or undefined. */
export function headOf(node: WatNode | undefined): string | undefined {
  if (node?.kind !== 'list') return undefined;
  const h = node.items[0];
  return h?.kind === 'atom' ? h.text : undefined;
}
