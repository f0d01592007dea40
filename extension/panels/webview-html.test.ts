// The panel page: a CSP that allows nothing but the webview's own assets and this load's scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newNonce, webviewHtml } from './webview-html';

test('the page has a strict CSP, the nonce on every script, and escapes what it embeds', () => {
  const nonce = newNonce();
  assert.match(nonce, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(nonce, newNonce());
  const html = webviewHtml({ cspSource: 'https://x.vscode-cdn.net', scriptUri: 'https://x.vscode-cdn.net/a.js', styleUri: 'https://x.vscode-cdn.net/a.css', nonce, title: 'A <b> "c"' });
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1] ?? '';
  assert.ok(csp.startsWith("default-src 'none'"), csp);
  assert.ok(csp.includes(`script-src 'nonce-${nonce}'`), csp);
  assert.ok(!/unsafe-(inline|eval)/.test(csp), csp);
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  assert.equal(scripts.length, 1);
  for (const s of scripts) assert.ok(s.includes(`nonce="${nonce}"`), s);
  assert.ok(html.includes('<title>A &lt;b> &quot;c&quot;</title>'));
});
