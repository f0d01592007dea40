// Test helper: the 1-based line of a source file that carries a `@marker` (or `LINE-MARK: name`)
// comment, so tests do not hard-code line numbers.

import { readFileSync } from 'node:fs';

export function markerLine(path: string | URL, marker: string): number {
  const lines = readFileSync(path, 'utf8').split('\n');
  const re = new RegExp(`(@|LINE-MARK: )${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`);
  const hits = lines.flatMap((l, i) => (re.test(l) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`marker ${marker} found ${hits.length} times in ${String(path)}`);
  return hits[0];
}
