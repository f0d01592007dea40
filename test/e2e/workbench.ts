// Drives the VS Code workbench (code-server) in headless Chromium as a user would: keyboard
// shortcuts and clicks, then reads what the screen shows. Every wait is for a selector or a DOM
// condition with a timeout, never a fixed sleep. Lines in the editor are matched to decorations by
// their vertical position against the line-number gutter, which is what a user sees.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** What an evaluate callback sees of the page (this file compiles without the DOM lib). */
interface Rect {
  top: number;
  height: number;
}
interface El {
  textContent: string | null;
  className: string;
  getBoundingClientRect(): Rect;
}
interface Doc {
  querySelectorAll(s: string): ArrayLike<El> & Iterable<El>;
}

export class Workbench {
  private shot = 0;

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    private readonly artifacts: string,
  ) {}

  static async open(url: string, artifacts: string): Promise<Workbench> {
    mkdirSync(artifacts, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const wb = new Workbench(browser, page, artifacts);
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    // The workbench is usable once the status bar and the explorer have rendered.
    await page.waitForSelector('.part.statusbar', { timeout: 60_000 });
    return wb;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /** Saves a numbered screenshot (NN-name.png) of what the user sees. */
  async screenshot(name: string): Promise<string> {
    this.shot++;
    const path = join(this.artifacts, `${String(this.shot).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor tab to be active. */
  async quickOpen(fileName: string): Promise<void> {
    const { page } = this;
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 }, trial: true }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(fileName);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 30_000 });
    await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
    await input.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Puts the cursor on a 1-based line with Go to Line (Ctrl+G). */
  async goToLine(line: number): Promise<void> {
    const { page } = this;
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${line}`); // Go to Line is Quick Open with a `:` prefix
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: 10_000 });
    await this.waitForLines('.editor-instance .monaco-editor .current-line', [line], 'the cursor line');
  }

  /** Line numbers on whose row an element matching `selector` is drawn (in the active editor). */
  async linesOf(selector: string): Promise<number[]> {
    return this.page.evaluate((sel) => {
      const doc = (globalThis as unknown as { document: Doc }).document;
      const editor = '.editor-instance .monaco-editor';
      const gutter = [...doc.querySelectorAll(`${editor} .margin-view-overlays .line-numbers`)].map((e) => ({
        line: Number((e.textContent ?? '').trim()),
        top: e.getBoundingClientRect().top,
      }));
      const found = new Set<number>();
      for (const el of doc.querySelectorAll(sel)) {
        const r = el.getBoundingClientRect();
        if (r.height === 0) continue;
        const hit = gutter.find((g) => Math.abs(g.top - r.top) < 3);
        if (hit && hit.line > 0) found.add(hit.line);
      }
      return [...found].sort((a, b) => a - b);
    }, selector);
  }

  /** Waits until the elements matching `selector` sit exactly on `lines`. */
  async waitForLines(selector: string, lines: number[], what: string, timeout = 30_000): Promise<void> {
    const deadline = Date.now() + timeout;
    let seen: number[] = [];
    while (Date.now() < deadline) {
      seen = await this.linesOf(selector);
      if (seen.length === lines.length && seen.every((l, i) => l === lines[i])) return;
      await this.page.waitForTimeout(200); // polling interval, not an assertion
    }
    throw new Error(`${what}: expected on line(s) ${lines.join(', ')}, found on ${seen.length ? seen.join(', ') : 'no line'} (${selector})`);
  }

  /** Toggles a breakpoint on the cursor line (F9) and waits for its glyph on that line. */
  async toggleBreakpoint(line: number): Promise<void> {
    await this.page.keyboard.press('F9');
    await this.waitForLines('.editor-instance .monaco-editor .codicon-debug-breakpoint, .editor-instance .monaco-editor .codicon-debug-breakpoint-unverified', [line], 'the breakpoint glyph');
  }

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }
}
