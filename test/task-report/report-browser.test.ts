/**
 * `toolflow report` as a person sees it (issue 12 §6): a real small workflow — a tool that runs out
 * of memory twice and succeeds on its third attempt, one that fails with HTML in its stderr, one
 * skipped after it — run by the CLI, its report written, then opened in headless Chromium (Debian's
 * `chromium`, driven by playwright-core) from the file, offline. The test checks what is on the
 * screen: one timeline bar per attempt, coloured by outcome; the DAG's nodes coloured by status;
 * the resource rows; every failure's message with the tool's `<script>` shown as text and never run;
 * no request other than the file itself. It saves a screenshot to /tmp/report.png.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/report.png';
const home = tempDir('toolflow-report-');
const env = { TOOLFLOW_HOME: home };

/** The tool `bad` writes this to stderr, then exits 3. */
const EVIL = `parse error near <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned = 2"> & "quotes"`;
const evilFile = join(home, 'evil.txt');
const WORKFLOW = `name: report-demo
description: An OOM rerun, a tool that fails with HTML in its stderr, and one skipped after it.
tools:
  - name: prepare
    mem: 64M
    cmds:
      - perl -e 'my $s = 0; $s += $_ for 1..3_000_000; print "$s\\n"' > sum.txt
    outputs: [sum.txt]
  - name: hold_in_memory
    mem: 64M
    rely: [prepare]
    cmds:
      - perl -e '$x = "a" x ($ARGV[0] * 1000 * 1000); print length($x), "\\n"' 100 > size.txt
    outputs: [size.txt]
    retry: {max: 4, on: [oom], grow: 2, cap: {mem: 1G}}
  - name: bad
    mem: 64M
    rely: [prepare]
    env: {EVIL_FILE: ${JSON.stringify(evilFile)}}
    cmds:
      - cat "$EVIL_FILE" >&2
      - exit 3
  - name: after_bad
    mem: 64M
    rely: [bad, hold_in_memory]
    cmds: ["echo done"]
`;

/** One attempt as `toolflow status TASK --json` lists it. */
interface AttemptJson {
  attempt: number;
  status: string;
  reason: string | null;
  deliveredAt: string | null;
  cpuTimeMs: number | null;
  peakMemBytes: number | null;
  resources: { memBytes: number };
}

