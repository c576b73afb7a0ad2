/**
 * The report's DAG: an SVG drawn here (no Mermaid, nothing loaded), with a simple layered layout —
 * each node's layer is the length of the longest path from a root to it (`layersOf`), layers are
 * columns from left to right, and the nodes of a layer are ordered by the mean position of their
 * parents (one barycenter pass, the usual first step of Sugiyama-style layouts), so edges mostly run
 * straight. Nodes are coloured by their tool's status (`OUTCOME_COLOURS`).
 *
 * A task of more than `GROUP_ABOVE` tools is drawn by template instead: the instances of a
 * scattered tool (`align[A]`, `align[B]`, …) are one node `align ×N` with how many ended how,
 * coloured by the worst of them (failed, then cancelled, running, submitted, pending, skipped,
 * succeeded), so a 1,000-sample scatter stays readable. Nodes carry `data-tool` (the tool's or the
 * template's name) and `data-status`.
 */
import { escapeHtml, OUTCOME_COLOURS, outcomeOf, px, shorten, type Outcome } from './html-text.js';
import type { ReportTool } from './report-data.js';

/** Tools above which instances are drawn as one node per template. */
export const GROUP_ABOVE = 60;

const NODE_W = 170;
const NODE_H = 34;
const COL_GAP = 60;
const ROW_GAP = 12;
const PAD = 10;

/** A node of the drawn graph. */
export interface DagNode {
  /** The tool's name, or the template's when grouped. */
  name: string;
  /** What it is coloured by. */
  status: Outcome;
  /** Indexes of the nodes it relies on. */
  parents: number[];
  /** How many tools it stands for (1 unless grouped) and how many of them ended how. */
  count: number;
  counts: Partial<Record<Outcome, number>>;
}

/** Order of badness: a group is coloured by the first of these any of its tools has. */
const WORST_FIRST: Outcome[] = ['failed', 'cancelled', 'running', 'ready', 'pending', 'skipped', 'succeeded', 'cached'];

/**
 * A tool's colour: its status, `cached` when its last attempt was a cache hit. A tool that never ran
 * has no attempt (skipped, or cancelled before it was submitted): its status colours it.
 */
function toolOutcome(t: ReportTool): Outcome {
  const last = t.attempts[t.attempts.length - 1];
  return outcomeOf({ status: t.status, cachedFrom: last && last.status === t.status ? last.cachedFrom : null });
}

/**
 * The nodes to draw: one per tool, or (more than `GROUP_ABOVE` tools) one per template, edges
 * merged. Rely names that are not tools of the task are ignored.
 */
export function dagNodes(tools: readonly ReportTool[], groupAbove = GROUP_ABOVE): DagNode[] {
  const grouped = tools.length > groupAbove;
  const keyOf = (t: ReportTool) => (grouped ? (t.instance?.tool ?? t.name) : t.name);
  const index = new Map<string, number>();
  const nodes: DagNode[] = [];
  const nodeOfTool = new Map<string, number>();
  for (const t of tools) {
    const key = keyOf(t);
    let i = index.get(key);
    if (i === undefined) {
      i = nodes.length;
      index.set(key, i);
      nodes.push({ name: key, status: 'succeeded', parents: [], count: 0, counts: {} });
    }
    const n = nodes[i]!;
    const o = toolOutcome(t);
    n.count++;
    n.counts[o] = (n.counts[o] ?? 0) + 1;
    nodeOfTool.set(t.name, i);
  }
  for (const n of nodes) n.status = WORST_FIRST.find((o) => (n.counts[o] ?? 0) > 0) ?? 'pending';
  for (const t of tools) {
    const i = nodeOfTool.get(t.name)!;
    for (const dep of t.rely) {
      const j = nodeOfTool.get(dep);
      if (j !== undefined && j !== i && !nodes[i]!.parents.includes(j)) nodes[i]!.parents.push(j);
    }
  }
  return nodes;
}

/**
 * Each node's layer: 0 for a node without parents, else 1 + the largest layer of its parents.
 * Iterative (Kahn's order), so a long chain cannot overflow the stack; a node on a cycle (not in a
 * valid workflow) gets layer 0.
 */
