// The gauges webview in headless Chromium, fed with a real run's fuel samples and memory grows
// (lzpack.wasm through the runtime): gauges and sparklines update as batches arrive, the state
// restores after a reload, nothing breaks the CSP. Screenshots: test-artifacts/webviews/gauges-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserMissing, buildWebview, launchBrowser, openWebview } from './webview-page';
import { sampleRuns, toWire } from './sample-runs';
import { GaugesMemory, GaugesSample, SessionStart, SessionStatusChanged } from '../../webviews/shared/protocol';

const missing = browserMissing();

test('gauges webview: live fuel rate, fuel consumed and memory from a real run', { skip: missing ?? false, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-wv-gauges-'));
  let browser: Browser | undefined;
  t.after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const [runs] = await Promise.all([sampleRuns(), buildWebview('gauges', dir)]);
  const busy = toWire(runs.busy);
  assert.ok(busy.samples.length >= 20, `lzpack gave ${busy.samples.length} fuel samples`);
  assert.ok(busy.memory.length >= 1, 'lzpack grows its memory');
  browser = await launchBrowser();

  const wv = await openWebview(browser, { name: 'gauges', bundleDir: dir, theme: 'dark', width: 900, height: 420 });
  const { page } = wv;
  assert.deepEqual(await wv.posted(), [{ method: 'webview/ready', params: { view: 'gauges' } }]);
  await page.waitForSelector('[data-gauge="fuel-rate"]');
  assert.equal(await page.textContent('[data-gauge="fuel-rate"] .gauge-value'), '-');
  await wv.screenshot('gauges-empty-dark.png');

  const limit = 400_000_000;
  await wv.post(SessionStart.create({ name: 'Debug lzpack.wasm', program: '/work/fixtures/c/lzpack.wasm', fuelLimit: limit }));
  await wv.post(GaugesMemory.create({ events: busy.memory }));
  const half = Math.floor(busy.samples.length / 2);
  await wv.post(GaugesSample.create({ samples: busy.samples.slice(0, half) }));
  await wv.settle();
  assert.match((await page.textContent('[data-gauge="fuel-rate"] .gauge-value')) ?? '', /^[\d.]+ [kMG]? ?fuel\/s$/);
  assert.equal(await page.getAttribute('.wv-status', 'data-status'), 'running');
  const pointsAt = async (kind: string): Promise<number> =>
    ((await page.getAttribute(`.sparkline[data-kind="${kind}"] polyline`, 'points')) ?? '').trim().split(/\s+/).length;
  const firstPoints = await pointsAt('fuel-consumed');
  assert.equal(firstPoints, half);

  await wv.post(GaugesSample.create({ samples: busy.samples.slice(half) }));
  await wv.post(SessionStatusChanged.create({ status: 'exited', exitCode: busy.exitCode }));
  await wv.settle();
  const last = busy.samples[busy.samples.length - 1];
  assert.equal(await pointsAt('fuel-consumed'), busy.samples.length, 'the sparkline grew with the second batch');
  const detail = (await page.textContent('[data-gauge="fuel-consumed"] .gauge-detail')) ?? '';
  assert.ok(detail.includes(last.consumed.toLocaleString('en-US')), detail);
  assert.ok(detail.includes('% of the 400 M limit'), detail);
  const arc = await page.getAttribute('[data-gauge="fuel-rate"] .arc-fill', 'data-fraction');
  assert.ok(arc !== null && Number(arc) > 0 && Number(arc) <= 1, `arc fraction ${arc}`);
  const pages = busy.memory[busy.memory.length - 1].afterPages;
  assert.equal(await page.textContent('[data-gauge="memory"] .gauge-value'), `${((pages * 65536) / 1048576).toFixed(2)} MiB`);
  assert.match((await page.textContent('[data-gauge="memory"] .gauge-detail')) ?? '', new RegExp(`^${pages} pages · ${busy.memory.length} grows`));
  assert.equal(await page.textContent('.wv-status'), `exited (${busy.exitCode})`);
  assert.deepEqual(await wv.problems(), []);
  await wv.screenshot('gauges-dark.png');

  // Hidden and shown again (or VS Code reloaded): the same picture from getState, in the light theme.
  const saved = await wv.state();
  const again = await openWebview(browser, { name: 'gauges', bundleDir: dir, theme: 'light', state: saved, width: 900, height: 420 });
  await again.page.waitForSelector('[data-gauge="memory"] .sparkline');
  assert.equal(await again.page.textContent('[data-gauge="fuel-consumed"] .gauge-value'), await page.textContent('[data-gauge="fuel-consumed"] .gauge-value'));
  assert.equal(await again.page.textContent('.wv-status'), `exited (${busy.exitCode})`);
  assert.deepEqual(await again.problems(), []);
  await again.screenshot('gauges-light.png');
});
