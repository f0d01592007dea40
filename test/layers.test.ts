// Enforces the layering: imports only go down.
//  - debug-adapter/ never imports `vscode`, extension/ or webviews/ code;
//  - webviews/<name>/ import only their own folder and webviews/shared (the typed protocols);
//  - only extension/ imports `vscode`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function tsFiles(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of src.matchAll(importRe)) found.push(m[1] ?? m[2] ?? m[3]);
  return found;
}

function layerOf(absPath: string): string {
  return relative(root, absPath).split(sep)[0];
}

test('debug-adapter/ never imports vscode or upper layers', () => {
  const bad: string[] = [];
  for (const f of tsFiles(join(root, 'debug-adapter'))) {
    for (const spec of importsOf(f)) {
      if (spec === 'vscode' || spec.startsWith('vscode/')) bad.push(`${relative(root, f)} imports ${spec}`);
      if (spec.startsWith('.')) {
        const layer = layerOf(resolve(dirname(f), spec));
        if (layer !== 'debug-adapter') bad.push(`${relative(root, f)} imports ${spec} (layer ${layer})`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('only extension/ imports vscode', () => {
  const bad: string[] = [];
  for (const dir of ['debug-adapter', 'webviews', 'test', 'bench']) {
    for (const f of tsFiles(join(root, dir))) {
      if (f.includes(`${sep}vscode-electron${sep}`) || f.includes(`${sep}e2e${sep}extension-tests${sep}`)) continue;
      for (const spec of importsOf(f)) if (spec === 'vscode') bad.push(relative(root, f));
    }
  }
  assert.deepEqual(bad, []);
});

test('webviews import only their own folder and the shared protocol', () => {
  const bad: string[] = [];
  const wv = join(root, 'webviews');
  for (const f of tsFiles(wv)) {
    if (f.endsWith('.test.ts')) continue;
    const own = relative(wv, f).split(sep)[0];
    for (const spec of importsOf(f)) {
      if (!spec.startsWith('.')) {
        bad.push(`${relative(root, f)} imports package ${spec}`);
        continue;
      }
      const target = relative(wv, resolve(dirname(f), spec)).split(sep)[0];
      if (target !== own && target !== 'shared') bad.push(`${relative(root, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the import scanner sees every import form', () => {
  const src = "import a from './a';\nimport { b } from \"b\";\nexport * from './c';\nconst d = require('d');\nimport 'e';\nawait import('f');";
  const found = [...src.matchAll(importRe)].map((m) => m[1] ?? m[2] ?? m[3]);
  assert.deepEqual(found, ['./a', 'b', './c', 'd', 'e', 'f']);
});
