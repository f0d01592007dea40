// The gauges webview: live fuel rate (an arc gauge and a sparkline), fuel consumed (against the
// launch's fuel limit when there is one) and linear memory size (a step sparkline over fuel), fed
// by `gauges/sample` and `gauges/memory` messages. State survives hiding and reloads via setState.
import '../shared/base.css';
import './gauges.css';
import {
  GaugesMemory,
  GaugesSample,
  MAX_SAMPLES,
  SessionStart,
  SessionStatusChanged,
  WebviewReady,
  type FuelSample,
  type GaugesState,
  type MemorySample,
} from '../shared/protocol';
import { formatBytes, formatInt, formatSi, h, keepLast, replaceChildren, s, vscodeApi } from '../shared/dom';

const PAGE = 65536;
const vscode = vscodeApi<GaugesState>();

const initial: GaugesState = { session: null, status: 'idle', samples: [], memory: [] };
let state: GaugesState = { ...initial, ...(vscode.getState() ?? {}) };

// ---------------------------------------------------------------------------------------------
// Derived figures

interface RatePoint {
  elapsedMs: number;
  rate: number;
}

/** Samples a rate spans: samples arrive in bursts (the runtime batches events), so the rate
 *  between two neighbours jumps around; over a few it reads like a speedometer. */
const RATE_WINDOW = 4;

/** Fuel per second at each sample, over the last RATE_WINDOW samples. */
function rates(samples: readonly FuelSample[]): RatePoint[] {
  const out: RatePoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const j = Math.max(0, i - RATE_WINDOW);
    const dt = samples[i].elapsedMs - samples[j].elapsedMs;
    if (dt <= 0) continue;
    out.push({ elapsedMs: samples[i].elapsedMs, rate: Math.max(0, ((samples[i].consumed - samples[j].consumed) * 1000) / dt) });
  }
  return out;
}

