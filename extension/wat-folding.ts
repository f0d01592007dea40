// Folding for WebAssembly text by its parentheses: a language configuration can only fold by
// markers or indentation, and folded-form WAT is nested s-expressions. Strings and both comment
// forms (`;;` and nested `(; ;)`) are skipped so parentheses inside them do not count.

/** A foldable range, 0-based lines (start line shows, the rest hides). */
export interface FoldRange {
  start: number;
  end: number;
}

export function watFoldingRanges(text: string): FoldRange[] {
  const ranges: FoldRange[] = [];
  const open: number[] = [];
  let line = 0;
  let blockDepth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (blockDepth > 0) {
      if (c === '(' && text[i + 1] === ';') {
        blockDepth++;
        i++;
      } else if (c === ';' && text[i + 1] === ')') {
        blockDepth--;
        i++;
      }
      continue;
    }
    if (c === ';' && text[i + 1] === ';') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '(' && text[i + 1] === ';') {
      blockDepth = 1;
      i++;
      continue;
    }
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
      }
      continue;
    }
    if (c === '(') open.push(line);
    else if (c === ')') {
      const start = open.pop();
      // VS Code hides (start, end]; a line that starts with the closing paren stays visible.
      if (start !== undefined && line > start) {
        const lineStart = text.lastIndexOf('\n', i - 1) + 1;
        const leadsLine = text.slice(lineStart, i).trim() === '';
        const end = leadsLine ? line - 1 : line;
        if (end > start) ranges.push({ start, end });
      }
    }
  }
  return ranges.sort((a, b) => a.start - b.start || b.end - a.end);
}
