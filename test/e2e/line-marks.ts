// Finds fixture lines by their `LINE-MARK: name` comments (fixtures/README.md), for the end-to-end
// tests in code-server and in VS Code (test/vscode-electron). No module-level state: it is bundled
// into the VS Code test suite too.
import { readFileSync } from 'node:fs';

/** The 1-based line of `LINE-MARK: mark` in a source file. */
export function lineOfMark(source: string, mark: string): number {
  const lines = readFileSync(source, 'utf8').split('\n');
  const re = new RegExp(`LINE-MARK: ${mark}(\\s|$)`);
  const i = lines.findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`no LINE-MARK: ${mark} in ${source}`);
  return i + 1;
}
