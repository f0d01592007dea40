// The audit webview: every host call the module made, decoded (function, arguments, results,
// errno, fuel), in a filterable table; security events and anomalies listed above it and marked on
// their rows; drift against the launch's baseline (new functions, new paths, changed call counts).
// Fed by `audit/*` messages; the filter and the most recent rows survive reloads via setState.
import '../shared/base.css';
import './audit.css';
import {
  AuditAnomaly,
  AuditBaseline,
  AuditCapability,
  AuditFilterChanged,
  AuditSecurity,
  MAX_AUDIT_ROWS,
  PATH_KEYS,
  SessionStart,
  SessionStatusChanged,
  WebviewReady,
  type AnomalyRow,
  type AuditFilter,
  type AuditState,
  type AuditTotals,
  type BaselineSummary,
  type CapabilityRow,
  type SecurityRow,
  type WireValue,
} from '../shared/protocol';
import { formatInt, formatSi, h, keepLast, replaceChildren, vscodeApi } from '../shared/dom';

/** Rows drawn at once; the table shows the most recent matches (a run can make millions of calls). */
const MAX_DRAWN = 500;
/** Rights masks are complete in the trail but drown a one-line view (as in the CLI). */
const HIDDEN_KEYS = new Set(['fs_rights_base', 'fs_rights_inheriting', 'rights_base', 'rights_inheriting']);

const vscode = vscodeApi<AuditState>();
const initial: AuditState = {
  session: null,
  status: 'idle',
  rows: [],
  totalCalls: 0,
  failedCalls: 0,
  deniedCalls: 0,
  functions: {},
  paths: [],
  security: [],
  anomalies: [],
  baseline: null,
  filter: { text: '', show: 'all' },
};
let state: AuditState = { ...initial, ...(vscode.getState() ?? {}) };

// ---------------------------------------------------------------------------------------------
// Formatting and matching

function formatValue(v: WireValue): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 96 ? `${v.slice(0, 93)}...` : v);
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? x : formatValue(x))).join('|')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${k}=${formatValue(x)}`)
    .join(', ')}}`;
}

function pairs(values: Record<string, WireValue>): [string, string][] {
  return Object.entries(values)
    .filter(([k]) => !HIDDEN_KEYS.has(k))
    .map(([k, v]) => [k, formatValue(v)]);
}

