/**
 * `toolflow report`'s page: ONE self-contained static HTML file — its CSS and SVG inline, no
 * script, nothing fetched (its Content-Security-Policy, `default-src 'none'`, forbids any request
 * and any script; inline styles are allowed), so it opens offline, from a mail attachment or an
 * artifact store. Sections: the task (status, times, counts), a timeline of every attempt
 * (`timeline-svg.ts`), the DAG coloured by status (`dag-svg.ts`), resource use against what was
 * given (`usage-html.ts`), and every failed attempt with its message and the last lines of its
 * stderr. Untrusted text is escaped (`html-text.ts`).
 */
import { formatBytes } from '../spec/resources.js';
import { dagSvg, GROUP_ABOVE } from './dag-svg.js';
import { escapeHtml, OUTCOME_COLOURS, type Outcome } from './html-text.js';
import type { ReportFailure, TaskReport } from './report-data.js';
import { barAttempts, timelineSvg } from './timeline-svg.js';
import { usageHtml } from './usage-html.js';

/** The page's policy: nothing loaded, no script; inline styles only. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #212121; margin: 0; background: #fafafa; }
header { background: #263238; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; font-weight: 600; }
header .meta { color: #cfd8dc; font-size: 13px; }
main { padding: 8px 24px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 12px 16px 16px; margin-top: 16px; }
h2 { font-size: 16px; margin: 0 0 8px; }
.scroll { overflow-x: auto; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; vertical-align: middle; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 4px 0 0; padding: 0; list-style: none; }
.facts b { font-weight: 600; }
.error { color: #b71c1c; margin: 8px 0 0; white-space: pre-wrap; word-break: break-word; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; margin: 4px 0 8px; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.swatch, .dot { display: inline-block; width: 11px; height: 11px; border-radius: 2px; }
.dot { border-radius: 50%; margin-right: 5px; vertical-align: -1px; }
svg text { font-family: inherit; }
.timeline .tick { font-size: 11px; fill: #616161; }
.timeline .grid { stroke: #eeeeee; }
.timeline .stripe { fill: #f7f7f7; }
.timeline .row-label { font-size: 12px; fill: #212121; }
.timeline .bar-label { font-size: 10px; font-weight: 600; }
.timeline .wait { fill: #b0bec5; }
.timeline .row-note { font-size: 11px; fill: #757575; font-style: italic; }
.dag .edge { fill: none; stroke: #90a4ae; stroke-width: 1.4; }
.dag .arrow-head { fill: #90a4ae; }
.dag .node-label { font-size: 12px; font-weight: 600; }
.dag .node-sub { font-size: 10px; }
table.usage { border-collapse: collapse; width: 100%; font-size: 13px; }
table.usage th { text-align: left; font-weight: 600; border-bottom: 1px solid #e0e0e0; padding: 4px 8px; }
table.usage td { padding: 3px 8px; border-bottom: 1px solid #f5f5f5; vertical-align: middle; }
td.tool-name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: nowrap; }
table.usage th, table.usage td:nth-child(-n+3) { white-space: nowrap; }
.meter-cell { min-width: 300px; }
.meter-box { display: flex; align-items: center; gap: 8px; }
.meter { flex: none; width: 120px; height: 12px; background: #eceff1; border-radius: 3px; overflow: hidden; }
.meter .fill { height: 100%; background: #5c6bc0; }
.meter.memory .fill { background: #7e57c2; }
.meter.full .fill, .meter.over .fill { background: #d84315; }
.meter-text { font-size: 12px; color: #424242; }
.unknown, .none { color: #757575; font-style: italic; }
.failure { border-left: 4px solid ${OUTCOME_COLOURS.failed.fill}; padding: 6px 12px; margin: 10px 0; background: #fff8f8; }
.failure.rerun { border-left-color: #ef9a9a; }
.failure h3 { font-size: 14px; margin: 0 0 2px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.failure .message { margin: 2px 0; white-space: pre-wrap; word-break: break-word; }
.failure .evidence { color: #5d4037; font-size: 12px; margin: 2px 0; }
.failure pre { background: #263238; color: #eceff1; padding: 8px 10px; border-radius: 4px; font-size: 12px; overflow-x: auto; margin: 6px 0 0; white-space: pre-wrap; word-break: break-word; }
footer { color: #757575; font-size: 12px; padding: 0 24px 24px; }
`;

/** An ISO time as `2026-03-01 14:05:09 UTC` (null: `-`). */
function when(isoTime: string | null): string {
  return isoTime === null ? '-' : `${isoTime.slice(0, 10)} ${isoTime.slice(11, 19)} UTC`;
}

/** `4m05s` / `1.20s`. */
function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const s = Math.round(ms / 1000);
  return s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A status badge. */
function badge(status: Outcome | string): string {
  const c = OUTCOME_COLOURS[(status in OUTCOME_COLOURS ? status : 'pending') as Outcome];
  return `<span class="badge" style="background:${c.fill};color:${c.text}">${escapeHtml(status)}</span>`;
}

