// The audit webview in headless Chromium, fed with real runs: escape.wasm (sandbox escapes, denied
// calls) against the baseline of hello.wasm. Rows, highlights, drift, the filter (and its message to
// the host), revealing a flagged call, state restore, a long run's cap. Screenshots:
// test-artifacts/webviews/audit-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserMissing, buildWebview, launchBrowser, openWebview, waitForCount, type WebviewPage } from './webview-page';
import { sampleRuns, toWire, type WireRun } from './sample-runs';
import { AuditAnomaly, AuditBaseline, AuditCapability, AuditSecurity, SessionStart, SessionStatusChanged, type BaselineSummary } from '../../webviews/shared/protocol';

const missing = browserMissing();

async function feed(wv: WebviewPage, name: string, run: WireRun, baseline: BaselineSummary | null): Promise<void> {
  await wv.post(SessionStart.create({ name, program: `/work/fixtures/c/${name}` }));
  await wv.post(AuditBaseline.create({ baseline }));
  // In two batches, as a live session delivers them.
  const half = Math.floor(run.capabilities.length / 2);
  await wv.post(AuditCapability.create({ events: run.capabilities.slice(0, half) }));
  await wv.post(AuditCapability.create({ events: run.capabilities.slice(half) }));
  await wv.post(AuditSecurity.create({ events: run.security }));
  await wv.post(AuditAnomaly.create({ events: run.anomalies }));
  await wv.post(SessionStatusChanged.create({ status: 'exited', exitCode: run.exitCode }));
  await wv.settle();
}