function callText(r: CapabilityRow): string {
  const args = pairs(r.args)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const res = pairs(r.results)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${r.func}(${args})${res ? ` => ${res}` : ''} ${r.errnoName}`;
}

function flaggedSeqs(): Map<number, string[]> {
  const m = new Map<number, string[]>();
  const add = (seq: number, what: string): void => {
    const list = m.get(seq) ?? [];
    list.push(what);
    m.set(seq, list);
  };
  for (const e of state.security) add(e.capabilitySeq, e.message);
  for (const e of state.anomalies) add(e.capabilitySeq, e.message);
  return m;
}

function matches(r: CapabilityRow, f: AuditFilter, flagged: Map<number, string[]>, needle: string): boolean {
  if (f.show === 'errors' && r.errno === 0) return false;
  if (f.show === 'denied' && !r.denied) return false;
  if (f.show === 'flagged' && !flagged.has(r.seq)) return false;
  if (needle === '') return true;
  return callText(r).toLowerCase().includes(needle);
}

function rowPaths(r: CapabilityRow): string[] {
  const out: string[] = [];
  for (const k of PATH_KEYS) {
    const v = r.args[k];
    if (typeof v === 'string') out.push(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Drift against the baseline

interface Drift {
  newFunctions: [string, number][];
  changed: [string, number, number][];
  missing: [string, number][];
  newPaths: string[];
}

function drift(b: BaselineSummary): Drift {
  const newFunctions: [string, number][] = [];
  const changed: [string, number, number][] = [];
  const missing: [string, number][] = [];
  for (const [f, n] of Object.entries(state.functions)) {
    const base = b.functions[f];
    if (base === undefined) newFunctions.push([f, n]);
    else if (base !== n && state.status === 'exited') changed.push([f, n, base]);
    else if (n > base) changed.push([f, n, base]);
  }
  if (state.status === 'exited') for (const [f, n] of Object.entries(b.functions)) if (!(f in state.functions)) missing.push([f, n]);
  const known = new Set(b.paths);
  const newPaths = state.paths.filter((p) => !known.has(p));
  return { newFunctions, changed, missing, newPaths };
}

// ---------------------------------------------------------------------------------------------
// Drawing

const root = h('main', { class: 'audit' });
document.body.append(root);

// The toolbar is built once so typing in the filter never loses focus to a re-render.
const search = h('input', {
  class: 'filter-text',
  attrs: { type: 'search', placeholder: 'Filter: function, path, errno...', 'aria-label': 'Filter calls', spellcheck: 'false' },
});
const show = h('select', { class: 'filter-show', attrs: { 'aria-label': 'Show' } });
for (const [v, label] of [
  ['all', 'All calls'],
  ['errors', 'Failed calls'],
  ['denied', 'Denied by policy'],
  ['flagged', 'Security and anomalies'],
] as const) {
  show.append(h('option', { attrs: { value: v } }, label));
}
const shownCount = h('span', { class: 'shown-count' });
const toolbar = h('div', { class: 'toolbar' }, search, show, shownCount);
const headerSlot = h('div');
const summarySlot = h('div');
const driftSlot = h('div');
const alertsSlot = h('div');
const tableSlot = h('div', { class: 'table-wrap' });
root.append(headerSlot, summarySlot, driftSlot, alertsSlot, toolbar, tableSlot);

function syncToolbar(): void {
  if (search.value !== state.filter.text) search.value = state.filter.text;
  show.value = state.filter.show;
}

function render(): void {
  const flagged = flaggedSeqs();
  replaceChildren(
    headerSlot,
    h(
      'header',
      { class: 'wv-header' },
      h('h1', { class: 'wv-title' }, 'Capability audit'),
      h('span', { class: 'wv-subtitle', title: state.session?.program ?? '' }, state.session ? state.session.name : 'no debug session yet'),
      h('span', { class: 'wv-status', data: { status: state.status } }, state.status),
    ),
  );
  renderSummary(flagged);
  renderDrift();
  renderAlerts();
  syncToolbar();
  renderTable(flagged);
}

function chip(label: string, count: number, kind: string, target: AuditFilter['show']): HTMLElement {
  const b = h(
    'button',
    { class: `chip chip-${kind}`, data: { kind }, attrs: { type: 'button', 'aria-pressed': String(state.filter.show === target && target !== 'all') } },
    h('span', { class: 'chip-count' }, formatInt(count)),
    ` ${label}`,
  );
  b.addEventListener('click', () => setFilter({ ...state.filter, show: state.filter.show === target ? 'all' : target }));
  if (count === 0 && kind !== 'calls') b.classList.add('zero');
  return b;
}

function renderSummary(flagged: Map<number, string[]>): void {
  const failed = state.failedCalls;
  const denied = state.deniedCalls;
  replaceChildren(
    summarySlot,
    h(
      'div',
      { class: 'summary' },
      chip('calls', state.totalCalls, 'calls', 'all'),
      chip('failed', failed, 'failed', 'errors'),
      chip('denied', denied, 'denied', 'denied'),
      chip('security', state.security.length, 'security', 'flagged'),
      chip('anomalies', state.anomalies.length, 'anomaly', 'flagged'),
      h('span', { class: 'summary-functions' }, `${Object.keys(state.functions).length} functions · ${state.paths.length} paths · ${flagged.size} flagged calls`),
    ),
  );
}

const DRIFT_SHOWN = 6;
let driftOpen = false;

function renderDrift(): void {
  const b = state.baseline;
  if (!b) {
    replaceChildren(driftSlot);
    return;
  }
  const d = drift(b);
  const items: HTMLElement[] = [];
  for (const [f, n] of d.newFunctions) items.push(h('li', { class: 'drift-new', data: { drift: 'new-function' } }, h('span', { class: 'tag' }, 'new'), ` ${f} called ${formatInt(n)}x, never in the baseline`));
  for (const p of d.newPaths) items.push(h('li', { class: 'drift-new', data: { drift: 'new-path' } }, h('span', { class: 'tag' }, 'path'), ' ', h('span', { class: 'wv-mono' }, p), ' not in the baseline'));
  for (const [f, n, base] of d.changed)
    items.push(h('li', { class: 'drift-changed', data: { drift: 'count' } }, h('span', { class: 'tag' }, n > base ? 'more' : 'fewer'), ` ${f}: ${formatInt(n)} calls, baseline ${formatInt(base)}`));
  for (const [f, n] of d.missing) items.push(h('li', { class: 'drift-missing', data: { drift: 'missing' } }, h('span', { class: 'tag' }, 'gone'), ` ${f} not called (baseline ${formatInt(n)})`));
  const title = h('div', { class: 'drift-title' }, items.length > 0 ? `Drift against ${b.source}` : `No drift against ${b.source}`, h('span', { class: 'drift-base' }, ` (${formatInt(b.calls)} calls, ${Object.keys(b.functions).length} functions, ${b.paths.length} paths)`));
  // A long drift list would push the calls off screen: the first few, the rest behind a disclosure.
  const shown = items.slice(0, DRIFT_SHOWN);
  const rest = items.slice(DRIFT_SHOWN);
  const more = rest.length > 0 ? h('details', { class: 'drift-more' }, h('summary', null, `${rest.length} more`), h('ul', null, ...rest)) : null;
  if (more && driftOpen) more.open = true;
  more?.addEventListener('toggle', () => {
    driftOpen = more.open;
  });
  replaceChildren(driftSlot, h('section', { class: `drift ${items.length > 0 ? 'has-drift' : 'no-drift'}` }, title, shown.length > 0 ? h('ul', null, ...shown) : null, more));
}

function renderAlerts(): void {
  const list: { seq: number; cls: string; label: string; message: string }[] = [
    ...state.security.map((e: SecurityRow) => ({ seq: e.capabilitySeq, cls: 'alert-security', label: e.reason, message: e.message })),
    ...state.anomalies.map((e: AnomalyRow) => ({ seq: e.capabilitySeq, cls: 'alert-anomaly', label: e.anomaly, message: e.message })),
  ].sort((a, b) => a.seq - b.seq);
  if (list.length === 0) {
    replaceChildren(alertsSlot);
    return;
  }
  const items = list.slice(-50).map((a) => {
    const link = h('a', { class: 'seq-link', attrs: { href: '#', 'aria-label': `show call ${a.seq}` } }, `#${a.seq}`);
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      reveal(a.seq);
    });
    return h('li', { class: `alert ${a.cls}`, data: { seq: a.seq } }, h('span', { class: 'alert-label' }, a.label), h('span', { class: 'alert-message' }, a.message), link);
  });
  replaceChildren(alertsSlot, h('ul', { class: 'alerts' }, ...items));
}

