// The panels' whole path without VS Code: the real debug adapter (dist/debugAdapter.js, under
// DebugClient) runs escape.wasm in a read-only sandbox against hello.wasm's baseline; its custom
// events go, as they arrive, through the extension's PanelFeed into the three webviews in Chromium,
// on the page the panels serve. Then a panel opened after the run catches up through replay.
// Screenshots: test-artifacts/webviews/panels-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { browserMissing, buildWebview, launchBrowser, openWebview, repoRoot, waitForCount, type WebviewPage } from './webview-page';
import { sampleRuns } from './sample-runs';
import { buildBaseline, saveBaseline } from '../../debug-adapter/wasi/anomaly-detector';
import { PanelFeed, toBaselineSummary } from '../../extension/panels/panel-feed';
import type { WebviewName } from '../../webviews/shared/protocol';

const adapter = join(repoRoot, 'dist', 'debugAdapter.js');
const missing = browserMissing() ?? (existsSync(adapter) ? null : 'dist/debugAdapter.js is missing: build first (npm test does)');

test('the debug adapter\'s custom events reach the three panels through the PanelFeed', { skip: missing ?? false, timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-wv-panels-'));
  let browser: Browser | undefined;
  let dc: DebugClient | undefined;
  const feed = new PanelFeed(50);
  t.after(async () => {
    feed.dispose();
    await dc?.stop().catch(() => undefined);
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const views: WebviewName[] = ['gauges', 'audit', 'spans'];
  const [runs] = await Promise.all([sampleRuns(), ...views.map((v) => buildWebview(v, dir))]);
  const baselineFile = join(dir, 'hello.baseline.json');
  saveBaseline(baselineFile, buildBaseline(runs.hello.events));
  const sandbox = join(dir, 'sandbox');
  mkdirSync(sandbox);
  browser = await launchBrowser();

  // The panels, open before the run, each fed in order.
  const pages = {} as Record<WebviewName, WebviewPage>;
  let chain: Promise<void> = Promise.resolve();
  for (const v of views) {
    pages[v] = await openWebview(browser, { name: v, bundleDir: dir, theme: 'dark', width: 1100, height: 760 });
    feed.subscribe(v, (m) => {
      chain = chain.then(() => pages[v].post(m));
    });
  }

  dc = new DebugClient('node', adapter, 'wasi', { cwd: repoRoot }, true);
  dc.defaultTimeout = 30_000;
  await dc.start();
  const custom: { event: string; body: unknown }[] = [];
  for (const name of ['wasiscope/fuel', 'wasiscope/memory', 'wasiscope/capability', 'wasiscope/anomaly', 'wasiscope/trace', 'wasiscope/functions']) {
    dc.on(name, (e: DebugProtocol.Event) => {
      custom.push({ event: name, body: e.body });
      feed.onCustomEvent(name, e.body);
    });
  }
  let exitCode: number | undefined;
  dc.on('exited', (e: DebugProtocol.ExitedEvent) => (exitCode = e.body.exitCode));
  const program = join(repoRoot, 'fixtures', 'c', 'escape.wasm');
  feed.startSession({ name: 'Debug escape.wasm', program }, toBaselineSummary('hello.baseline.json', JSON.parse(readFileSync(baselineFile, 'utf8'))));
  const launch = { program, args: ['/sandbox'], preopens: [{ path: sandbox, guest: '/sandbox', mode: 'ro' }], baseline: baselineFile, sampleEvery: 2000 };
  await Promise.all([dc.configurationSequence(), dc.launch(launch as DebugProtocol.LaunchRequestArguments), dc.waitForEvent('terminated')]);
  feed.setStatus({ status: 'exited', exitCode });
  feed.flush();
  await chain;

  const bodies = (name: string): Record<string, unknown>[] => custom.filter((c) => c.event === name).map((c) => c.body as Record<string, unknown>);
  const caps = bodies('wasiscope/capability').filter((b) => b.kind !== 'security');
  const security = bodies('wasiscope/capability').filter((b) => b.kind === 'security');
  const anomalies = bodies('wasiscope/anomaly');
  const trace = bodies('wasiscope/trace')[0] as { nodes: unknown[] } | undefined;
  assert.ok(caps.length > 50 && security.length > 0 && anomalies.length > 0, `adapter sent ${caps.length} calls, ${security.length} security events, ${anomalies.length} anomalies`);
  assert.ok(trace, 'the adapter sent no wasiscope/trace');
  assert.ok(bodies('wasiscope/fuel').length > 0, 'the adapter sent no wasiscope/fuel');

  const audit = pages.audit.page;
  await waitForCount(audit, '.audit-table tbody tr', caps.length);
  assert.equal(await audit.locator('.alerts .alert-security').count(), security.length);
  assert.equal(await audit.locator('.alerts .alert-anomaly').count(), anomalies.length);
  assert.equal(await audit.locator('tr.denied').count(), caps.filter((c) => c.denied === true).length);
  assert.equal(await audit.locator('.drift.has-drift').count(), 1);
  assert.equal(await audit.getAttribute('.wv-status', 'data-status'), 'exited');
  await pages.audit.screenshot('panels-audit-from-adapter.png');

  const gauges = pages.gauges.page;
  await gauges.waitForSelector('[data-gauge="fuel-consumed"] .sparkline polyline');
  assert.notEqual(await gauges.textContent('[data-gauge="fuel-consumed"] .gauge-value'), '-');
  assert.equal(await gauges.textContent('.wv-status'), `exited (${exitCode})`);
  await pages.gauges.screenshot('panels-gauges-from-adapter.png');

  await waitForCount(pages.spans.page, '[role=treeitem]', trace.nodes.length);
  await pages.spans.screenshot('panels-spans-from-adapter.png');
  for (const v of views) assert.deepEqual(await pages[v].problems(), [], v);

  // A panel opened after the run (or reloaded) catches up from the feed.
  const late = await openWebview(browser, { name: 'audit', bundleDir: dir, theme: 'light', width: 1100, height: 760 });
  for (const m of feed.replay('audit')) await late.post(m);
  await waitForCount(late.page, '.audit-table tbody tr', caps.length);
  assert.equal(await late.page.textContent('.chip-calls .chip-count'), String(caps.length));
  await late.screenshot('panels-audit-replayed-light.png');
});