test('audit webview: decoded calls, security events, anomalies, drift and the filter on real runs', { skip: missing ?? false, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-wv-audit-'));
  let browser: Browser | undefined;
  t.after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const [runs] = await Promise.all([sampleRuns(), buildWebview('audit', dir)]);
  const escape = toWire(runs.escape);
  const hello = toWire(runs.hello);
  const denied = escape.capabilities.filter((c) => c.denied);
  assert.ok(denied.length > 0 && escape.security.length > 0 && escape.anomalies.length > 0, 'escape.wasm gives denied calls, security events and anomalies');
  browser = await launchBrowser();

  const wv = await openWebview(browser, { name: 'audit', bundleDir: dir, theme: 'dark', width: 1100, height: 900 });
  const { page } = wv;
  await page.waitForSelector('.wv-empty');
  assert.deepEqual(await wv.posted(), [{ method: 'webview/ready', params: { view: 'audit' } }]);
  await feed(wv, 'escape.wasm', escape, runs.baseline);

  // Every call is a row, in order, decoded.
  const seqs = await page.$$eval('.audit-table tbody tr', (trs) => trs.map((tr) => Number((tr as unknown as { dataset: { seq: string } }).dataset.seq)));
  assert.deepEqual(seqs, escape.capabilities.map((c) => c.seq));
  const first = escape.capabilities[0];
  const firstRow = (await page.textContent(`tr[data-seq="${first.seq}"]`)) ?? '';
  assert.ok(firstRow.includes(first.func) && firstRow.includes(first.errnoName), firstRow);
  for (const [k, v] of Object.entries(first.args)) if (typeof v === 'string') assert.ok(firstRow.includes(`${k}=${JSON.stringify(v)}`), `${k} in ${firstRow}`);

  // Highlights: denied rows, rows with a security event or an anomaly, and the alert list.
  assert.equal(await page.locator('tr.denied').count(), denied.length);
  const flaggedSeqs = new Set([...escape.security, ...escape.anomalies].map((e) => e.capabilitySeq));
  assert.equal(await page.locator('tr.flagged').count(), flaggedSeqs.size);
  assert.equal(await page.locator('.alerts .alert-security').count(), escape.security.length);
  assert.equal(await page.locator('.alerts .alert-anomaly').count(), escape.anomalies.length);
  assert.equal(await page.textContent('.chip-denied .chip-count'), String(denied.length));
  assert.equal(await page.textContent('.chip-calls .chip-count'), String(escape.capabilities.length));

  // Drift against hello's baseline: the functions and paths hello never used.
  const usedFns = new Set(escape.capabilities.map((c) => c.func));
  const newFns = [...usedFns].filter((f) => !(f in runs.baseline.functions));
  assert.ok(newFns.length > 0);
  assert.equal(await page.locator('.drift.has-drift [data-drift="new-function"]').count(), newFns.length);
  const driftText = (await page.textContent('.drift')) ?? '';
  for (const f of newFns) assert.ok(driftText.includes(`${f} called`), `${f} in drift`);
  assert.ok((await page.locator('[data-drift="new-path"]').count()) > 0);
  assert.ok(driftText.includes('Drift against hello.baseline.json'));
  await wv.screenshot('audit-dark.png');

  // The filter: rows that match only, the count, and the host told (debounced).
  await page.fill('.filter-text', 'enotcapable');
  const notcap = escape.capabilities.filter((c) => c.errnoName === 'ENOTCAPABLE');
  assert.ok(notcap.length > 0);
  await waitForCount(page, '.audit-table tbody tr', notcap.length);
  assert.equal(await page.textContent('.shown-count'), `${notcap.length} of ${notcap.length} matching`);
  await page.waitForFunction(() => (globalThis as unknown as { __posted: { method: string }[] }).__posted.some((m) => m.method === 'audit/filter'));
  const posted = (await wv.posted()) as { method: string; params: unknown }[];
  assert.deepEqual(posted.filter((m) => m.method === 'audit/filter').at(-1), { method: 'audit/filter', params: { filter: { text: 'enotcapable', show: 'all' } } });
  await page.selectOption('.filter-show', 'denied');
  const both = notcap.filter((c) => c.denied);
  assert.equal(await page.locator('.audit-table tbody tr').count(), both.length);
  await wv.screenshot('audit-filtered-dark.png');
  await page.fill('.filter-text', 'no call is named like this');
  await page.waitForSelector('.table-wrap .wv-empty');
  await page.fill('.filter-text', '');
  await page.selectOption('.filter-show', 'all');

  // Following an alert reveals its call.
  const alertSeq = escape.security[0].capabilitySeq;
  await page.click(`.alert-security[data-seq="${alertSeq}"] .seq-link`);
  await page.waitForSelector(`tr.revealed[data-seq="${alertSeq}"]`);
  assert.deepEqual(await wv.problems(), []);

  // Reloaded (light theme): rows, filter and baseline come back from getState.
  await page.selectOption('.filter-show', 'flagged');
  const again = await openWebview(browser, { name: 'audit', bundleDir: dir, theme: 'light', state: await wv.state(), width: 1100, height: 900 });
  await again.page.waitForSelector('.audit-table');
  assert.equal(await again.page.inputValue('.filter-show'), 'flagged');
  assert.equal(await again.page.locator('.audit-table tbody tr').count(), flaggedSeqs.size);
  assert.equal(await again.page.locator('.drift.has-drift').count(), 1);
  await again.page.selectOption('.filter-show', 'all');
  assert.deepEqual(await again.problems(), []);
  await again.screenshot('audit-light.png');

  // hello against its own baseline: no drift, no alerts.
  const same = await openWebview(browser, { name: 'audit', bundleDir: dir, theme: 'light', width: 1100, height: 700 });
  await feed(same, 'hello.wasm', hello, runs.baseline);
  assert.equal(await same.page.locator('.drift.no-drift').count(), 1);
  assert.equal(await same.page.locator('.alerts').count(), 0);
  assert.equal(await same.page.locator('.audit-table tbody tr').count(), hello.capabilities.length);
  await same.screenshot('audit-no-drift-light.png');

  // A long run: the panel keeps the most recent rows and draws the last matches, and says so.
  const big = await openWebview(browser, { name: 'audit', bundleDir: dir, theme: 'dark' });
  await big.post(SessionStart.create({ name: 'long run', program: 'x.wasm' }));
  const template = hello.capabilities;
  for (let batch = 0; batch < 5; batch++) {
    const events = Array.from({ length: 1000 }, (_, i) => ({ ...template[i % template.length], seq: batch * 1000 + i + 1 }));
    await big.post(AuditCapability.create({ events }));
  }
  await big.settle();
  assert.equal(await big.page.locator('.audit-table tbody tr').count(), 500);
  assert.equal(await big.page.textContent('.chip-calls .chip-count'), '5,000');
  assert.match((await big.page.textContent('.shown-count')) ?? '', /^500 of 2,000 matching \(last 2,000 kept of 5,000\)$/);
  assert.equal(await big.page.getAttribute('.audit-table tbody tr:last-child', 'data-seq'), '5000');
});
