// Fuel profiles: speedscope structure checked against the required fields of speedscope's
// file-format-schema.json, weights against the input, and folded stacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFoldedStacks, buildSpeedscopeProfile, SPEEDSCOPE_SCHEMA, type SpeedscopeFile } from './profile';
import { callTreeFromStacks, countNodes, exclusiveFuel, forEachNode, type CallTreeNode } from './call-tree';

// Required fields and enums, as in https://www.speedscope.app/file-format-schema.json.
const REQUIRED = {
  file: ['$schema', 'profiles', 'shared'],
  frame: ['name'],
  sampled: ['endValue', 'name', 'samples', 'startValue', 'type', 'unit', 'weights'],
};
const UNITS = ['bytes', 'microseconds', 'milliseconds', 'nanoseconds', 'none', 'seconds'];

function validateSpeedscope(f: SpeedscopeFile): string[] {
  const errs: string[] = [];
  const obj = f as unknown as Record<string, unknown>;
  for (const k of REQUIRED.file) if (!(k in obj)) errs.push(`file.${k} missing`);
  if (f.$schema !== SPEEDSCOPE_SCHEMA) errs.push('bad $schema');
  if (!Array.isArray(f.shared?.frames)) errs.push('shared.frames not an array');
  for (const [i, fr] of f.shared.frames.entries()) {
    for (const k of REQUIRED.frame) if (!(k in fr)) errs.push(`frame ${i}.${k} missing`);
    if (typeof fr.name !== 'string') errs.push(`frame ${i}.name not a string`);
  }
  for (const [i, p] of f.profiles.entries()) {
    const po = p as unknown as Record<string, unknown>;
    for (const k of REQUIRED.sampled) if (!(k in po)) errs.push(`profile ${i}.${k} missing`);
    if (p.type !== 'sampled') errs.push(`profile ${i} type`);
    if (!UNITS.includes(p.unit)) errs.push(`profile ${i} unit`);
    if (typeof p.startValue !== 'number' || typeof p.endValue !== 'number' || p.endValue < p.startValue) errs.push(`profile ${i} values`);
    if (p.samples.length !== p.weights.length) errs.push(`profile ${i}: samples and weights differ in length`);
    for (const s of p.samples) for (const fi of s) if (!Number.isInteger(fi) || fi < 0 || fi >= f.shared.frames.length) errs.push(`profile ${i}: bad frame index ${fi}`);
    for (const w of p.weights) if (typeof w !== 'number' || !(w >= 0)) errs.push(`profile ${i}: bad weight ${w}`);
  }
  if (f.activeProfileIndex !== undefined && (f.activeProfileIndex < 0 || f.activeProfileIndex >= f.profiles.length)) errs.push('activeProfileIndex');
  return errs;
}

const tree: CallTreeNode[] = [
  {
    name: '_start',
    calls: 1,
    fuelInclusive: 1000n,
    children: [
      {
        name: 'main',
        calls: 1,
        fuelInclusive: 990n,
        children: [
          { name: 'fib', calls: 10, fuelInclusive: 600n, children: [{ name: 'fib', calls: 8, fuelInclusive: 400n, children: [] }] },
          { name: 'print', calls: 2, fuelInclusive: 90n, children: [] },
        ],
      },
    ],
  },
];

test('speedscope file from a call tree, stacks and a flat list: valid and weights add up', () => {
  const functions = [
    { name: 'fib', fuelExclusive: 600n },
    { name: 'main', fuelExclusive: 300n },
    { name: 'print', fuelExclusive: 90n },
    { name: '_start', fuelExclusive: 10n },
    { name: 'never', fuelExclusive: 0n },
  ];
  const stacks = [
    { frames: ['_start', 'main', 'fib'], weight: 200n },
    { frames: ['_start', 'main', 'fib', 'fib'], weight: 400 },
  ];
  const file = buildSpeedscopeProfile({ name: 'fib.wasm', functions, callTree: tree, stacks, file: 'fib.wasm', exporter: 'wasiscope 0.1.0' });
  assert.deepEqual(validateSpeedscope(file), []);
  assert.equal(file.profiles.length, 3);
  const [byStack, byPath, flat] = file.profiles;
  assert.match(byStack.name, /call stack/);
  assert.equal(byStack.endValue, 600);
  // Call-tree profile: one sample per path with exclusive fuel > 0; weights sum to the root's inclusive.
  assert.equal(byPath.endValue, 1000);
  const names = (s: number[]): string => s.map((i) => file.shared.frames[i].name).join(';');
  assert.deepEqual(
    byPath.samples.map(names).sort(),
    ['_start', '_start;main', '_start;main;fib', '_start;main;fib;fib', '_start;main;print'].sort(),
  );
  const weightOf = (p: typeof byPath, stack: string): number => p.weights[p.samples.findIndex((s) => names(s) === stack)];
  assert.equal(weightOf(byPath, '_start;main'), 300);
  assert.equal(weightOf(byPath, '_start;main;fib'), 200);
  assert.equal(flat.endValue, 1000);
  assert.equal(flat.samples.length, 4);
  assert.equal(new Set(file.shared.frames.map((f) => f.name)).size, file.shared.frames.length);
  assert.ok(file.shared.frames.every((f) => f.file === 'fib.wasm'));
  // Round trip through JSON (what gets written to disk).
  assert.deepEqual(JSON.parse(JSON.stringify(file)), file);
});

test('a run with no fuel still gives a valid (empty) file', () => {
  const file = buildSpeedscopeProfile({ name: 'empty' });
  assert.deepEqual(validateSpeedscope(file), []);
  assert.equal(file.profiles[0].samples.length, 0);
});

test('folded stacks and the call tree built from sampled stacks agree', () => {
  const stacks = [
    { frames: ['a', 'b'], weight: 5n },
    { frames: ['a', 'b', 'c;x'], weight: 7n },
    { frames: ['a'], weight: 1n },
    { frames: ['a', 'b'], weight: 2n },
  ];
  assert.equal(buildFoldedStacks({ name: 'x', stacks }), 'a;b 7\na;b;c_x 7\na 1\n');
  const t = callTreeFromStacks(stacks);
  assert.equal(countNodes(t), 3);
  assert.equal(t[0].fuelInclusive, 15n);
  assert.equal(exclusiveFuel(t[0]), 1n);
  assert.equal(exclusiveFuel(t[0].children[0]), 7n);
  assert.equal(buildFoldedStacks({ name: 'x', callTree: tree }).split('\n').filter(Boolean).length, 5);
  assert.equal(buildFoldedStacks({ name: 'x', functions: [{ name: 'f', fuelExclusive: 3n }] }), 'f 3\n');
});

test('tree traversal handles deep recursion without overflowing the stack', () => {
  let node: CallTreeNode = { name: 'leaf', calls: 1, fuelInclusive: 1n, children: [] };
  for (let i = 0; i < 50_000; i++) node = { name: 'rec', calls: 1, fuelInclusive: node.fuelInclusive + 1n, children: [node] };
  let maxDepth = 0;
  forEachNode([node], (_n, depth, ancestors) => {
    assert.equal(ancestors.length, depth);
    maxDepth = Math.max(maxDepth, depth);
  });
  assert.equal(maxDepth, 50_000);
  assert.match(buildFoldedStacks({ name: 'deep', callTree: [{ name: 'r', calls: 1, fuelInclusive: 3n, children: [{ name: 's', calls: 1, fuelInclusive: 2n, children: [] }] }] }), /^r 1\nr;s 2\n$/);
});