function reveal(seq: number): void {
  let row = tableSlot.querySelector<HTMLElement>(`tr[data-seq="${seq}"]`);
  if (!row && state.filter.show !== 'all') {
    setFilter({ text: '', show: 'all' });
    row = tableSlot.querySelector<HTMLElement>(`tr[data-seq="${seq}"]`);
  }
  if (!row) return;
  for (const r of tableSlot.querySelectorAll('tr.revealed')) r.classList.remove('revealed');
  row.classList.add('revealed');
  row.scrollIntoView({ block: 'center' });
}

function kv(values: Record<string, WireValue>): HTMLElement {
  const cell = h('span', { class: 'kv' });
  const ps = pairs(values);
  ps.forEach(([k, v], i) => {
    cell.append(h('span', { class: 'k' }, k), '=', h('span', { class: 'v' }, v));
    if (i < ps.length - 1) cell.append(', ');
  });
  return cell;
}

function renderTable(flagged: Map<number, string[]>): void {
  const needle = state.filter.text.trim().toLowerCase();
  const matching = state.rows.filter((r) => matches(r, state.filter, flagged, needle));
  const drawn = matching.slice(-MAX_DRAWN);
  const older = state.totalCalls - state.rows.length;
  shownCount.textContent =
    matching.length === state.rows.length && older === 0
      ? `${formatInt(matching.length)} calls`
      : `${formatInt(drawn.length)} of ${formatInt(matching.length)} matching${older > 0 ? ` (last ${formatInt(state.rows.length)} kept of ${formatInt(state.totalCalls)})` : ''}`;
  if (state.rows.length === 0) {
    replaceChildren(tableSlot, h('div', { class: 'wv-empty' }, state.session ? 'No host calls yet.' : 'Start a debug session to see the calls the module makes.'));
    return;
  }
  const body = h('tbody');
  for (const r of drawn) {
    const notes = flagged.get(r.seq);
    const tr = h(
      'tr',
      { data: { seq: r.seq }, title: notes ? notes.join('\n') : callText(r) },
      h('td', { class: 'num seq' }, String(r.seq)),
      h('td', { class: 'num fuel', title: formatInt(r.fuel) }, formatSi(r.fuel)),
      h('td', { class: 'call wv-mono' }, h('span', { class: 'func' }, r.func), '(', kv(r.args), ')'),
      h('td', { class: 'result wv-mono' }, kv(r.results)),
      h('td', { class: 'errno' }, r.errnoName, r.denied ? h('span', { class: 'denied-tag' }, 'denied') : null),
      h('td', { class: 'num dur' }, r.durationUs > 0 ? r.durationUs.toFixed(r.durationUs < 10 ? 1 : 0) : '-'),
    );
    if (r.errno !== 0) tr.classList.add('error');
    if (r.denied) tr.classList.add('denied');
    if (notes) tr.classList.add('flagged');
    body.append(tr);
  }
  const head = h(
    'thead',
    null,
    h(
      'tr',
      null,
      h('th', { class: 'num' }, '#'),
      h('th', { class: 'num' }, 'fuel'),
      h('th', null, 'call'),
      h('th', null, 'result'),
      h('th', null, 'errno'),
      h('th', { class: 'num', title: 'host time, microseconds' }, 'µs'),
    ),
  );
  const empty = drawn.length === 0 ? h('div', { class: 'wv-empty' }, 'No call matches the filter.') : null;
  replaceChildren(tableSlot, h('table', { class: 'audit-table' }, head, body), empty);
}

