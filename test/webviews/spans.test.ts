// The spans webview in headless Chromium, fed with real complete traces (hello.wasm, and escape.wasm
// whose host-call spans carry security and anomaly events): the tree, bars on the time axis,
// collapsing and expanding (mouse, keyboard, all), span details, the host told of a pick, state
// restore, and a big trace opening collapsed. Screenshots: test-artifacts/webviews/spans-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserMissing, buildWebview, launchBrowser, openWebview, waitForCount } from './webview-page';
import { sampleRuns, toWire } from './sample-runs';
import { SessionStart, SpansTrace, type CompleteTrace, type TraceNode } from '../../webviews/shared/protocol';

const missing = browserMissing();

function descendants(trace: CompleteTrace, id: string): number {
  const byId = new Map(trace.nodes.map((n) => [n.spanId, n]));
  let count = 0;
  const stack = [...(byId.get(id)?.children ?? [])];
  while (stack.length > 0) {
    count++;
    stack.push(...(byId.get(stack.pop()!)?.children ?? []));
  }
  return count;
}

/** A root with `fan` children, each with `fan` children: 1 + fan + fan^2 spans. */
function bigTrace(fan: number): CompleteTrace {
  const nodes: TraceNode[] = [];
  const node = (id: string, depth: number, parent: string | undefined, startMs: number, children: string[]): TraceNode => ({
    spanId: id,
    parentSpanId: parent,
    name: `span ${id}`,
    kind: 'internal',
    startMs,
    durationMs: 1,
    startTimeUnixMs: 1_700_000_000_000 + startMs,
    depth,
    status: 'unset',
    attributes: {},
    events: [],
    droppedEvents: 0,
    children,
  });
  const kids = Array.from({ length: fan }, (_, i) => `c${i}`);
  nodes.push(node('root', 0, undefined, 0, kids));
  for (let i = 0; i < fan; i++) {
    const grand = Array.from({ length: fan }, (_, j) => `c${i}g${j}`);
    nodes.push(node(kids[i], 1, 'root', i, grand));
    for (let j = 0; j < fan; j++) nodes.push(node(grand[j], 2, kids[i], i + j / fan, []));
  }
  return { traceId: 'f'.repeat(32), rootSpanIds: ['root'], startTimeUnixMs: 1_700_000_000_000, durationMs: fan + 1, spanCount: nodes.length, nodes, edges: [] };
}

