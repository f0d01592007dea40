// Tests the WebAssembly text grammar (syntaxes/wat.tmLanguage.json) and its language configuration.
// The grammar assertions live in test/grammar/*.test.wat / *.test.wast, written in
// vscode-tmgrammar-test's format (`;; ^^^ scope - excluded-scope` under the line they check);
// this file runs that tool on them, with the grammar taken from package.json's contribution, the
// same way VS Code finds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const tool = join(root, 'node_modules', '.bin', 'vscode-tmgrammar-test');

const caseFiles = readdirSync(here)
  .filter((name) => name.endsWith('.test.wat') || name.endsWith('.test.wast'))
  .sort();

function runTool(files: string[]): { status: number | null; output: string } {
  const res = spawnSync(process.execPath, [tool, '--config', 'package.json', ...files], {
    cwd: root,
    encoding: 'utf8',
    // The tool's assertion parser can backtrack for a very long time on a malformed line;
    // a bound turns that into a failure instead of a hung test run.
    timeout: 60_000,
  });
  return { status: res.status, output: `${res.stdout}${res.stderr}${res.error ? String(res.error) : ''}` };
}

function assertionLines(file: string): string[] {
  return readFileSync(join(here, file), 'utf8')
    .split('\n')
    .filter((line) => /^;;\s*(\^|<~*-)/.test(line));
}

test('grammar test cases exist for every part of the language', () => {
  for (const part of ['comments-strings', 'numbers', 'module-fields', 'instructions', 'annotations'])
    assert.ok(caseFiles.includes(`${part}.test.wat`), `missing ${part}.test.wat`);
  assert.ok(caseFiles.includes('script.test.wast'));
});

test('assertion lines are in a form the tool parses quickly', () => {
  // vscode-tmgrammar-test accepts one "-" between required and excluded scopes; with a second
  // one its parser regex backtracks exponentially instead of reporting an error.
  for (const file of caseFiles)
    for (const line of assertionLines(file)) {
      const dashes = line.split(/\s+/).filter((token) => token === '-').length;
      assert.ok(dashes <= 1, `${file}: more than one "-" in: ${line}`);
    }
});

test('every grammar assertion holds (vscode-tmgrammar-test)', () => {
  const files = caseFiles.map((name) => `test/grammar/${name}`);
  const { status, output } = runTool(files);
  assert.equal(status, 0, output);
  for (const file of files) assert.match(output, new RegExp(`✓ ${file.replace(/\./g, '\\.')} run successful`), output);
  const count = caseFiles.reduce((n, file) => n + assertionLines(file).length, 0);
  assert.ok(count >= 300, `only ${count} assertion lines`);
});

test('a wrong assertion makes the tool fail (the harness can see failures)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wat-grammar-'));
  try {
    const file = join(dir, 'wrong.test.wat');
    writeFileSync(file, ';; SYNTAX TEST "source.wat" "deliberately wrong"\n(module)\n;;^^^^^^ comment.line.double-semicolon.wat\n');
    const { status, output } = runTool([file]);
    assert.notEqual(status, 0, output);
    assert.match(output, /missing required scopes: comment\.line\.double-semicolon\.wat/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Contribution {
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
  };
}

test('package.json contributes the grammar and configuration that exist here', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Contribution;
  const language = pkg.contributes.languages.find((l) => l.id === 'wat');
  const grammar = pkg.contributes.grammars.find((g) => g.language === 'wat');
  assert.ok(language && grammar);
  assert.deepEqual([...language.extensions].sort(), ['.wast', '.wat']);
  const tm = JSON.parse(readFileSync(join(root, grammar.path), 'utf8')) as { scopeName: string };
  assert.equal(tm.scopeName, grammar.scopeName);
  assert.equal(tm.scopeName, 'source.wat');
  JSON.parse(readFileSync(join(root, language.configuration), 'utf8'));
});

interface LanguageConfiguration {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string }[];
  surroundingPairs: [string, string][];
  folding: { markers: { start: string; end: string } };
  wordPattern: string;
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
}

test('language configuration: comments, brackets, pairs, folding markers, words', () => {
  const config = JSON.parse(
    readFileSync(join(root, 'syntaxes', 'wat.language-configuration.json'), 'utf8'),
  ) as LanguageConfiguration;
  assert.equal(config.comments.lineComment, ';;');
  assert.deepEqual(config.comments.blockComment, ['(;', ';)']);
  assert.deepEqual(config.brackets, [['(', ')']]);
  const pairs = config.autoClosingPairs.map((p) => p.open + p.close);
  assert.ok(pairs.includes('()') && pairs.includes('""'));

  const start = new RegExp(config.folding.markers.start);
  const end = new RegExp(config.folding.markers.end);
  assert.ok(start.test('  ;; region helpers') && start.test(';;#region'));
  assert.ok(end.test('  ;; endregion') && end.test(';; #endregion'));
  assert.ok(!start.test('  i32.const 1 ;; region') && !start.test(';; regional'));

  // Double-clicking selects a whole WAT word: identifiers with their punctuation, dotted
  // instruction names, memory arguments and numbers with signs, underscores and payloads.
  const words = (text: string) => text.match(new RegExp(config.wordPattern, 'g'));
  for (const word of ['$foo.bar', '$a-b:c', 'i32.add', 'f32x4.relaxed_madd', 'offset=16', '-0x1.8p3', 'nan:0x7f_ffff', '1_000'])
    assert.deepEqual(words(word), [word], word);
  assert.deepEqual(words('(call $f (i32.const 1))'), ['call', '$f', 'i32.const', '1']);

  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  assert.ok(increase.test('  (func $f (param i32)') && !increase.test('  (func $f (param i32))'));
  assert.ok(increase.test('    block $done') && !increase.test('    block $done end'));
  assert.ok(decrease.test('  )') && decrease.test('    end') && decrease.test('    else'));
});
