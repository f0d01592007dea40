// YoWASP ships Yosys's share/ directory (techmap libraries) inside a JS module rather than as
// files: writes it out as files, for a preopen. Used by the Yosys test and benchmark.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Tree = { [name: string]: string | Tree | URL };

function writeTree(dir: string, tree: Tree): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(tree)) {
    if (typeof v === 'string') writeFileSync(join(dir, name), v);
    else if (!(v instanceof URL)) writeTree(join(dir, name), v);
  }
}

/** Writes the share/ tree of the @yowasp/yosys package whose gen/ directory is `gen` into `dest`. */
export async function writeYosysShare(gen: string, dest: string): Promise<void> {
  const { filesystem } = (await import(pathToFileURL(join(gen, 'resources-yosys.js')).href)) as { filesystem: { share: Tree } };
  writeTree(dest, filesystem.share);
}