/** The smallest 1/2/5 x 10^n at or above x, so the gauge scale moves in readable steps. */
function niceCeil(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function currentPages(memory: readonly MemorySample[]): number | null {
  for (let i = memory.length - 1; i >= 0; i--) {
    const m = memory[i];
    if (m.memory !== 0) continue;
    return m.afterPages >= 0 ? m.afterPages : m.beforePages;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Drawing

const SPARK_W = 240;
const SPARK_H = 44;

/** A sparkline of ys over xs; `step` draws a staircase (memory only changes at grows). */
function sparkline(kind: string, xs: number[], ys: number[], step = false): SVGSVGElement {
  const svg = s('svg', { class: 'sparkline', viewBox: `0 0 ${SPARK_W} ${SPARK_H}`, preserveAspectRatio: 'none', 'data-kind': kind, role: 'img' });
  if (xs.length === 0) return svg;
  const x0 = xs[0];
  const x1 = xs[xs.length - 1];
  const yMax = Math.max(...ys) || 1;
  const sx = (x: number): number => (x1 === x0 ? SPARK_W : ((x - x0) / (x1 - x0)) * SPARK_W);
  const sy = (y: number): number => SPARK_H - 2 - (y / yMax) * (SPARK_H - 4);
  const pts: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (step && i > 0) pts.push(`${sx(xs[i]).toFixed(1)},${sy(ys[i - 1]).toFixed(1)}`);
    pts.push(`${sx(xs[i]).toFixed(1)},${sy(ys[i]).toFixed(1)}`);
  }
  if (xs.length === 1) pts.unshift(`0,${sy(ys[0]).toFixed(1)}`);
  const area = `0,${SPARK_H} ${pts.join(' ')} ${SPARK_W},${SPARK_H}`;
  svg.append(s('polygon', { class: 'sparkline-area', points: area }), s('polyline', { class: 'sparkline-line', points: pts.join(' ') }));
  return svg;
}

/** A 180-degree arc gauge filled to `fraction` (0..1). */
function arcGauge(fraction: number): SVGSVGElement {
  const f = Math.min(1, Math.max(0, fraction));
  const r = 40;
  const cx = 50;
  const cy = 48;
  const arc = (t: number): string => {
    const a = Math.PI * (1 - t);
    return `${(cx + r * Math.cos(a)).toFixed(2)} ${(cy - r * Math.sin(a)).toFixed(2)}`;
  };
  const svg = s('svg', { class: 'arc', viewBox: '0 0 100 56', role: 'img' });
  svg.append(s('path', { class: 'arc-track', d: `M ${arc(0)} A ${r} ${r} 0 0 1 ${arc(1)}` }));
  if (f > 0) svg.append(s('path', { class: 'arc-fill', d: `M ${arc(0)} A ${r} ${r} 0 0 1 ${arc(f)}`, 'data-fraction': f.toFixed(3) }));
  return svg;
}

function card(name: string, title: string, value: string, detail: (Node | string)[], visual: Node | null): HTMLElement {
  return h(
    'section',
    { class: 'gauge', data: { gauge: name } },
    h('div', { class: 'gauge-title' }, title),
    h('div', { class: 'gauge-body' }, visual, h('div', { class: 'gauge-figures' }, h('div', { class: 'gauge-value' }, value), h('div', { class: 'gauge-detail' }, ...detail))),
  );
}

const root = h('main', { class: 'gauges' });
document.body.append(root);

function render(): void {
  const { samples, memory, session } = state;
  const rs = rates(samples);
  const current = rs.length > 0 ? rs[rs.length - 1].rate : 0;
  const peak = rs.reduce((m, r) => Math.max(m, r.rate), 0);
  const scale = niceCeil(peak);
  const consumed = samples.length > 0 ? samples[samples.length - 1].consumed : 0;
  const elapsed = samples.length > 0 ? samples[samples.length - 1].elapsedMs : 0;

  const header = h(
    'header',
    { class: 'wv-header' },
    h('h1', { class: 'wv-title' }, 'Fuel and memory'),
    h('span', { class: 'wv-subtitle', title: session?.program ?? '' }, session ? session.name : 'no debug session yet'),
    h('span', { class: 'wv-status', data: { status: state.status } }, statusText()),
  );

  const rateCard = card(
    'fuel-rate',
    'Fuel rate',
    rs.length > 0 ? `${formatSi(current)} fuel/s` : '-',
    [rs.length > 0 ? `peak ${formatSi(peak)}/s` : 'waiting for fuel samples', rs.length > 0 ? h('div', null, `gauge 0 to ${formatSi(scale)}/s`) : ''],
    arcGauge(scale > 0 ? current / scale : 0),
  );
  rateCard.append(sparkline('fuel-rate', rs.map((r) => r.elapsedMs), rs.map((r) => r.rate)));

  const limit = session?.fuelLimit;
  const consumedCard = card(
    'fuel-consumed',
    'Fuel consumed',
    samples.length > 0 ? formatSi(consumed) : '-',
    [
      samples.length > 0 ? `${formatInt(consumed)} units in ${(elapsed / 1000).toFixed(2)} s` : 'no samples',
      limit ? h('span', { class: 'limit' }, ` · ${((consumed / limit) * 100).toFixed(1)}% of the ${formatSi(limit)} limit`) : '',
    ],
    limit ? limitBar(consumed / limit) : null,
  );
  consumedCard.append(sparkline('fuel-consumed', samples.map((x) => x.elapsedMs), samples.map((x) => x.consumed)));

  const pages = currentPages(memory);
  const grows = memory.filter((m) => m.memory === 0);
  const failed = grows.filter((m) => m.afterPages < 0).length;
  const memCard = card(
    'memory',
    'Linear memory',
    pages === null ? '-' : formatBytes(pages * PAGE),
    [
      pages === null ? 'no memory.grow yet' : `${formatInt(pages)} pages · ${grows.length} grow${grows.length === 1 ? '' : 's'}`,
      failed > 0 ? h('span', { class: 'failed' }, ` · ${failed} failed`) : '',
      grows.length > 0 ? h('div', null, `started at ${formatBytes(grows[0].beforePages * PAGE)}, limit 4 GiB`) : '',
    ],
    null,
  );
  if (grows.length > 0) {
    const xs = [grows[0].fuel, ...grows.map((g) => g.fuel)];
    const ys = [grows[0].beforePages, ...grows.map((g) => (g.afterPages >= 0 ? g.afterPages : g.beforePages))];
    if (consumed > xs[xs.length - 1]) {
      xs.push(consumed);
      ys.push(ys[ys.length - 1]);
    }
    memCard.append(sparkline('memory', xs, ys, true));
  }

  replaceChildren(root, header, h('div', { class: 'gauge-grid' }, rateCard, consumedCard, memCard));
}

function limitBar(fraction: number, label?: string): HTMLElement {
  const fill = h('div', { class: 'bar-fill' });
  fill.style.width = `${Math.min(100, Math.max(fraction > 0 ? 0.5 : 0, fraction * 100)).toFixed(2)}%`;
  if (fraction >= 0.9) fill.classList.add('hot');
  return h('div', { class: 'bar', title: label ?? `${(fraction * 100).toFixed(1)}%` }, fill);
}

function statusText(): string {
  switch (state.status) {
    case 'running':
      return 'running';
    case 'paused':
      return 'paused';
    case 'exited':
      return state.exitCode === undefined ? 'exited' : `exited (${state.exitCode})`;
    default:
      return 'idle';
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

let scheduled = false;
function update(next: GaugesState): void {
  state = next;
  vscode.setState(state);
  if (scheduled) return;
  scheduled = true;
  // Samples can arrive many times a frame; draw once per frame.
  requestAnimationFrame(() => {
    scheduled = false;
    render();
  });
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const msg = ev.data;
  if (SessionStart.is(msg)) update({ ...initial, session: msg.params, status: 'running' });
  else if (SessionStatusChanged.is(msg)) update({ ...state, status: msg.params.status, exitCode: msg.params.exitCode });
  else if (GaugesSample.is(msg)) update({ ...state, samples: keepLast([...state.samples, ...msg.params.samples], MAX_SAMPLES) });
  else if (GaugesMemory.is(msg)) update({ ...state, memory: keepLast([...state.memory, ...msg.params.events], MAX_SAMPLES) });
});

render();
vscode.postMessage(WebviewReady.create({ view: 'gauges' }));
