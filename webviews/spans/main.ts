// The spans webview: a run's complete trace (`spans/trace`, the CompleteTrace JSON of
// debug-adapter/telemetry/complete-trace.ts) as a collapsible tree, each span's duration drawn as a
// bar on the trace's time axis (a waterfall), and the picked span's attributes and events below.
// Keyboard: Up/Down move, Left collapses or goes to the parent, Right expands, Enter toggles.
// "Zoom to selection" fits the time axis to a span's children (host calls are short and packed).
import '../shared/base.css';
import './spans.css';
import { SessionStart, SpansSelect, SpansTrace, WebviewReady, type CompleteTrace, type SpansState, type TraceAttributeValue, type TraceNode } from '../shared/protocol';
import { formatInt, formatMs, h, replaceChildren, vscodeApi } from '../shared/dom';

/** Rows drawn at once; a trace with more shows a note (host call spans are capped upstream too). */
const MAX_ROWS = 3000;
/** Above this many spans a new trace opens with only its first two levels expanded. */
const COLLAPSE_ABOVE = 300;

const vscode = vscodeApi<SpansState>();
const initial: SpansState = { session: null, trace: null, collapsed: [], selected: null, zoom: null };
let state: SpansState = { ...initial, ...(vscode.getState() ?? {}) };

let byId = new Map<string, TraceNode>();
let collapsed = new Set<string>(state.collapsed);
indexTrace();

function indexTrace(): void {
  byId = new Map((state.trace?.nodes ?? []).map((n) => [n.spanId, n]));
}

function save(): void {
  state = { ...state, collapsed: [...collapsed] };
  vscode.setState(state);
}

// ---------------------------------------------------------------------------------------------
// Drawing

const root = h('main', { class: 'spans' });
document.body.append(root);

function kindOf(n: TraceNode): string {
  if (n.status === 'error') return 'error';
  if ('wasiscope.host.function' in n.attributes) return n.attributes['wasiscope.host.denied'] === true ? 'error' : 'host';
  if (n.depth === 0) return 'root';
  if (n.attributes['wasiscope.export'] === true) return 'export';
  return 'internal';
}

