// The calling-context tree shared by the fuel profile and the function-level spans: one node per
// distinct call path, with inclusive fuel and call counts. The runtime may hand one in directly, or
// sampled stacks (root first) that `callTreeFromStacks` folds into one.

export interface CallTreeNode {
  /** Function name (name section, or `$func<N>`). */
  name: string;
  /** Index in the original module's function index space, when known. */
  funcIndex?: number;
  /** How many times this call path was entered (for trees built from samples: how often it was sampled). */
  calls: number;
  /** Set for trees built from sampled stacks: the samples that went through this path (`calls` equals it). */
  samples?: number;
  /** Fuel burned in this node and everything it called. */
  fuelInclusive: bigint;
  /** Fuel burned in this node's own code; defaults to inclusive minus the children's inclusive. */
  fuelExclusive?: bigint;
  /** Measured wall-clock bounds (ms since the Unix epoch), when the runtime timed the calls. */
  startTime?: number;
  endTime?: number;
  children: CallTreeNode[];
}

/** One sampled stack: frames from the outermost caller to the innermost callee, with its weight. */
export interface WeightedStack {
  frames: string[];
  weight: bigint | number;
  /** Samples aggregated into this stack (default 1). */
  samples?: number;
  /** Original function indices parallel to `frames` (negative: not a function), when known. */
  funcIndices?: number[];
}

export function exclusiveFuel(node: CallTreeNode): bigint {
  if (node.fuelExclusive !== undefined) return node.fuelExclusive;
  let children = 0n;
  for (const c of node.children) children += c.fuelInclusive;
  const own = node.fuelInclusive - children;
  return own < 0n ? 0n : own;
}

/** Folds sampled stacks into a tree; a stack's weight is exclusive fuel of its innermost frame. */
export function callTreeFromStacks(stacks: readonly WeightedStack[]): CallTreeNode[] {
  const roots: CallTreeNode[] = [];
  const rootIndex = new Map<string, CallTreeNode>();
  const childIndex = new Map<CallTreeNode, Map<string, CallTreeNode>>();
  const exclusive = new Map<CallTreeNode, bigint>();
  for (const s of stacks) {
    const w = typeof s.weight === 'bigint' ? s.weight : BigInt(Math.round(s.weight));
    let level = roots;
    let index = rootIndex;
    let node: CallTreeNode | undefined;
    const n = s.samples ?? 1;
    for (let i = 0; i < s.frames.length; i++) {
      const frame = s.frames[i];
      node = index.get(frame);
      if (!node) {
        node = { name: frame, calls: 0, samples: 0, fuelInclusive: 0n, children: [] };
        const f = s.funcIndices?.[i];
        if (f !== undefined && f >= 0) node.funcIndex = f;
        level.push(node);
        index.set(frame, node);
        childIndex.set(node, new Map());
      }
      node.fuelInclusive += w;
      node.calls += n;
      node.samples = (node.samples ?? 0) + n;
      level = node.children;
      index = childIndex.get(node)!;
    }
    if (node) exclusive.set(node, (exclusive.get(node) ?? 0n) + w);
  }
  // A sample is not a call, but each distinct path was seen at least once; counts are samples.
  forEachNode(roots, (n) => {
    n.fuelExclusive = exclusive.get(n) ?? 0n;
  });
  return roots;
}

/**
 * Visits every node depth-first, parents before children, without recursion (deep trees).
 * `ancestors` is only valid during the call (it is reused): copy it to keep it.
 */
export function forEachNode(
  roots: readonly CallTreeNode[],
  visit: (node: CallTreeNode, depth: number, ancestors: readonly CallTreeNode[]) => void,
): void {
  const stack: { node: CallTreeNode; depth: number }[] = [];
  const path: CallTreeNode[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i], depth: 0 });
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    // Pre-order: when a node at depth d is visited, path[0..d) are exactly its ancestors.
    path.length = depth;
    visit(node, depth, path);
    path.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1 });
  }
}

export function countNodes(roots: readonly CallTreeNode[]): number {
  let n = 0;
  forEachNode(roots, () => n++);
  return n;
}