let browser: Browser;
let taskId: string;
let reportFile: string;
/** Each tool's attempts, from `toolflow status TASK --json`: what the report must show. */
let attempts: Map<string, AttemptJson[]>;
/** `[tool, attempt, outcome]` of every attempt that was submitted, in workflow order. */
let submitted: [string, string, string][];

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
  const wf = join(home, 'report-demo.yaml');
  writeFileSync(wf, WORKFLOW);
  // From a file: the text reaches stderr as the tool's own output, unquoted by YAML or a shell.
  writeFileSync(evilFile, `${EVIL}\n`);
  const run = await toolflow(['run', wf, '--json'], env);
  expect(run.code, run.stderr).toBe(1);
  taskId = (JSON.parse(run.stdout) as { taskId: string }).taskId;
  const status = await toolflow(['status', taskId, '--json'], env);
  expect(status.code).toBe(0);
  const tools = (JSON.parse(status.stdout) as { tools: { name: string; attempts: AttemptJson[] }[] }).tools;
  attempts = new Map(tools.map((t) => [t.name, t.attempts]));
  submitted = tools.flatMap((t) => t.attempts.filter((a) => a.deliveredAt !== null).map((a): [string, string, string] => [t.name, String(a.attempt), a.status]));
  mkdirSync(join(home, 'out'));
  reportFile = join(home, 'out', 'report.html');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('toolflow report', () => {
  it('status TASK --json lists every attempt with its numbers; status TASK shows the rerun tool\'s attempts', async () => {
    const hog = attempts.get('hold_in_memory')!;
    expect(hog.length).toBeGreaterThanOrEqual(2);
    expect(hog[0]).toMatchObject({ attempt: 1, status: 'failed', reason: 'oom', resources: { memBytes: 64e6 } });
    expect(hog.at(-1)).toMatchObject({ status: 'succeeded' });
    expect(hog[1]!.resources.memBytes).toBe(128e6);
    expect(attempts.get('after_bad')).toEqual([]); // skipped: it never ran, so no attempt
    expect(typeof attempts.get('prepare')![0]!.cpuTimeMs).toBe('number');
    const text = await toolflow(['status', taskId], env);
    expect(text.stdout).toContain("attempts of the tools that ran more than once (toolflow status TASK --attempts shows every tool's):");
    expect(text.stdout).toMatch(/│ hold_in_memory │ 1 +│ failed +│ 137 +│ oom +│/);
    expect(text.stdout).not.toMatch(/│ prepare +│ 1 +│ succeeded +│ 0 +│ - +│ \+/); // once: only with --attempts
    const all = await toolflow(['status', taskId, '--attempts'], env);
    expect(all.stdout).toMatch(/│ prepare +│ 1 +│ succeeded +│ 0 +│ - +│ \+/);
    expect(all.stdout).toMatch(/│ after_bad +│ - +│ skipped \(not run\) +│/);
    expect(all.stdout).not.toMatch(/│ after_bad +│ 1 +│/);
  });

  it('writes one HTML file and says what it holds; an unknown task is an error saying how to find one', async () => {
    const r = await toolflow(['report', taskId, '-o', reportFile], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const failures = [...attempts.values()].flat().filter((a) => a.status === 'failed').length;
    expect(r.stdout).toBe(`wrote ${reportFile}: task ${taskId} (failed), 4 tools, ${submitted.length} attempts run, ${failures} failures\n`);
    const unknown = await toolflow(['report', 'nosuchtask'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no task nosuchtask; `toolflow status` lists recent tasks');
    const missing = join(home, 'no-such-folder', 'r.html');
    const noFolder = await toolflow(['report', taskId, '-o', missing], env);
    expect([noFolder.code, noFolder.stderr]).toEqual([2, `toolflow: cannot write the report to ${missing}: the folder ${join(home, 'no-such-folder')} does not exist; make it, or give another place with -o FILE\n`]);
    const folder = await toolflow(['report', taskId, '-o', join(home, 'out')], env);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`cannot write the report to ${join(home, 'out')}: it is a folder`);
    expect(readdirSync(join(home, 'out'))).toEqual(['report.html']); // no temporary file left behind
  });

  it('shows the timeline, the DAG coloured by status, resource use and every failure, runs no script and loads nothing', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('pageerror', (err) => errors.push(err.message));
    const url = pathToFileURL(reportFile).href;
    await page.goto(url);

    // The header and the task's facts.
    await expect(page.locator('header h1').innerText()).resolves.toContain('report-demo');
    await expect(page.locator('#summary').innerText()).resolves.toMatch(/status\s+failed/);
    await expect(page.locator('#summary').innerText()).resolves.toContain(`attempts run ${submitted.length} (1 tool rerun)`);
    await expect(page.locator('#summary').innerText()).resolves.toContain('1 tool failed: bad (exited with code 3); 1 skipped');

    // Timeline: one visible bar per attempt, coloured by outcome (red failed, green succeeded); the rerun's on one row.
    const bars = page.locator('svg.timeline g.bar');
    await expect(bars.count()).resolves.toBe(submitted.length);
    for (let i = 0; i < submitted.length; i++) expect(await bars.nth(i).isVisible()).toBe(true);
    const outcomes = await bars.evaluateAll((els) => els.map((e) => [e.getAttribute('data-tool'), e.getAttribute('data-attempt'), e.getAttribute('data-outcome'), getComputedStyle(e.querySelector('rect')!).fill]));
    const fill = { succeeded: 'rgb(46, 125, 50)', failed: 'rgb(198, 40, 40)' } as Record<string, string>;
    expect(outcomes).toEqual(submitted.map(([tool, attempt, status]) => [tool, attempt, status, fill[status]]));
    expect(outcomes.filter((o) => o[0] === 'hold_in_memory').map((o) => o[2])).toEqual([...attempts.get('hold_in_memory')!.slice(0, -1).map(() => 'failed'), 'succeeded']);
    const [first, second] = await Promise.all([bars.nth(1).boundingBox(), bars.nth(2).boundingBox()]);
    expect(second!.x).toBeGreaterThan(first!.x); // the rerun after the first attempt, on the same row
    expect(second!.y).toBe(first!.y);
    await expect(page.locator('svg.timeline g.bar[data-tool="after_bad"]').count()).resolves.toBe(0);
    const note = page.locator('svg.timeline text.row-note');
    await expect(note.textContent()).resolves.toBe('skipped: bad failed');
    expect(await note.isVisible()).toBe(true);

    // The DAG: every tool a node, coloured by its status, with its label.
    const nodes = await page.locator('svg.dag g.node').evaluateAll((els) => els.map((e) => [e.getAttribute('data-tool'), e.getAttribute('data-status'), getComputedStyle(e.querySelector('rect')!).fill, e.querySelector('text')!.textContent]));
    expect(nodes).toEqual([
      ['prepare', 'succeeded', 'rgb(46, 125, 50)', 'prepare'],
      ['hold_in_memory', 'succeeded', 'rgb(46, 125, 50)', 'hold_in_memory'],
      ['bad', 'failed', 'rgb(198, 40, 40)', 'bad'],
      ['after_bad', 'skipped', 'rgb(189, 189, 189)', 'after_bad'],
    ]);
    await expect(page.locator('svg.dag path.edge').count()).resolves.toBe(4);

    // Resource use: a row per attempt that ran; the OOM-killed attempts at their memory limit.
    const rows = page.locator('table.usage tr.usage-row');
    await expect(rows.count()).resolves.toBe(submitted.length);
    const oom = page.locator('table.usage tr.usage-row[data-tool="hold_in_memory"][data-attempt="1"]');
    await expect(oom.innerText()).resolves.toMatch(/oom[\s\S]*64M of 64M/);
    await expect(oom.locator('.meter.memory').getAttribute('data-percent')).resolves.toBe('100');
    await expect(page.locator('table.usage tr.usage-row[data-tool="prepare"] .meter.cpu').count()).resolves.toBe(1); // cpu time measured

    // Every failure's message, the tool's HTML as text.
    const failed = submitted.filter((a) => a[2] === 'failed').length;
    await expect(page.locator('#failures .failure').count()).resolves.toBe(failed);
    await expect(page.locator('#failures h2').innerText()).resolves.toBe(`Failures (${failed})`);
    const bad = page.locator('#failures .failure[data-tool="bad"]');
    await expect(bad.locator('.message').innerText()).resolves.toContain('exited with code 3');
    await expect(bad.locator('pre.stderr').innerText()).resolves.toBe(EVIL);
    expect(await bad.locator('pre.stderr').isVisible()).toBe(true);
    await expect(page.locator('#failures .failure[data-tool="hold_in_memory"][data-attempt="1"] .message').innerText()).resolves.toMatch(/^out of memory/);

    // Nothing ran, nothing was fetched.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => document.scripts.length + document.querySelectorAll('img, iframe, object, embed, link[rel=stylesheet]').length)).toBe(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});
