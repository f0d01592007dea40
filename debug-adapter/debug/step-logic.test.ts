// Stepping decisions: step over/into/out across calls, returns, recursion, prologues and code
// without line information.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SITE, stepArming, stepStopsAt, type StepStart } from './step-logic';

const LINE = SITE.LINE;
const at = (depth: number, line: number, funcIndex: number, flags: number = LINE) => ({ depth, line, funcIndex, flags });

test('step over: stays in the frame, passes over callees, stops on the next line or in the caller', () => {
  const s: StepStart = { mode: 'over', depth: 2, line: 41, funcIndex: 5 };
  assert.equal(stepStopsAt(s, at(3, 19, 4)), false, 'callee line');
  assert.equal(stepStopsAt(s, at(2, 41, 5, SITE.RETURN)), false, 'return point on the same line');
  assert.equal(stepStopsAt(s, at(2, 41, 5)), false, 'same line again');
  assert.equal(stepStopsAt(s, at(2, 40, 5)), true, 'next line (loop increment)');
  assert.equal(stepStopsAt(s, at(1, 56, 6, SITE.RETURN)), true, 'returned: caller line');
  assert.equal(stepStopsAt(s, at(2, 0, 5)), false, 'no line information');
});

test('step over in recursion: the recursive call is passed over', () => {
  const s: StepStart = { mode: 'over', depth: 3, line: 30, funcIndex: 3 };
  assert.equal(stepStopsAt(s, at(4, 28, 3)), false);
  assert.equal(stepStopsAt(s, at(4, 29, 3)), false);
  assert.equal(stepStopsAt(s, at(3, 30, 3, SITE.RETURN)), false);
  assert.equal(stepStopsAt(s, at(2, 30, 3, SITE.RETURN)), true);
});

test('step into: stops at the callee first statement, not in its prologue', () => {
  const s: StepStart = { mode: 'in', depth: 2, line: 41, funcIndex: 5 };
  assert.equal(stepStopsAt(s, at(3, 18, 4, LINE | SITE.ENTRY | SITE.PROLOGUE)), false);
  assert.equal(stepStopsAt(s, at(3, 19, 4)), true);
  assert.equal(stepStopsAt(s, at(3, 0, 9, SITE.ENTRY)), false, 'library code without lines');
  assert.equal(stepStopsAt(s, at(2, 40, 5)), true, 'no call on the line: next line');
});

test('step out: the first site in a caller', () => {
  const s: StepStart = { mode: 'out', depth: 3, line: 19, funcIndex: 4 };
  assert.equal(stepStopsAt(s, at(3, 20, 4)), false);
  assert.equal(stepStopsAt(s, at(4, 24, 7)), false);
  assert.equal(stepStopsAt(s, at(2, 41, 5, SITE.RETURN)), true);
});

test('arming: step-in arms everything, the others the functions on the stack', () => {
  assert.equal(stepArming('in', [4, 5, 6]), 'all');
  assert.deepEqual([...(stepArming('over', [4, 5, 6, 5]) as Set<number>)].sort(), [4, 5, 6]);
  assert.deepEqual([...(stepArming('out', [4, 5, 6]) as Set<number>)].sort(), [5, 6], 'stepping out leaves the current function unarmed');
  assert.deepEqual([...(stepArming('out', [3, 3, 6]) as Set<number>)].sort(), [3, 6], 'unless it is its own caller');
});