/** The spans to draw: depth-first order (as in `nodes`), skipping descendants of collapsed spans. */
function visibleNodes(trace: CompleteTrace): TraceNode[] {
  const out: TraceNode[] = [];
  const stack = [...trace.rootSpanIds].reverse();
  while (stack.length > 0 && out.length < MAX_ROWS) {
    const n = byId.get(stack.pop()!);
    if (!n) continue;
    out.push(n);
    if (!collapsed.has(n.spanId)) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

/** The axis: a time window [from, from + span] that bars are placed on, in percent. */
interface Axis {
  from: number;
  span: number;
}

/** Percent of the axis at time t (may fall outside 0..100 when zoomed; the track clips). */
function pct(ax: Axis, t: number): number {
  return ax.span > 0 ? ((t - ax.from) / ax.span) * 100 : 0;
}

function axis(ax: Axis): HTMLElement {
  const ticks = h('div', { class: 'axis-ticks' });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const at = ax.from + ax.span * f;
    const t = h('span', { class: 'tick' }, at === 0 ? '0' : formatMs(at));
    t.style.left = `${f * 100}%`;
    ticks.append(t);
  }
  return h('div', { class: 'span-row axis', attrs: { 'aria-hidden': 'true' } }, h('div', { class: 'span-label' }, 'span'), h('div', { class: 'span-track' }, ticks), h('div', { class: 'span-dur' }, 'duration'));
}

function row(n: TraceNode, ax: Axis): HTMLElement {
  const hasKids = n.children.length > 0;
  const open = hasKids && !collapsed.has(n.spanId);
  const twisty = h('span', { class: `twisty${hasKids ? (open ? ' open' : ' closed') : ''}`, attrs: { 'aria-hidden': 'true' } });
  const label = h(
    'div',
    { class: 'span-label', title: n.name },
    twisty,
    h('span', { class: 'span-name' }, n.name),
    hasKids && !open ? h('span', { class: 'wv-badge child-count' }, String(n.children.length)) : null,
  );
  label.style.paddingLeft = `${n.depth * 14 + 2}px`;
  const bar = h('div', { class: `bar kind-${kindOf(n)}` });
  const left = Math.max(-1, Math.min(101, pct(ax, n.startMs)));
  const right = Math.max(-1, Math.min(101, pct(ax, n.startMs + n.durationMs)));
  bar.style.left = `${left.toFixed(3)}%`;
  bar.style.width = `max(2px, ${(right - left).toFixed(3)}%)`;
  if (right < 0 || left > 100) bar.classList.add('outside');
  const track = h('div', { class: 'span-track' }, bar, ...n.events.map((e) => eventMark(e.name, e.timeMs, ax)));
  const el = h(
    'div',
    {
      class: `span-row${state.selected === n.spanId ? ' selected' : ''}`,
      role: 'treeitem',
      data: { spanId: n.spanId, depth: n.depth },
      attrs: { 'aria-level': String(n.depth + 1), 'aria-selected': String(state.selected === n.spanId), tabindex: state.selected === n.spanId ? '0' : '-1' },
    },
    label,
    track,
    h('div', { class: 'span-dur' }, formatMs(n.durationMs)),
  );
  if (hasKids) el.setAttribute('aria-expanded', String(open));
  el.addEventListener('click', (ev) => {
    if ((ev.target as Element).classList.contains('twisty')) toggle(n.spanId);
    else select(n.spanId);
  });
  el.addEventListener('dblclick', () => toggle(n.spanId));
  return el;
}

function eventMark(name: string, timeMs: number, ax: Axis): HTMLElement {
  const mark = h('div', { class: `event-mark${name.includes('security') ? ' security' : ''}`, title: `${name} at ${formatMs(timeMs)}` });
  mark.style.left = `${pct(ax, timeMs).toFixed(3)}%`;
  return mark;
}

function attrValue(v: TraceAttributeValue): string {
  if (Array.isArray(v)) return v.map((x) => String(x)).join(', ');
  return String(v);
}

function details(n: TraceNode): HTMLElement {
  const attrs = Object.entries(n.attributes).sort(([a], [b]) => a.localeCompare(b));
  const table = h('table', { class: 'attrs' });
  const add = (k: string, v: string, cls = ''): void => {
    table.append(h('tr', { class: cls }, h('th', null, k), h('td', { class: 'wv-mono' }, v)));
  };
  add('span id', n.spanId);
  add('kind', n.kind);
  add('status', n.statusMessage ? `${n.status}: ${n.statusMessage}` : n.status, n.status === 'error' ? 'status-error' : '');
  add('start', `+${formatMs(n.startMs)}`);
  add('duration', formatMs(n.durationMs));
  for (const [k, v] of attrs) add(k, attrValue(v));
  const events =
    n.events.length > 0
      ? h(
          'ul',
          { class: 'events' },
          ...n.events.map((e) =>
            h(
              'li',
              null,
              h('span', { class: 'event-time' }, `+${formatMs(e.timeMs)}`),
              ' ',
              h('span', { class: 'event-name' }, e.name),
              ' ',
              h(
                'span',
                { class: 'wv-mono event-attrs' },
                Object.entries(e.attributes)
                  .map(([k, v]) => `${k}=${attrValue(v)}`)
                  .join(', '),
              ),
            ),
          ),
        )
      : null;
  return h(
    'section',
    { class: 'details', data: { spanId: n.spanId } },
    h('h2', null, n.name),
    table,
    events ? h('h3', null, `Events (${n.events.length}${n.droppedEvents > 0 ? `, ${n.droppedEvents} dropped` : ''})`) : null,
    events,
  );
}

function render(): void {
  const trace = state.trace;
  const header = h(
    'header',
    { class: 'wv-header' },
    h('h1', { class: 'wv-title' }, 'Spans'),
    h('span', { class: 'wv-subtitle' }, trace ? `${formatInt(trace.spanCount)} spans · ${formatMs(trace.durationMs)} · trace ${trace.traceId.slice(0, 8)}` : state.session ? state.session.name : ''),
  );
  if (!trace) {
    replaceChildren(root, header, h('div', { class: 'wv-empty' }, state.session ? 'The trace appears when the run ends.' : 'Run a module under the debugger to see its spans.'));
    return;
  }
  const expandAll = h('button', { class: 'wv-button expand-all', attrs: { type: 'button' } }, 'Expand all');
  expandAll.addEventListener('click', () => {
    collapsed.clear();
    save();
    render();
  });
  const collapseAll = h('button', { class: 'wv-button collapse-all', attrs: { type: 'button' } }, 'Collapse all');
  collapseAll.addEventListener('click', () => {
    collapsed = new Set(trace.nodes.filter((n) => n.children.length > 0).map((n) => n.spanId));
    save();
    render();
  });
  const selectedNode = state.selected ? byId.get(state.selected) : undefined;
  const zoomIn = h('button', { class: 'wv-button zoom-in', attrs: { type: 'button', title: 'Fit the time axis to the selected span and its children' } }, 'Zoom to selection');
  if (!selectedNode) zoomIn.setAttribute('disabled', '');
  zoomIn.addEventListener('click', () => {
    if (!selectedNode) return;
    state = { ...state, zoom: extent(selectedNode) };
    save();
    render();
  });
  const zoomOut = h('button', { class: 'wv-button zoom-out', attrs: { type: 'button' } }, 'Whole trace');
  if (!state.zoom) zoomOut.setAttribute('disabled', '');
  zoomOut.addEventListener('click', () => {
    state = { ...state, zoom: null };
    save();
    render();
  });
  const ax: Axis = state.zoom ? { from: state.zoom[0], span: state.zoom[1] - state.zoom[0] } : { from: 0, span: trace.durationMs };
  const nodes = visibleNodes(trace);
  const tree = h('div', { class: 'tree', role: 'tree', attrs: { 'aria-label': 'Spans' } }, axis(ax), ...nodes.map((n) => row(n, ax)));
  tree.addEventListener('keydown', (ev) => onKey(ev, nodes));
  if (!state.selected || !byId.has(state.selected)) {
    const first = tree.querySelector<HTMLElement>('[role=treeitem]');
    if (first) first.tabIndex = 0;
  }
  const note = nodes.length >= MAX_ROWS ? h('div', { class: 'wv-empty' }, `First ${formatInt(MAX_ROWS)} rows shown; collapse spans to see others.`) : null;
  replaceChildren(root, header, h('div', { class: 'toolbar' }, expandAll, collapseAll, h('span', { class: 'toolbar-gap' }), zoomIn, zoomOut), tree, note, selectedNode ? details(selectedNode) : null);
}

/** The time range of a span's children when it has any (a parent's own bar says little when its
 *  children are packed in a corner of it), else of the span itself. */
function extent(n: TraceNode): [number, number] {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const id of n.children) {
    const c = byId.get(id);
    if (!c) continue;
    from = Math.min(from, c.startMs);
    to = Math.max(to, c.startMs + c.durationMs);
  }
  if (!Number.isFinite(from) || to <= from) [from, to] = [n.startMs, n.startMs + n.durationMs];
  if (to <= from) to = from + 0.001;
  return [from, to];
}

