// The offset map on its own: merging of straight segments, injected and re-encoded segments, and
// lookups at every boundary, both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OffsetMapBuilder } from './offset-map';

test('copied code maps byte for byte, injected code maps to the instruction after it', () => {
  const b = new OffsetMapBuilder(2);
  b.point(100, 200); // copy [100, 110) -> [200, 210)
  b.point(110, 210); // injected 5 bytes before the instruction at 110
  b.point(110, 215); // copy [110, 120) -> [215, 225)
  b.point(120, 225); // re-encoded: 2 bytes -> 5 bytes
  b.point(122, 230); // copy to the end
  const m = b.finish(130, 238);
  assert.equal(m.toInstrumented(100), 200);
  assert.equal(m.toInstrumented(105), 205);
  assert.equal(m.toInstrumented(110), 215, 'the instruction, not the code injected before it');
  assert.equal(m.toInstrumented(121), 225, 'inside a re-encoded instruction: its start');
  assert.equal(m.toInstrumented(125), 233);
  assert.equal(m.toInstrumented(130), -1);
  assert.equal(m.toInstrumented(99), -1);
  assert.equal(m.toOriginal(212), 110, 'injected code belongs to the instruction it precedes');
  assert.equal(m.isInjected(212), true);
  assert.equal(m.isInjected(215), false);
  assert.equal(m.toOriginal(227), 120);
  assert.equal(m.toOriginal(236), 128);
  assert.equal(m.toOriginal(238), -1);
});

test('collinear points merge; barriers keep separately-placed segments apart', () => {
  const b = new OffsetMapBuilder(2);
  for (let i = 0; i < 100; i++) b.point(i * 3, 1000 + i * 3);
  assert.equal(b.count, 2, 'one straight segment: its start and the last point');
  b.barrier();
  b.point(300, 2000);
  b.point(310, 2010);
  assert.equal(b.count, 4, 'points after the barrier are not merged into the segment before it');
  b.shiftFrom(2, 5);
  const m = b.finish(320, 2025);
  assert.equal(m.toInstrumented(150), 1150);
  assert.equal(m.toInstrumented(305), 2010);
  assert.equal(m.toOriginal(2016), 311);
});
