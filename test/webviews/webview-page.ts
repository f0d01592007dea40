// Loads a built webview bundle in headless Chromium the way VS Code hosts it: the page the panels
// serve (extension/panels/webview-html.ts: CSP default-src 'none', scripts only by nonce), the
// theme's CSS variables on <html> and `vscode-dark`/`vscode-light` on <body>, and a stub
// acquireVsCodeApi that records what the webview posts and keeps its setState value. Tests post protocol messages the way the
// host does (window message events) and read the DOM.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { newNonce, webviewHtml } from '../../extension/panels/webview-html';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const artifactsDir = join(repoRoot, 'test-artifacts', 'webviews');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const ORIGIN = 'https://webview.test';

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Builds webviews/<name>/main.ts (and its CSS) into outDir with the options esbuild.mjs uses. */
export async function buildWebview(name: string, outDir: string): Promise<void> {
  await esbuild.build({
    entryPoints: [join(repoRoot, 'webviews', name, 'main.ts')],
    outfile: join(outDir, `${name}.js`),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: join(repoRoot, 'webviews', 'tsconfig.json'),
    sourcemap: 'inline',
    logLevel: 'error',
  });
}

export type Theme = 'dark' | 'light';

// VS Code's Dark Modern and Light Modern values of the variables the webviews read.
const THEMES: Record<Theme, Record<string, string>> = {
  dark: {
    'editor-background': '#1f1f1f',
    foreground: '#cccccc',
    descriptionForeground: '#9d9d9d',
    'panel-border': '#2b2b2b',
    'sideBar-background': '#181818',
    'list-hoverBackground': '#2a2d2e',
    'list-inactiveSelectionBackground': '#37373d',
    focusBorder: '#0078d4',
    'input-background': '#313131',
    'input-foreground': '#cccccc',
    'input-border': '#3c3c3c',
    'badge-background': '#616161',
    'badge-foreground': '#f8f8f8',
    'charts-blue': '#3794ff',
    'charts-green': '#89d185',
    'charts-yellow': '#cca700',
    'charts-orange': '#d18616',
    'charts-red': '#f14c4c',
    'charts-purple': '#b180d7',
    errorForeground: '#f85149',
    'editorWarning-foreground': '#cca700',
    'inputValidation-errorBackground': '#5a1d1d',
    'inputValidation-warningBackground': '#352a05',
    'textLink-foreground': '#4daafc',
    'symbolIcon-functionForeground': '#b180d7',
  },
  light: {
    'editor-background': '#ffffff',
    foreground: '#3b3b3b',
    descriptionForeground: '#717171',
    'panel-border': '#e5e5e5',
    'sideBar-background': '#f8f8f8',
    'list-hoverBackground': '#f2f2f2',
    'list-inactiveSelectionBackground': '#e4e6f1',
    focusBorder: '#005fb8',
    'input-background': '#ffffff',
    'input-foreground': '#3b3b3b',
    'input-border': '#cecece',
    'badge-background': '#cccccc',
    'badge-foreground': '#3b3b3b',
    'charts-blue': '#1a85ff',
    'charts-green': '#388a34',
    'charts-yellow': '#bf8803',
    'charts-orange': '#d18616',
    'charts-red': '#e51400',
    'charts-purple': '#652d90',
    errorForeground: '#a1260d',
    'editorWarning-foreground': '#bf8803',
    'inputValidation-errorBackground': '#f2dede',
    'inputValidation-warningBackground': '#f6f5d2',
    'textLink-foreground': '#005fb8',
    'symbolIcon-functionForeground': '#652d90',
  },
};

function themeCss(theme: Theme): string {
  const vars = Object.entries(THEMES[theme]).map(([k, v]) => `  --vscode-${k}: ${v};`);
  vars.push("  --vscode-font-family: system-ui, 'Ubuntu', 'Droid Sans', sans-serif;", '  --vscode-font-size: 13px;', "  --vscode-editor-font-family: 'Droid Sans Mono', 'DejaVu Sans Mono', monospace;", '  --vscode-editor-font-size: 14px;');
  return `html {\n${vars.join('\n')}\n}\n`;
}

