// Breakpoint hit counts as editors write them: `N` (from the Nth hit on), `>= N`, `> N`, `== N`,
// `< N`, `<= N`, `% N` (every Nth hit). Shared by the controller (to reject bad ones when the
// breakpoint is set) and the engine (which counts hits).

export interface HitCondition {
  op: '>=' | '>' | '==' | '<' | '<=' | '%';
  n: number;
}

export function parseHitCondition(text: string): HitCondition | undefined {
  const m = /^\s*(>=|>|==|=|<=|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const op = (m[1] === '=' ? '==' : (m[1] ?? '>=')) as HitCondition['op'];
  return { op, n: Number(m[2]) };
}

export function hitMatches(h: HitCondition, hits: number): boolean {
  switch (h.op) {
    case '>=':
      return hits >= h.n;
    case '>':
      return hits > h.n;
    case '==':
      return hits === h.n;
    case '<':
      return hits < h.n;
    case '<=':
      return hits <= h.n;
    case '%':
      return h.n > 0 && hits % h.n === 0;
  }
}