function focusRow(spanId: string): void {
  root.querySelector<HTMLElement>(`[role=treeitem][data-span-id="${spanId}"]`)?.focus();
}

function toggle(spanId: string): void {
  const n = byId.get(spanId);
  if (!n || n.children.length === 0) return;
  if (collapsed.has(spanId)) collapsed.delete(spanId);
  else collapsed.add(spanId);
  save();
  render();
  focusRow(spanId);
}

function select(spanId: string): void {
  const n = byId.get(spanId);
  if (!n) return;
  state = { ...state, selected: spanId };
  save();
  render();
  focusRow(spanId);
  vscode.postMessage(SpansSelect.create({ spanId, name: n.name, attributes: n.attributes }));
}

function onKey(ev: KeyboardEvent, nodes: TraceNode[]): void {
  const current = (ev.target as HTMLElement).closest<HTMLElement>('[role=treeitem]')?.dataset.spanId;
  const i = nodes.findIndex((n) => n.spanId === current);
  if (i < 0) return;
  const n = nodes[i];
  const go = (m: TraceNode | undefined): void => {
    if (m) select(m.spanId);
  };
  switch (ev.key) {
    case 'ArrowDown':
      go(nodes[i + 1]);
      break;
    case 'ArrowUp':
      go(nodes[i - 1]);
      break;
    case 'ArrowRight':
      if (n.children.length > 0 && collapsed.has(n.spanId)) toggle(n.spanId);
      else go(byId.get(n.children[0] ?? ''));
      break;
    case 'ArrowLeft':
      if (n.children.length > 0 && !collapsed.has(n.spanId)) toggle(n.spanId);
      else go(n.parentSpanId ? byId.get(n.parentSpanId) : undefined);
      break;
    case 'Enter':
    case ' ':
      toggle(n.spanId);
      break;
    default:
      return;
  }
  ev.preventDefault();
}

// ---------------------------------------------------------------------------------------------
// Messages

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const msg = ev.data;
  if (SessionStart.is(msg)) {
    state = { ...initial, session: msg.params };
    collapsed = new Set();
    indexTrace();
  } else if (SpansTrace.is(msg)) {
    const trace = msg.params.trace;
    state = { ...state, trace, selected: null, zoom: null };
    indexTrace();
    collapsed = new Set(trace.spanCount > COLLAPSE_ABOVE ? trace.nodes.filter((n) => n.depth >= 1 && n.children.length > 0).map((n) => n.spanId) : []);
  } else return;
  save();
  render();
});

render();
vscode.postMessage(WebviewReady.create({ view: 'spans' }));
