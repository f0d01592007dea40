// The CodeLens data: text, percentages, lookup by file, replacement by a later run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FuelFigures, compactNumber, lensText } from './fuel-figures';

test('lens text: compact numbers, percentage, calls', () => {
  assert.equal(compactNumber(999), '999');
  assert.equal(compactNumber(12_345), '12.3k');
  assert.equal(compactNumber(12_345_678), '12.3M');
  assert.equal(lensText(250, 1000, 1), '$(flame) 250 fuel (25%) · 1 call');
  assert.equal(lensText(5, 1000, 3), '$(flame) 5 fuel (0.5%) · 3 calls');
});

test('figures are found by file and line, and a new run of the program replaces them', () => {
  const f = new FuelFigures();
  f.update({ final: false, program: '/p/a.wasm', total: 100, functions: [
    { index: 3, name: 'add', fuel: 10, calls: 5, file: '/p/a.c', line: 18 },
    { index: 1, name: '_start', fuel: 1, calls: 1 },
    { index: 4, name: 'main', fuel: '90', calls: '1', file: '/p/a.c', line: 45 },
  ] });
  assert.deepEqual(f.forFile('/p/a.c').map((l) => l.line), [18, 45]);
  assert.match(f.forFile('/p/a.c')[1].text, /90 fuel \(90%\)/);
  f.update({ final: true, program: '/p/a.wasm', total: 10, functions: [{ index: 3, name: 'add', fuel: 10, calls: 5, file: '/p/a.c', line: 18 }] });
  assert.deepEqual(f.forFile('/p/a.c').map((l) => l.line), [18]);
  assert.deepEqual(f.forFile('/other.c'), []);
});
