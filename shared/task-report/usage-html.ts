/**
 * The report's resource use against what was given (the view of the Nextflow report people read
 * most, its "Resource Usage" tab): for each attempt that ran, a bar of its peak memory over the
 * memory it was given, and one of its cpu time over its wall time × the cpu it was given (a tool
 * that used more cores than it asked for passes 100%: the bar is then full and says so). A task
 * of more than `GROUP_ABOVE` tools shows one row per template instead, over the last attempt of
 * each instance: the median and the largest share, with the instance that used most.
 */
import { formatBytes, formatCpu } from '../spec/resources.js';
import { usageOf, type AttemptView } from './attempt-view.js';
import { GROUP_ABOVE } from './dag-svg.js';
import { escapeHtml, OUTCOME_COLOURS, outcomeOf } from './html-text.js';
import type { ReportTool } from './report-data.js';

/** Why a number may be missing, as the cell's tooltip. */
const NOT_MEASURED = {
  memory: 'memory is sampled every 0.5 s from the attempt\'s cgroup: an attempt that ended sooner, one run under ulimit -v (no cgroup), or a cluster node whose cgroup could not be read has no peak',
  cpu: 'cpu time comes from the attempt\'s cgroup or its shell\'s rusage: none for an attempt that did not run to its end under toolflow, or a cluster node whose cgroup could not be read',
};

/** `0.42s`, `1m05s`. */
function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(2)}s` : `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** A meter: a bar filled to `fraction` (at most full; past 1 it is marked `over`), and its text. */
function meter(kind: 'memory' | 'cpu', fraction: number | null, text: string): string {
  if (fraction === null) return `<td class="meter-cell"><span class="unknown" title="${escapeHtml(NOT_MEASURED[kind])}">${escapeHtml(text)}</span></td>`;
  const pct = Math.round(fraction * 100);
  const width = Math.min(100, Math.max(0, pct));
  // Memory at its limit is what an OOM kill looks like; cpu past 100% used more cores than given.
  const over = fraction > 1 ? ' over' : kind === 'memory' && fraction >= 0.995 ? ' full' : '';
  return `<td class="meter-cell"><div class="meter-box"><div class="meter ${kind}${over}" data-kind="${kind}" data-percent="${pct}"><div class="fill" style="width:${width}%"></div></div><span class="meter-text">${fraction > 0 && pct === 0 ? '&lt;1' : pct}% · ${escapeHtml(text)}</span></div></td>`;
}

/** The attempts a usage row is made for: those that ran (a cache hit did not; an attempt that never started has no numbers). */
function ran(a: AttemptView): boolean {
  return a.startedAt !== null && a.cachedFrom === null;
}

/** The memory and cpu texts of an attempt. */
function texts(a: AttemptView): { memory: string; cpu: string } {
  const memory = a.peakMemBytes === null ? 'peak memory not measured' : `${formatBytes(a.peakMemBytes)} of ${formatBytes(a.resources.memBytes)}`;
  const cpu = a.cpuTimeMs === null ? 'cpu time not measured' : `${seconds(a.cpuTimeMs)} cpu in ${seconds(a.durationMs ?? 0)} wall with ${formatCpu(a.resources.cpuMillicores)} cpu`;
  return { memory, cpu };
}

/** One row per attempt that ran. */
function attemptRows(tools: readonly ReportTool[]): string[] {
  const rows: string[] = [];
  for (const t of tools) {
    for (const a of t.attempts.filter(ran)) {
      const use = usageOf(a);
      const o = outcomeOf(a);
      const tx = texts(a);
      rows.push(
        `<tr class="usage-row" data-tool="${escapeHtml(t.name)}" data-attempt="${a.attempt}"><td class="tool-name">${escapeHtml(t.name)}</td><td>${a.attempt}</td>` +
          `<td><span class="dot" style="background:${OUTCOME_COLOURS[o].fill}"></span>${escapeHtml(a.reason ?? o)}</td>` +
          meter('memory', use.memory, tx.memory) +
          meter('cpu', use.cpu, tx.cpu) +
          '</tr>',
      );
    }
  }
  return rows;
}

/** The median of numbers (sorted copy). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One row per template over its instances' last attempts that ran. */
function groupRows(tools: readonly ReportTool[]): string[] {
  const groups = new Map<string, { tool: string; a: AttemptView }[]>();
  for (const t of tools) {
    const last = t.attempts.filter(ran).pop();
    if (!last) continue;
    const key = t.instance?.tool ?? t.name;
    groups.set(key, [...(groups.get(key) ?? []), { tool: t.name, a: last }]);
  }
  return [...groups].map(([name, list]) => {
    const cell = (kind: 'memory' | 'cpu') => {
      const known = list.map((x) => ({ ...x, f: usageOf(x.a)[kind] })).filter((x): x is typeof x & { f: number } => x.f !== null);
      if (known.length === 0) return meter(kind, null, `${kind === 'memory' ? 'peak memory' : 'cpu time'} not measured`);
      const top = known.reduce((m, x) => (x.f > m.f ? x : m));
      const t = texts(top.a)[kind];
      return meter(kind, top.f, `${t} (${top.tool}, the most); median ${Math.round(median(known.map((x) => x.f)) * 100)}%`);
    };
    const counts = new Map<string, number>();
    for (const x of list) counts.set(outcomeOf(x.a), (counts.get(outcomeOf(x.a)) ?? 0) + 1);
    const outcomes = [...counts].map(([o, n]) => `<span class="dot" style="background:${OUTCOME_COLOURS[o as keyof typeof OUTCOME_COLOURS].fill}"></span>${n} ${escapeHtml(o)}`).join(' ');
    return `<tr class="usage-row" data-tool="${escapeHtml(name)}"><td class="tool-name">${escapeHtml(name)}</td><td>${list.length === 1 ? '1 instance' : `${list.length} instances`}</td><td class="outcomes">${outcomes}</td>${cell('memory')}${cell('cpu')}</tr>`;
  });
}

/** The usage table (`<table class="usage">`), or a sentence when nothing ran. */
export function usageHtml(tools: readonly ReportTool[], groupAbove = GROUP_ABOVE): string {
  const grouped = tools.length > groupAbove;
  const rows = grouped ? groupRows(tools) : attemptRows(tools);
  if (rows.length === 0) return '<p class="none">No attempt has run yet (cache hits do not run).</p>';
  return (
    `<table class="usage"><thead><tr><th>tool</th><th>${grouped ? 'instances' : 'attempt'}</th><th>${grouped ? 'last attempts' : 'outcome'}</th><th>memory: peak / given</th><th>cpu: cpu time / (wall × cpu given)</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}
