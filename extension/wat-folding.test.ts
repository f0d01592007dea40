import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watFoldingRanges } from './wat-folding';

test('folds nested s-expressions, not parentheses in strings or comments', () => {
  const src = [
    '(module',                      // 0
    '  (func $f (result i32)',      // 1
    '    ;; a comment with ( paren', // 2
    '    (i32.add',                 // 3
    '      (i32.const 1)',          // 4
    '      (i32.const 2)))',        // 5
    '  (data "(((" )',              // 6
    '  (; block ( ;) comment ;)',   // 7
    ')',                            // 8
  ].join('\n');
  assert.deepEqual(watFoldingRanges(src), [
    { start: 0, end: 7 },
    { start: 1, end: 5 },
    { start: 3, end: 5 },
  ]);
});