/** The legend of the colours. */
function legend(): string {
  return `<div class="legend">${(Object.keys(OUTCOME_COLOURS) as Outcome[]).map((o) => `<span><i class="swatch" style="background:${OUTCOME_COLOURS[o].fill}"></i>${escapeHtml(OUTCOME_COLOURS[o].label)}</span>`).join('')}<span><i class="swatch" style="background:#b0bec5;height:3px"></i>waiting to start</span></div>`;
}

/** The task's facts: status, times, how many tools ended how, attempts, reruns, cpu time. */
function summary(r: TaskReport): string {
  const byStatus = new Map<string, number>();
  for (const t of r.tools) byStatus.set(t.status, (byStatus.get(t.status) ?? 0) + 1);
  const attempts = r.tools.reduce((n, t) => n + barAttempts(t).length, 0);
  const reruns = r.tools.filter((t) => barAttempts(t).length > 1).length;
  const cpu = r.tools.reduce((n, t) => n + t.attempts.reduce((m, a) => m + (a.cpuTimeMs ?? 0), 0), 0);
  const peak = Math.max(0, ...r.tools.flatMap((t) => t.attempts.map((a) => a.peakMemBytes ?? 0)));
  const facts = [
    `<li><b>status</b> ${badge(r.task.status)}</li>`,
    `<li><b>created</b> ${escapeHtml(when(r.task.createdAt))}</li>`,
    `<li><b>finished</b> ${escapeHtml(when(r.task.finishedAt))}</li>`,
    `<li><b>duration</b> ${duration(r.task.durationMs)}</li>`,
    `<li><b>tools</b> ${r.tools.length} (${[...byStatus].map(([s, n]) => `${n} ${escapeHtml(s)}`).join(', ')})</li>`,
    `<li><b>attempts run</b> ${attempts}${reruns ? ` (${reruns} tool${reruns === 1 ? '' : 's'} rerun)` : ''}</li>`,
    `<li><b>cpu time</b> ${duration(cpu)}</li>`,
    `<li><b>largest peak memory</b> ${peak > 0 ? formatBytes(peak) : '-'}</li>`,
    `<li><b>owner</b> ${escapeHtml(r.task.owner)}</li>`,
  ];
  return `<section id="summary"><h2>Task</h2><ul class="facts">${facts.join('')}</ul>${r.task.error ? `<p class="error">${escapeHtml(r.task.error)}</p>` : ''}</section>`;
}

/** One failed attempt. */
function failureHtml(taskId: string, f: ReportFailure): string {
  const how = [f.reason ? `reason ${f.reason}` : null, f.exitCode !== null ? `exit code ${f.exitCode}` : null, f.signal ? `signal ${f.signal}` : null, f.rerun ? 'rerun' : 'not rerun'].filter(Boolean).join(', ');
  const stderr =
    f.stderrTail === null
      ? `<p class="unknown">stderr not on this machine: toolflow logs ${escapeHtml(taskId)} '${escapeHtml(f.tool)}' --attempt ${f.attempt}</p>`
      : f.stderrTail.length === 0
        ? '<p class="unknown">stderr was empty</p>'
        : `<pre class="stderr">${escapeHtml(f.stderrTail.join('\n'))}</pre>`;
  return (
    `<div class="failure${f.rerun ? ' rerun' : ''}" data-tool="${escapeHtml(f.tool)}" data-attempt="${f.attempt}"><h3>${escapeHtml(f.tool)} · attempt ${f.attempt}</h3>` +
    `<p class="message">${escapeHtml(f.message ?? 'failed')} <span class="unknown">(${escapeHtml(how)})</span></p>` +
    (f.evidence ? `<p class="evidence">seen: ${escapeHtml(f.evidence)}</p>` : '') +
    stderr +
    '</div>'
  );
}

/** The whole page. */
export function reportHtml(r: TaskReport): string {
  const title = `toolflow report: ${r.task.name} (${r.task.taskId})`;
  const failures = r.failures.length === 0 ? '<p class="none">No attempt failed.</p>' : r.failures.map((f) => failureHtml(r.task.taskId, f)).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="toolflow report">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(r.task.name)} ${badge(r.task.status)}</h1><div class="meta">task ${escapeHtml(r.task.taskId)} · report made ${escapeHtml(when(r.generatedAt))}</div></header>
<main>
${summary(r)}
<section id="timeline"><h2>Timeline</h2><p class="unknown">${r.tools.length > GROUP_ABOVE ? 'One row per tool, the instances of a scattered tool sharing rows' : 'One row per tool'}; one bar per attempt, from when it started to when it ended (0 = when the task was created); hover a bar for its numbers.</p>${legend()}<div class="scroll">${timelineSvg(r)}</div></section>
<section id="dag"><h2>Tools and dependencies</h2><div class="scroll">${dagSvg(r.tools)}</div></section>
<section id="usage"><h2>Resource use against what was given</h2><div class="scroll">${usageHtml(r.tools)}</div></section>
<section id="failures"><h2>Failures (${r.failures.length})</h2>${failures}</section>
</main>
<footer>Made by toolflow report; self-contained: it loads nothing and runs no script.</footer>
</body>
</html>
`;
}