// ---------------------------------------------------------------------------------------------
// State and messages

let scheduled = false;
function update(next: AuditState): void {
  state = next;
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    vscode.setState(state);
    render();
  });
}

let filterTimer: ReturnType<typeof setTimeout> | undefined;
function setFilter(filter: AuditFilter): void {
  state = { ...state, filter };
  vscode.setState(state);
  render();
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => vscode.postMessage(AuditFilterChanged.create({ filter })), 250);
}

search.addEventListener('input', () => setFilter({ ...state.filter, text: search.value }));
show.addEventListener('change', () => setFilter({ ...state.filter, show: show.value as AuditFilter['show'] }));

function addCapabilities(events: CapabilityRow[], earlier?: AuditTotals): void {
  const functions = { ...state.functions };
  const paths = new Set(state.paths);
  let failedCalls = state.failedCalls + (earlier?.failed ?? 0);
  let deniedCalls = state.deniedCalls + (earlier?.denied ?? 0);
  for (const [f, n] of Object.entries(earlier?.functions ?? {})) functions[f] = (functions[f] ?? 0) + n;
  for (const p of earlier?.paths ?? []) paths.add(p);
  for (const e of events) {
    functions[e.func] = (functions[e.func] ?? 0) + 1;
    if (e.errno !== 0) failedCalls++;
    if (e.denied) deniedCalls++;
    for (const p of rowPaths(e)) paths.add(p);
  }
  update({
    ...state,
    rows: keepLast([...state.rows, ...events], MAX_AUDIT_ROWS),
    totalCalls: state.totalCalls + (earlier?.calls ?? 0) + events.length,
    failedCalls,
    deniedCalls,
    functions,
    paths: [...paths].sort(),
  });
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const msg = ev.data;
  if (SessionStart.is(msg)) update({ ...initial, session: msg.params, status: 'running', filter: state.filter, baseline: null });
  else if (SessionStatusChanged.is(msg)) update({ ...state, status: msg.params.status });
  else if (AuditCapability.is(msg)) addCapabilities(msg.params.events, msg.params.earlier);
  else if (AuditSecurity.is(msg)) update({ ...state, security: keepLast([...state.security, ...msg.params.events], MAX_AUDIT_ROWS) });
  else if (AuditAnomaly.is(msg)) update({ ...state, anomalies: keepLast([...state.anomalies, ...msg.params.events], MAX_AUDIT_ROWS) });
  else if (AuditBaseline.is(msg)) update({ ...state, baseline: msg.params.baseline });
});

render();
vscode.postMessage(WebviewReady.create({ view: 'audit' }));
