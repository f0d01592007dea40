// Small DOM and formatting helpers the three webviews share: an element builder (no innerHTML, so
// nothing the module printed can become markup), SVG elements, number formats, and the one place
// that acquires the VS Code webview API. Browser-only; imports nothing but the protocol.
import type { WebviewApi } from './protocol';

declare global {
  // Injected by VS Code into every webview (once per page).
  function acquireVsCodeApi(): WebviewApi<unknown>;
}

export function vscodeApi<S>(): WebviewApi<S> {
  return acquireVsCodeApi() as WebviewApi<S>;
}

type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  role?: string;
  /** data-* attributes, without the prefix. */
  data?: Record<string, string | number>;
  attrs?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

/** Creates an HTML element; strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

function applyProps(el: HTMLElement, props: Props | null): void {
  if (!props) return;
  if (props.class) el.className = props.class;
  if (props.title) el.title = props.title;
  if (props.role) el.setAttribute('role', props.role);
  for (const [k, v] of Object.entries(props.data ?? {})) el.dataset[k] = String(v);
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  for (const [k, fn] of Object.entries(props.on ?? {})) el.addEventListener(k, fn as EventListener);
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** Replaces an element's children. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** 1234567 -> "1.23 M"; keeps three significant digits, SI prefixes. */
export function formatSi(n: number, unit = ''): string {
  const sp = unit ? ' ' : '';
  if (!Number.isFinite(n)) return `-${sp}${unit}`;
  const abs = Math.abs(n);
  const prefixes: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, p] of prefixes) {
    if (abs >= scale) return `${trim3(n / scale)} ${p}${unit}`;
  }
  return `${trim3(n)}${sp}${unit}`;
}

function trim3(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 100 || Number.isInteger(x)) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** 1234567 -> "1,234,567". */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds for people: "840 µs", "12.3 ms", "4.20 s". */
export function formatMs(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${trim3(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Bytes for people, binary units: "1.50 MiB". */
export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${i === 0 ? b.toFixed(0) : trim3(b)} ${units[i]}`;
}

/** Keeps the last `max` items. */
export function keepLast<T>(items: T[], max: number): T[] {
  return items.length > max ? items.slice(items.length - max) : items;
}