// The stub VS Code injects as acquireVsCodeApi: callable once, state cloned like the real one.
// VS Code also puts the theme kind on <body>.
const stub = (theme: Theme, state: unknown): string => `(() => {
  document.body.classList.add('vscode-${theme}');
  let state = ${state === undefined ? 'undefined' : JSON.stringify(state).replace(/</g, '\\u003c')};
  let acquired = false;
  window.__posted = [];
  window.__csp = [];
  window.__errors = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
  window.__getState = () => state;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s) => { state = JSON.parse(JSON.stringify(s)); return s; },
    });
  };
})();`;

/** What the stub and the browser give a page.evaluate callback (this file compiles without the DOM lib). */
interface PageGlobals {
  __posted: unknown[];
  __csp: string[];
  __errors: string[];
  __getState(): unknown;
  postMessage(msg: unknown, target: string): void;
  requestAnimationFrame(cb: () => void): number;
}

export interface WebviewPage {
  page: Page;
  /** Posts a message as the extension host would (`webview.postMessage`). */
  post(msg: unknown): Promise<void>;
  posted(): Promise<unknown[]>;
  state(): Promise<unknown>;
  /** CSP violations and uncaught errors seen so far (both should stay empty). */
  problems(): Promise<string[]>;
  /** Waits until the webview has drawn everything posted so far (it draws on animation frames). */
  settle(): Promise<void>;
  /** Saves a PNG under test-artifacts/webviews/: the viewport, or the whole page. */
  screenshot(file: string, fullPage?: boolean): Promise<string>;
  close(): Promise<void>;
}

export interface OpenOptions {
  name: string;
  bundleDir: string;
  theme: Theme;
  /** Restored state, as VS Code hands it back through getState after a reload. */
  state?: unknown;
  width?: number;
  height?: number;
}

export async function openWebview(browser: Browser, o: OpenOptions): Promise<WebviewPage> {
  const page = await browser.newPage({ viewport: { width: o.width ?? 960, height: o.height ?? 640 } });
  const html = webviewHtml({
    cspSource: ORIGIN,
    scriptUri: `${ORIGIN}/${o.name}.js`,
    styleUri: `${ORIGIN}/${o.name}.css`,
    extraStyleUris: [`${ORIGIN}/theme.css`],
    nonce: newNonce(),
    title: o.name,
    preludeScript: stub(o.theme, o.state),
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice(1);
    if (path === 'index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (path === 'theme.css') return route.fulfill({ contentType: 'text/css', body: themeCss(o.theme) });
    const file = join(o.bundleDir, path);
    if (!/^[\w.-]+$/.test(path) || !existsSync(file)) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ contentType: path.endsWith('.css') ? 'text/css' : 'text/javascript', body: readFileSync(file) });
  });
  await page.goto(`${ORIGIN}/index.html`);
  const wp: WebviewPage = {
    page,
    post: (msg) => page.evaluate((m) => (globalThis as unknown as PageGlobals).postMessage(m, '*'), msg),
    posted: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__posted),
    state: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__getState()),
    problems: () =>
      page.evaluate(() => {
        const w = globalThis as unknown as PageGlobals;
        return [...w.__csp.map((c) => `CSP: ${c}`), ...w.__errors];
      }),
    settle: async () => {
      // A message event, then two animation frames: everything posted before is drawn.
      await page.evaluate(() => {
        const w = globalThis as unknown as PageGlobals;
        return new Promise<void>((r) => setTimeout(() => w.requestAnimationFrame(() => w.requestAnimationFrame(() => r())), 0));
      });
    },
    screenshot: async (file, fullPage = false) => {
      mkdirSync(artifactsDir, { recursive: true });
      const path = join(artifactsDir, file);
      await page.screenshot({ path, fullPage });
      return path;
    },
    close: () => page.close(),
  };
  return wp;
}

/** Waits until `selector` matches exactly n elements (the webviews draw on animation frames). */
export async function waitForCount(page: Page, selector: string, n: number): Promise<void> {
  await page.waitForFunction(
    ([sel, count]) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll(sel).length === count,
    [selector, n] as const,
  );
}