export function layersOf(nodes: readonly DagNode[]): number[] {
  const layer = nodes.map(() => 0);
  const children: number[][] = nodes.map(() => []);
  const waiting = nodes.map((n) => n.parents.length);
  nodes.forEach((n, i) => n.parents.forEach((p) => children[p]!.push(i)));
  const queue = nodes.flatMap((n, i) => (n.parents.length === 0 ? [i] : []));
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    for (const c of children[i]!) {
      layer[c] = Math.max(layer[c]!, layer[i]! + 1);
      if (--waiting[c]! === 0) queue.push(c);
    }
  }
  return layer;
}

/** The counts of a grouped node: `12 succeeded, 2 failed`. */
function countsText(n: DagNode): string {
  return WORST_FIRST.filter((o) => n.counts[o]).map((o) => `${n.counts[o]} ${o}`).join(', ');
}

/** The DAG SVG (`<svg class="dag">`). */
export function dagSvg(tools: readonly ReportTool[], groupAbove = GROUP_ABOVE): string {
  const nodes = dagNodes(tools, groupAbove);
  const layer = layersOf(nodes);
  const columns: number[][] = [];
  nodes.forEach((_, i) => (columns[layer[i]!] ??= []).push(i));
  // Barycenter order: each column after the first sorted by its nodes' parents' mean row.
  const row = nodes.map(() => 0);
  columns.forEach((col, c) => {
    if (c > 0) {
      const key = (i: number) => {
        const ps = nodes[i]!.parents;
        return ps.length === 0 ? Number.MAX_SAFE_INTEGER : ps.reduce((s, p) => s + row[p]!, 0) / ps.length;
      };
      col.sort((a, b) => key(a) - key(b) || a - b);
    }
    col.forEach((i, r) => (row[i] = r));
  });
  const tallest = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const width = PAD * 2 + columns.length * NODE_W + Math.max(0, columns.length - 1) * COL_GAP;
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
  // Each column centred vertically.
  const pos = nodes.map((_, i) => {
    const colLen = columns[layer[i]!]!.length;
    const offset = ((tallest - colLen) * (NODE_H + ROW_GAP)) / 2;
    return { x: PAD + layer[i]! * (NODE_W + COL_GAP), y: PAD + offset + row[i]! * (NODE_H + ROW_GAP) };
  });
  const edges: string[] = [];
  nodes.forEach((n, i) => {
    for (const p of n.parents) {
      const a = pos[p]!;
      const b = pos[i]!;
      const x1 = a.x + NODE_W;
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x;
      const y2 = b.y + NODE_H / 2;
      const mid = (x1 + x2) / 2;
      edges.push(`<path class="edge" d="M${px(x1)},${px(y1)} C${px(mid)},${px(y1)} ${px(mid)},${px(y2)} ${px(x2 - 4)},${px(y2)}" marker-end="url(#arrow)"/>`);
    }
  });
  const boxes = nodes.map((n, i) => {
    const { x, y } = pos[i]!;
    const c = OUTCOME_COLOURS[n.status];
    const label = n.count > 1 ? `${n.name} ×${n.count}` : n.name;
    const title = n.count > 1 ? `${n.name}: ${n.count} instances — ${countsText(n)}` : `${n.name}: ${c.label}`;
    const sub = n.count > 1 ? countsText(n) : n.status;
    return (
      `<g class="node" data-tool="${escapeHtml(n.name)}" data-status="${n.status}"><rect x="${px(x)}" y="${px(y)}" width="${NODE_W}" height="${NODE_H}" rx="5" fill="${c.fill}"/>` +
      `<text class="node-label" x="${px(x + NODE_W / 2)}" y="${px(y + 14)}" text-anchor="middle" fill="${c.text}">${escapeHtml(shorten(label, 24))}</text>` +
      `<text class="node-sub" x="${px(x + NODE_W / 2)}" y="${px(y + 27)}" text-anchor="middle" fill="${c.text}">${escapeHtml(shorten(sub, 30))}</text>` +
      `<title>${escapeHtml(title)}</title></g>`
    );
  });
  const defs = '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="arrow-head"/></marker></defs>';
  return `<svg class="dag" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="the workflow's tools and their dependencies">${defs}${edges.join('')}${boxes.join('')}</svg>`;
}
