// Path joining, normalization and editor-path <-> line-table-path matching.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAbsolutePath, joinPath, locateSourceFile, matchSourceFile, normalizePath } from './source-paths';

test('normalizePath folds ., .., duplicate and back slashes', () => {
  assert.equal(normalizePath('./build/./libc/crt/../crt/crt1.c'), 'build/libc/crt/crt1.c');
  assert.equal(normalizePath('/a//b/./c/'), '/a/b/c');
  assert.equal(normalizePath('../x/../../y.c'), '../../y.c');
  assert.equal(normalizePath('/../a.c'), '/a.c');
  assert.equal(normalizePath('C:\\src\\.\\lib\\..\\main.c'), 'C:/src/main.c');
  assert.equal(normalizePath('\\\\host\\share\\a.c'), '//host/share/a.c');
  assert.equal(normalizePath('./'), '.');
});

test('joinPath keeps absolute names and empty directories', () => {
  assert.equal(joinPath('/comp', 'a.c'), '/comp/a.c');
  assert.equal(joinPath('/comp/', 'a.c'), '/comp/a.c');
  assert.equal(joinPath('/comp', '/abs/a.c'), '/abs/a.c');
  assert.equal(joinPath(undefined, 'a.c'), 'a.c');
  assert.equal(joinPath('', 'a.c'), 'a.c');
  assert.equal(joinPath('C:\\x', 'D:\\y.c'), 'D:\\y.c');
  assert.ok(isAbsolutePath('c:/x') && isAbsolutePath('/x') && !isAbsolutePath('x/y'));
});

test('matchSourceFile: exact, relative, prefix-mapped, longest suffix wins, ties reported', () => {
  const files = ['lines.c', 'lib/util.c', '/src/lib/util.h', 'a/dup.c', 'b/dup.c', 'x/util.c'];
  assert.deepEqual(matchSourceFile('lines.c', files), { kind: 'found', file: 'lines.c' });
  assert.deepEqual(matchSourceFile('/work/proj/lines.c', files), { kind: 'found', file: 'lines.c' });
  assert.deepEqual(matchSourceFile('/work/proj/./lib/../lib/util.c', files), { kind: 'found', file: 'lib/util.c' });
  assert.deepEqual(matchSourceFile('/work/proj/x/util.c', files), { kind: 'found', file: 'x/util.c' });
  assert.deepEqual(matchSourceFile('/home/me/checkout/lib/util.h', files), { kind: 'found', file: '/src/lib/util.h' });
  assert.deepEqual(matchSourceFile('C:\\proj\\lib\\util.h', files), { kind: 'found', file: '/src/lib/util.h' });
  assert.deepEqual(matchSourceFile('/w/c/dup.c', files), { kind: 'ambiguous', candidates: ['a/dup.c', 'b/dup.c'] });
  assert.deepEqual(matchSourceFile('/w/a/dup.c', files), { kind: 'found', file: 'a/dup.c' });
  assert.deepEqual(matchSourceFile('/w/other.c', files), { kind: 'none' });
  assert.deepEqual(matchSourceFile('/w/util.c', ['/w/util.c', 'util.c']), { kind: 'found', file: '/w/util.c' });
});

test('locateSourceFile finds a table path on disk under the given roots', () => {
  const disk = new Set(['/ws/fixtures/c/debugme.c', '/ws/lib/util.h', '/abs/x.c']);
  const exists = (p: string) => disk.has(p);
  assert.equal(locateSourceFile('/abs/x.c', [], exists), '/abs/x.c');
  assert.equal(locateSourceFile('debugme.c', ['/ws', '/ws/fixtures/c'], exists), '/ws/fixtures/c/debugme.c');
  assert.equal(locateSourceFile('/src/lib/util.h', ['/ws'], exists), '/ws/lib/util.h');
  assert.equal(locateSourceFile('./build/../lib/util.h', ['/ws'], exists), '/ws/lib/util.h');
  assert.equal(locateSourceFile('missing.c', ['/ws'], exists), undefined);
});
