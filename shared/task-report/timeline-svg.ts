/**
 * The report's timeline: an SVG with one row per tool (above `GROUP_ABOVE` tools, the instances of
 * a template share rows: `timelineRows`) and one bar per attempt that was submitted,
 * on a time axis from the task's creation (0 s) to its end (or to when the report was made, for a
 * task still running). An attempt's thin grey lead-in is the time it waited between being submitted
 * and starting; its bar runs from its start to its end, coloured by its outcome (`OUTCOME_COLOURS`),
 * so a rerun shows as a second bar on its tool's row after a red one. Each bar has a tooltip (an SVG
 * `<title>`) with its numbers. Bars carry `data-tool`, `data-attempt` and `data-outcome`.
 */
import { formatBytes, formatCpu } from '../spec/resources.js';
import type { AttemptView } from './attempt-view.js';
import { escapeHtml, OUTCOME_COLOURS, outcomeOf, px, shorten } from './html-text.js';
import { GROUP_ABOVE } from './dag-svg.js';
import type { ReportTool, TaskReport } from './report-data.js';

/** Layout, px. */
const LABEL_W = 210;
const PLOT_W = 760;
const ROW_H = 22;
const BAR_H = 14;
const AXIS_H = 28;
/** Narrowest bar drawn (a cache hit takes no time). */
const MIN_BAR = 3;

/** `1.5s`, `2m`, `1h30m`: a tick label. */
function tickLabel(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h}h` : `${h}h${String(m % 60).padStart(2, '0')}m`;
}

/** A tick step of 1, 2 or 5 × 10^k ms giving at most about 8 ticks over `spanMs`. */
export function tickStep(spanMs: number): number {
  const rough = Math.max(1, spanMs / 8);
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const f of [1, 2, 5, 10]) if (f * power >= rough) return f * power;
  return 10 * power;
}

/** `1.20s` / `4m05s` for a tooltip. */
function seconds(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 60_000 ? `${(ms / 1000).toFixed(2)}s` : `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** The tooltip text of an attempt's bar. */
function tooltip(tool: string, a: AttemptView): string {
  const lines = [`${tool}, attempt ${a.attempt}: ${a.cachedFrom ? `cached (reused ${a.cachedFrom.taskId}/${a.cachedFrom.tool}/${a.cachedFrom.attempt})` : a.status}`];
  if (a.reason) lines.push(`reason: ${a.reason}${a.exitCode !== null ? `, exit code ${a.exitCode}` : ''}`);
  else if (a.exitCode !== null) lines.push(`exit code ${a.exitCode}`);
  lines.push(`wall ${seconds(a.durationMs)}, cpu time ${seconds(a.cpuTimeMs)}, peak memory ${a.peakMemBytes === null ? '-' : formatBytes(a.peakMemBytes)}`);
  lines.push(`given ${formatCpu(a.resources.cpuMillicores)} cpu, ${formatBytes(a.resources.memBytes)}`);
  if (a.message) lines.push(shorten(a.message, 300));
  return lines.join('\n');
}

/** The time span the timeline covers: from the task's creation to the latest moment any attempt or the task reached (epoch ms). */
export function timeSpan(report: TaskReport): { from: number; to: number } {
  const from = Date.parse(report.task.createdAt);
  let to = report.task.finishedAt ? Date.parse(report.task.finishedAt) : Date.parse(report.generatedAt);
  for (const t of report.tools) {
    for (const a of t.attempts) for (const at of [a.deliveredAt, a.startedAt, a.finishedAt]) if (at) to = Math.max(to, Date.parse(at));
  }
  return { from, to: Math.max(to, from + 1) };
}

/** The attempts of a tool that get a bar: those that were submitted. */
export function barAttempts(t: ReportTool): AttemptView[] {
  return t.attempts.filter((a) => a.deliveredAt !== null);
}

/** An attempt placed on the timeline: its tool, and its times (epoch ms). */
interface Placed {
  tool: string;
  a: AttemptView;
  submitted: number;
  start: number;
  end: number;
}

/** A row of the timeline: its label, its bars, and a note when it has none. */
interface Row {
  label: string;
  title: string;
  bars: Placed[];
  note: string | null;
}

/** An attempt's times: submitted, started (submitted when it never said), ended (`now` while it runs). */
function place(tool: string, a: AttemptView, now: number): Placed {
  const submitted = Date.parse(a.deliveredAt!);
  const start = a.startedAt ? Date.parse(a.startedAt) : submitted;
  const end = a.finishedAt ? Date.parse(a.finishedAt) : a.status === 'running' || a.status === 'ready' ? now : start;
  return { tool, a, submitted, start, end: Math.max(start, end) };
}

/** Why a tool has no bar: its status and its message (`skipped: bad failed`). */
function noteOf(t: ReportTool): string {
  return t.message ? `${t.status}: ${t.message}` : t.status;
}

/**
 * The rows: one per tool; above `groupAbove` tools, the instances of each template share rows
 * instead ("lanes": each attempt on the first lane free from its submission on, so a template
 * takes as many rows as it had attempts at once), every attempt still one bar.
 */
