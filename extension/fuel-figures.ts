// The data behind the fuel CodeLens, kept apart from the `vscode` API so it is tested in plain
// Node: the latest `wasiscope/functions` figures of each program, indexed by source file and
// line, and the lens text. Figures stay after the session ends, until the program runs again.

export interface FunctionFigure {
  index: number;
  name: string;
  fuel: number | string;
  calls: number | string;
  file?: string;
  line?: number;
}

/** The body of a `wasiscope/functions` custom event (debug/debug-runtime.ts functionFigures). */
export interface FunctionsEventBody {
  final: boolean;
  program?: string;
  total: number | string;
  functions: FunctionFigure[];
}

export interface LensFigure {
  line: number;
  name: string;
  text: string;
}

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

/** 1234 -> "1,234", 12_345_678 -> "12.3M". */
export function compactNumber(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [u, s] of units) if (n >= u) return `${(n / u).toFixed(n / u >= 100 ? 0 : 1)}${s}`;
  return String(n);
}

export function lensText(fuel: number, total: number, calls: number): string {
  const pct = total > 0 ? (100 * fuel) / total : 0;
  const p = pct >= 10 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1);
  return `$(flame) ${compactNumber(fuel)} fuel (${p}%) · ${compactNumber(calls)} call${calls === 1 ? '' : 's'}`;
}

/** Normalizes a path for lookups (the adapter reports absolute paths; case kept). */
function key(path: string): string {
  return path.replace(/\\/g, '/');
}

export class FuelFigures {
  private readonly byProgram = new Map<string, FunctionsEventBody>();
  private byFile = new Map<string, LensFigure[]>();

  /** Take a new event; returns true when lenses changed. */
  update(body: FunctionsEventBody): boolean {
    if (!body || !Array.isArray(body.functions)) return false;
    this.byProgram.set(body.program ?? '', body);
    this.rebuild();
    return true;
  }

  private rebuild(): void {
    const byFile = new Map<string, LensFigure[]>();
    for (const body of this.byProgram.values()) {
      const total = num(body.total);
      for (const f of body.functions) {
        if (!f.file || !f.line) continue;
        const k = key(f.file);
        let list = byFile.get(k);
        if (!list) byFile.set(k, (list = []));
        list.push({ line: f.line, name: f.name, text: lensText(num(f.fuel), total, num(f.calls)) });
      }
    }
    for (const l of byFile.values()) l.sort((a, b) => a.line - b.line);
    this.byFile = byFile;
  }

  /** Lenses for a source file (1-based lines). */
  forFile(path: string): LensFigure[] {
    return this.byFile.get(key(path)) ?? [];
  }

  clear(): void {
    this.byProgram.clear();
    this.byFile.clear();
  }
}