test('spans webview: a real run\'s complete trace as a collapsible tree with duration bars', { skip: missing ?? false, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-wv-spans-'));
  let browser: Browser | undefined;
  t.after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const [runs] = await Promise.all([sampleRuns(), buildWebview('spans', dir)]);
  const hello = toWire(runs.hello).trace;
  const escape = toWire(runs.escape).trace;
  browser = await launchBrowser();

  const wv = await openWebview(browser, { name: 'spans', bundleDir: dir, theme: 'dark', width: 1000, height: 760 });
  const { page } = wv;
  await page.waitForSelector('.wv-empty');
  assert.deepEqual(await wv.posted(), [{ method: 'webview/ready', params: { view: 'spans' } }]);
  await wv.post(SessionStart.create({ name: 'hello.wasm', program: '/work/fixtures/c/hello.wasm' }));
  await wv.post(SpansTrace.create({ trace: hello }));
  await page.waitForSelector('[role=treeitem]');

  // One row per span, depth-first like the trace's nodes, levels from depth.
  const rows = page.locator('[role=treeitem]');
  assert.equal(await rows.count(), hello.nodes.length);
  const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-span-id')));
  assert.deepEqual(ids, hello.nodes.map((n) => n.spanId));
  const levels = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('aria-level'))));
  assert.deepEqual(levels, hello.nodes.map((n) => n.depth + 1));
  assert.match((await page.textContent('.wv-subtitle')) ?? '', new RegExp(`^${hello.spanCount} spans · `));

  // Bars: the root spans the whole axis; a child starts where its span starts.
  const root = hello.nodes[0];
  const trackWidth = await page.locator(`[data-span-id="${root.spanId}"] .span-track`).evaluate((e) => e.getBoundingClientRect().width);
  const rootBar = await page.locator(`[data-span-id="${root.spanId}"] .bar`).evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(Math.abs(rootBar - trackWidth * (root.durationMs / hello.durationMs)) < 2, `root bar ${rootBar} of ${trackWidth}`);
  const start = hello.nodes.find((n) => n.name === '_start')!;
  const startLeft = await page.locator(`[data-span-id="${start.spanId}"] .bar`).evaluate((e) => (e as unknown as { offsetLeft: number }).offsetLeft);
  assert.ok(Math.abs(startLeft - trackWidth * (start.startMs / hello.durationMs)) < 2, `_start bar at ${startLeft}`);
  await wv.screenshot('spans-dark.png');

  // Collapse `_start` with its twisty: its host-call spans go, a badge counts them; expand again.
  const hidden = descendants(hello, start.spanId);
  assert.ok(hidden > 0);
  await page.click(`[data-span-id="${start.spanId}"] .twisty`);
  assert.equal(await rows.count(), hello.nodes.length - hidden);
  assert.equal(await page.getAttribute(`[data-span-id="${start.spanId}"]`, 'aria-expanded'), 'false');
  assert.equal(await page.textContent(`[data-span-id="${start.spanId}"] .child-count`), String(start.children.length));
  await page.keyboard.press('ArrowRight');
  assert.equal(await rows.count(), hello.nodes.length);

  // Pick a host call: its attributes show, the host is told; arrows move the selection.
  const host = hello.nodes.find((n) => 'wasiscope.host.function' in n.attributes)!;
  await page.click(`[data-span-id="${host.spanId}"] .span-name`);
  await page.waitForSelector(`.details[data-span-id="${host.spanId}"]`);
  const details = (await page.textContent('.details')) ?? '';
  assert.ok(details.includes('wasiscope.host.function') && details.includes(String(host.attributes['wasiscope.host.function'])), details);
  const posted = (await wv.posted()) as { method: string; params: { spanId?: string } }[];
  assert.equal(posted.at(-1)?.method, 'spans/select');
  assert.equal(posted.at(-1)?.params.spanId, host.spanId);
  await page.keyboard.press('ArrowDown');
  const next = hello.nodes[hello.nodes.indexOf(host) + 1];
  await page.waitForSelector(`[data-span-id="${next.spanId}"][aria-selected="true"]`);
  await page.keyboard.press('ArrowLeft'); // a leaf: goes to its parent
  await page.waitForSelector(`[data-span-id="${next.parentSpanId}"][aria-selected="true"]`);

  // Zoom to `_start`: the axis fits its host calls, which become wide enough to see. Bars are at
  // least 2 px wide, so the check uses the longest host call (how long each took is the run's).
  const barWidth = (id: string): Promise<number> => page.locator(`[data-span-id="${id}"] .bar`).evaluate((e) => e.getBoundingClientRect().width);
  const kids = start.children.map((id) => hello.nodes.find((n) => n.spanId === id)!);
  const wide = kids.filter((k) => 'wasiscope.host.function' in k.attributes).reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
  const before = await barWidth(wide.spanId);
  await page.click(`[data-span-id="${start.spanId}"] .span-name`);
  await page.click('.zoom-in');
  const from = Math.min(...kids.map((k) => k.startMs));
  const to = Math.max(...kids.map((k) => k.startMs + k.durationMs));
  const zoomed = await barWidth(wide.spanId);
  const want = Math.max(2, trackWidth * (wide.durationMs / (to - from)));
  assert.ok(Math.abs(zoomed - want) < 2 && zoomed >= before && (want <= before + 1 || zoomed > before), `host bar ${before} -> ${zoomed} (want ${want})`);
  await wv.screenshot('spans-zoomed-dark.png');
  await page.click('.zoom-out');
  assert.ok(Math.abs((await barWidth(wide.spanId)) - before) < 0.5);

  await page.click('.collapse-all');
  assert.equal(await rows.count(), hello.rootSpanIds.length);
  await page.click('.expand-all');
  assert.equal(await rows.count(), hello.nodes.length);
  assert.deepEqual(await wv.problems(), []);

  // escape.wasm: spans with security and anomaly events; the state (collapsed, selection) restores.
  await wv.post(SessionStart.create({ name: 'escape.wasm', program: '/work/fixtures/c/escape.wasm' }));
  await wv.post(SpansTrace.create({ trace: escape }));
  await waitForCount(page, '[role=treeitem]', escape.nodes.length);
  const withEvents = escape.nodes.filter((n) => n.events.length > 0);
  assert.ok(withEvents.length > 0);
  assert.equal(await page.locator('.event-mark').count(), withEvents.reduce((a, n) => a + n.events.length, 0));
  assert.equal(await page.locator('.bar.kind-error').count(), escape.nodes.filter((n) => n.status === 'error' || n.attributes['wasiscope.host.denied'] === true).length);
  const flagged = withEvents.find((n) => n.events.some((e) => e.name === 'wasiscope.security'))!;
  await page.click(`[data-span-id="${flagged.spanId}"] .span-name`);
  await page.waitForSelector('.details .events li');
  const exportSpan = escape.nodes.find((n) => n.name === '_start')!;
  await page.click(`[data-span-id="${exportSpan.spanId}"] .twisty`);
  const again = await openWebview(browser, { name: 'spans', bundleDir: dir, theme: 'light', state: await wv.state(), width: 1000, height: 760 });
  await again.page.waitForSelector('[role=treeitem]');
  assert.equal(await again.page.locator('[role=treeitem]').count(), escape.nodes.length - descendants(escape, exportSpan.spanId));
  assert.equal(await again.page.getAttribute(`[data-span-id="${exportSpan.spanId}"]`, 'aria-expanded'), 'false');
  assert.equal(await again.page.getAttribute(`[data-span-id="${flagged.spanId}"]`, 'aria-selected'), null); // hidden under _start
  await again.page.click(`[data-span-id="${exportSpan.spanId}"] .twisty`);
  await again.page.waitForSelector(`[data-span-id="${flagged.spanId}"][aria-selected="true"]`);
  await again.page.locator(`[role=treeitem][data-span-id="${flagged.spanId}"]`).scrollIntoViewIfNeeded();
  assert.deepEqual(await again.problems(), []);
  await again.screenshot('spans-escape-light.png');

  // A big trace opens with only its first two levels: 1 + 20 of 421 rows.
  const big = bigTrace(20);
  await wv.post(SpansTrace.create({ trace: big }));
  await waitForCount(page, '[role=treeitem]', 21);
  await page.click('.expand-all');
  assert.equal(await rows.count(), big.nodes.length);
});