export function timelineRows(report: TaskReport, groupAbove = GROUP_ABOVE): Row[] {
  const now = Date.parse(report.generatedAt);
  if (report.tools.length <= groupAbove) {
    return report.tools.map((t) => {
      const bars = barAttempts(t).map((a) => place(t.name, a, now));
      return { label: t.name, title: t.name, bars, note: bars.length === 0 ? noteOf(t) : null };
    });
  }
  const groups = new Map<string, ReportTool[]>();
  for (const t of report.tools) {
    const key = t.instance?.tool ?? t.name;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const rows: Row[] = [];
  for (const [name, tools] of groups) {
    const placed = tools.flatMap((t) => barAttempts(t).map((a) => place(t.name, a, now))).sort((p, q) => p.submitted - q.submitted || p.start - q.start);
    const lanes: Placed[][] = [];
    const laneEnd: number[] = [];
    for (const p of placed) {
      let lane = laneEnd.findIndex((end) => end <= p.submitted);
      if (lane < 0) {
        lane = lanes.length;
        lanes.push([]);
        laneEnd.push(0);
      }
      lanes[lane]!.push(p);
      laneEnd[lane] = p.end;
    }
    const label = tools.length > 1 ? `${name} ×${tools.length}` : name;
    const unplaced = tools.filter((t) => barAttempts(t).length === 0);
    const note = unplaced.length === 0 ? null : tools.length === 1 ? noteOf(unplaced[0]!) : `${unplaced.length} of ${tools.length} not run (${[...new Set(unplaced.map((t) => t.status))].join(', ')})`;
    if (lanes.length === 0) rows.push({ label, title: name, bars: [], note });
    lanes.forEach((bars, i) => rows.push({ label: i === 0 ? label : '', title: name, bars, note: i === 0 && bars.length === 0 ? note : null }));
    if (lanes.length > 0 && note) rows.push({ label: '', title: name, bars: [], note });
  }
  return rows;
}

/** The timeline SVG (`<svg class="timeline">`). */
export function timelineSvg(report: TaskReport, groupAbove = GROUP_ABOVE): string {
  const { from, to } = timeSpan(report);
  const span = to - from;
  const x = (ms: number) => LABEL_W + ((ms - from) / span) * PLOT_W;
  const rows = timelineRows(report, groupAbove);
  const height = AXIS_H + rows.length * ROW_H + 8;
  const width = LABEL_W + PLOT_W + 20;
  const parts: string[] = [];
  const step = tickStep(span);
  for (let t = 0; t <= span; t += step) {
    const tx = px(x(from + t));
    parts.push(`<line class="grid" x1="${tx}" y1="${AXIS_H - 6}" x2="${tx}" y2="${height - 4}"/>`, `<text class="tick" x="${tx}" y="${AXIS_H - 10}" text-anchor="middle">${escapeHtml(tickLabel(t))}</text>`);
  }
  // Rows striped by tool (or template), not by lane.
  let stripe = false;
  rows.forEach((row, i) => {
    const y = AXIS_H + i * ROW_H;
    if (row.label !== '') stripe = !stripe;
    if (!stripe) parts.push(`<rect class="stripe" x="0" y="${y}" width="${width}" height="${ROW_H}"/>`);
    if (row.label !== '') parts.push(`<text class="row-label" x="${LABEL_W - 8}" y="${y + ROW_H / 2 + 4}" text-anchor="end">${escapeHtml(shorten(row.label, 30))}<title>${escapeHtml(row.title)}</title></text>`);
    if (row.note !== null) parts.push(`<text class="row-note" x="${LABEL_W + 6}" y="${y + ROW_H / 2 + 4}">${escapeHtml(shorten(row.note, 110))}</text>`);
    for (const { tool, a, submitted, start, end } of row.bars) {
      const outcome = outcomeOf(a);
      const colour = OUTCOME_COLOURS[outcome];
      if (start > submitted) parts.push(`<rect class="wait" x="${px(x(submitted))}" y="${y + ROW_H / 2 - 1.5}" width="${px(Math.max(1, x(start) - x(submitted)))}" height="3"/>`);
      const bx = x(start);
      const bw = Math.max(MIN_BAR, x(end) - bx);
      const attrs = `data-tool="${escapeHtml(tool)}" data-attempt="${a.attempt}" data-outcome="${outcome}"`;
      // A label only where it tells something: a rerun's number, a failure's reason.
      const text = a.attempt > 1 || outcome === 'failed' ? `#${a.attempt}${a.reason && outcome === 'failed' ? ` ${a.reason}` : ''}` : '';
      parts.push(
        `<g class="bar" ${attrs}><rect x="${px(bx)}" y="${y + (ROW_H - BAR_H) / 2}" width="${px(bw)}" height="${BAR_H}" rx="2" fill="${colour.fill}"/>` +
          (text && bw >= 7 * text.length + 6 ? `<text class="bar-label" x="${px(bx + 4)}" y="${y + ROW_H / 2 + 4}" fill="${colour.text}">${escapeHtml(text)}</text>` : '') +
          `<title>${escapeHtml(tooltip(tool, a))}</title></g>`,
      );
    }
  });
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="timeline of the attempts">${parts.join('')}</svg>`;
}
