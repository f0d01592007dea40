// The HTML page a Wasiscope webview panel loads: a strict Content-Security-Policy (nothing by
// default; styles only from the extension's webview assets; scripts only with this load's nonce),
// the webview's stylesheet and script from dist/webviews/. No `vscode` import, so the page the
// panels serve is the page the browser tests load (test/webviews).

export interface WebviewPageParts {
  /** `webview.cspSource`: the origin the webview's assets are served from. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webviews/<name>.js)`, as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(dist/webviews/<name>.css)`, as a string. */
  styleUri: string;
  /** A fresh random nonce per load (newNonce()). */
  nonce: string;
  title: string;
  /** Extra stylesheets before the webview's own (tests use it for theme variables). */
  extraStyleUris?: string[];
  /** Extra inline script run before the webview's (tests use it for a stub VS Code API). */
  preludeScript?: string;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** 32 characters of base64url from a CSPRNG. */
export function newNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}

export function webviewHtml(p: WebviewPageParts): string {
  const csp = [
    "default-src 'none'",
    `style-src ${p.cspSource}`,
    `script-src 'nonce-${p.nonce}'`,
    `img-src ${p.cspSource} data:`,
    `font-src ${p.cspSource}`,
  ].join('; ');
  const styles = [...(p.extraStyleUris ?? []), p.styleUri].map((u) => `<link rel="stylesheet" href="${attr(u)}">`).join('\n');
  const prelude = p.preludeScript ? `<script nonce="${attr(p.nonce)}">${p.preludeScript}</script>\n` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>${attr(p.title)}</title>
</head>
<body>
${prelude}<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
