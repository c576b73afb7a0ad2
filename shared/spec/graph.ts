/**
 * The DAG of a workflow: indexes, checks and orders. Nothing here recurses, so a 100,000-tool
 * chain is as safe as a 3-tool one; every function is linear in tools + edges.
 */

/** A node as the graph code needs it. */
export interface GraphNode {
  name: string;
  rely: string[];
}

/** A problem in the graph; `tool` and `relyIndex` say where, for positions in the file. */
export interface GraphProblem {
  tool: number;
  relyIndex?: number;
  kind: 'duplicate' | 'unknown' | 'self' | 'cycle';
  message: string;
}

/** An indexed DAG: tool i relies on `parents[i]` and is relied on by `children[i]` (indexes). */
export interface Dag {
  names: string[];
  index: Map<string, number>;
  parents: number[][];
  children: number[][];
  /** A topological order of tool indexes (declaration order among independent tools). */
  order: number[];
}

/**
 * Checks names and edges and orders the tools.
 * @param nodes the tools; a node with an empty name (its name was missing or invalid, and reported
 *   elsewhere) is not indexed, so nothing can rely on it and it is never a duplicate.
 * @returns the DAG, or the problems found: duplicate names, unknown `rely` targets (with a close
 *   name when there is one), self-dependencies, and a cycle with its path (`a -> b -> a`). The cycle
 *   is looked for among the valid edges even when there are other problems, so that one pass
 *   reports all of them.
 */
export function buildDag(nodes: GraphNode[]): { dag?: Dag; problems: GraphProblem[] } {
  const problems: GraphProblem[] = [];
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (n.name === '') return;
    const first = index.get(n.name);
    if (first !== undefined) problems.push({ tool: i, kind: 'duplicate', message: `duplicate tool name "${n.name}" (first defined as tools[${first}])` });
    else index.set(n.name, i);
  });
  const parents: number[][] = nodes.map(() => []);
  const children: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    n.rely.forEach((dep, r) => {
      const j = index.get(dep);
      if (dep === n.name) problems.push({ tool: i, relyIndex: r, kind: 'self', message: `tool "${n.name}" relies on itself` });
      else if (j === undefined) {
        const hint = closest(dep, index.keys());
        problems.push({ tool: i, relyIndex: r, kind: 'unknown', message: `unknown tool "${dep}" in rely${hint ? ` (did you mean "${hint}"?)` : ''}` });
      } else {
        parents[i]!.push(j);
        children[j]!.push(i);
      }
    });
  });
  const order = topologicalOrder(parents, children);
  if (order.length < nodes.length) {
    const cycle = findCycle(nodes, parents, new Set(order));
    problems.push({ tool: cycle[0]!, kind: 'cycle', message: `dependency cycle: ${[...cycle, cycle[0]!].map((i) => nodes[i]!.name).join(' -> ')}` });
  }
  if (problems.length > 0) return { problems };
  return { dag: { names: nodes.map((n) => n.name), index, parents, children, order }, problems };
}

/** Kahn's algorithm; returns fewer indexes than nodes when there is a cycle. */
function topologicalOrder(parents: number[][], children: number[][]): number[] {
  const waiting = parents.map((p) => p.length);
  const order: number[] = [];
  for (let i = 0; i < waiting.length; i++) if (waiting[i] === 0) order.push(i);
  for (let k = 0; k < order.length; k++) {
    for (const c of children[order[k]!]!) if (--waiting[c]! === 0) order.push(c);
  }
  return order;
}

/** Finds one cycle among the nodes not in `ordered`, walking parents iteratively. */
function findCycle(nodes: GraphNode[], parents: number[][], ordered: Set<number>): number[] {
  // Every unordered node has an unordered parent, so walking parents must revisit a node.
  let start = 0;
  while (ordered.has(start)) start++;
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  let at = start;
  while (!seenAt.has(at)) {
    seenAt.set(at, path.length);
    path.push(at);
    at = parents[at]!.find((p) => !ordered.has(p))!;
  }
  // path walks child -> parent; report it in run order (parent -> child).
  return path.slice(seenAt.get(at)!).reverse();
}

/** All descendants of `start` (not including it), breadth first. */
export function descendants(dag: Dag, start: number): number[] {
  const seen = new Set<number>([start]);
  const out: number[] = [];
  for (let k = -1; k < out.length; k++) {
    const from = k < 0 ? start : out[k]!;
    for (const c of dag.children[from]!) {
      if (!seen.has(c)) {
        seen.add(c);
        out.push(c);
      }
    }
  }
  return out;
}

/**
 * Mermaid flowchart text of the DAG (https://mermaid.js.org/syntax/flowchart.html): one node per
 * tool (or planned instance: `align[A]`), labelled with its name, then one edge per dependency, both
 * in run order.
 */
export function toMermaid(dag: Dag): string {
  const lines = ['flowchart TD'];
  for (const i of dag.order) lines.push(`  ${mermaidId(dag.names[i]!)}["${dag.names[i]}"]`);
  for (const i of dag.order) for (const p of dag.parents[i]!) lines.push(`  ${mermaidId(dag.names[p]!)} --> ${mermaidId(dag.names[i]!)}`);
  return lines.join('\n') + '\n';
}

/** Escapes of `mermaidId`: character → the letter after `_`. */
const MERMAID_ESCAPES: Record<string, string> = { _: '_', '-': 'h', '[': 'o', ']': 'c', '.': 'd' };

/**
 * The Mermaid node id of a tool (or planned instance): `n_` then the name with every character
 * other than a letter or digit escaped after a `_`: `_` is `__`, `-` is `_h`, `[` is `_o`, `]` is
 * `_c`, `.` is `_d`, and any other character `_u<hex code point>_` (`read_stats` → `n_read__stats`,
 * `make-index` → `n_make_hindex`, `align[A.1]` → `n_align_oA_d1_c`). Ids keep to letters, digits
 * and `_` (Mermaid reads `-` as part of an arrow and brackets as a node's shape), depend on the
 * name alone (the same in every graph), and differ for different names: every `_` of an id starts
 * an escape whose length its next character tells, so the name can be read back (`a-b` → `n_a_hb`,
 * `a__b` → `n_a____b`).
 */
export function mermaidId(name: string): string {
  return `n_${name.replace(/[^A-Za-z0-9]/gu, (c) => `_${MERMAID_ESCAPES[c] ?? `u${c.codePointAt(0)!.toString(16)}_`}`)}`;
}

/** The candidate closest to `word` by edit distance, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  let checked = 0;
  for (const c of candidates) {
    if (++checked > 10_000) break;
    if (Math.abs(c.length - word.length) >= bestD) continue;
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
