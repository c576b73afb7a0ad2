/**
 * monitoring/alloy/config.alloy, the example Grafana Alloy pipeline that ships toolflow's logs to
 * Loki. No Alloy runs here (neither Debian nor npm packages it), so the test checks what can be
 * checked without it: that every field its JSON stage reads is one toolflow's real log lines carry
 * (read from a real function process), that its level names are pino's, that its labels are only
 * bounded ones (ids stay in the line), and that it only wires components it defines, of kinds
 * Alloy has (Alloy's component reference: discovery.kubernetes, discovery.relabel,
 * loki.source.kubernetes, loki.process, loki.write, local.file_match, loki.source.file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../deploy/manifests.js';
import { freePort } from '../http/helpers.js';
import { BIN } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from './prometheus-server.js';

const text = readFileSync(join(ROOT, 'monitoring/alloy/config.alloy'), 'utf8');
/** The configuration without its comments. */
const code = text
  .split('\n')
  .map((l) => l.replace(/^\s*\/\/.*$/, ''))
  .join('\n');

/** The `key = ""` entries of the object assigned to `attribute` inside block `block`. */
function objectKeys(block: string, attribute: string): string[] {
  const start = code.indexOf(`${block} {`);
  expect(start, block).toBeGreaterThanOrEqual(0);
  const body = code.slice(start, code.indexOf('}\n', code.indexOf(`${attribute} = {`, start)));
  const object = body.slice(body.indexOf(`${attribute} = {`) + attribute.length + 4);
  return [...object.matchAll(/^\s*(\w+)\s*=/gm)].map((m) => m[1]!);
}

describe('the Alloy configuration', () => {
  const procs: ChildProcess[] = [];
  afterAll(() => {
    for (const p of procs) p.kill('SIGKILL');
  });

  it('reads fields toolflow’s log lines really carry (a function process’s output)', async () => {
    // Both streams, as Alloy reads a container's log: under faas-js-runtime the lines go to stdout.
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'function', 'notify', '--port', String(port)], { env: { ...process.env, TOOLFLOW_HOME: tempDir(), TOOLFLOW_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/health/readiness`).then((r) => r.ok, () => false)) || undefined, 30_000, 'notify to be ready');
    // An Alertmanager webhook without its token: refused, and logged (pino writes asynchronously).
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    await waitFor(async () => (output.includes('refused an Alertmanager webhook') ? true : undefined), 10_000, 'notify to log the refusal');
    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    const read = objectKeys('stage.json', 'expressions');
    expect(read).toEqual(['level', 'time', 'component', 'function']);
    // Every line has a numeric level and an epoch-ms time; toolflow's own lines (not the HTTP
    // server's request lines) name their component and function.
    for (const line of lines) {
      expect(typeof line.level).toBe('number');
      expect(typeof line.time).toBe('number');
    }
    const own = lines.filter((l) => l.component !== undefined);
    expect(own.length).toBeGreaterThan(0);
    for (const line of own) expect([line.component, line.function]).toEqual(['toolflow', 'notify']);
    // The timestamp stage reads `time` as epoch milliseconds.
    expect(code).toMatch(/stage\.timestamp \{\s*source = "time"\s*format\s*= "UnixMs"/);
    expect(Math.abs((lines[0]!.time as number) - Date.now())).toBeLessThan(600_000);
  });

  it('names pino’s levels as pino does', () => {
    const template = /template = `([^`]*)`/.exec(code)![1]!;
    const mapped = Object.fromEntries([...template.matchAll(/eq \.Value "(\d+)" \}\}(\w+)\{\{/g)].map((m) => [m[1]!, m[2]!]));
    expect(mapped).toEqual(Object.fromEntries(Object.entries(pino.levels.labels).map(([n, name]) => [n, name])));
  });

  it('sets only bounded labels: no task id, tool, attempt, owner or upload id, and no Pod name for a task’s Pods', () => {
    const labels = [...objectKeys('stage.labels', 'values'), ...[...code.matchAll(/target_label\s*=\s*"(\w+)"/g)].map((m) => m[1]!)];
    expect([...new Set(labels)].sort()).toEqual(['app', 'component', 'container', 'function', 'level', 'namespace', 'pod', 'role']);
    // The pod label is cleared for Pods that carry toolflow.io/task (their names hold the task id).
    expect(code).toMatch(/source_labels = \["__meta_kubernetes_pod_label_toolflow_io_task"\]\s*regex\s*= "\.\+"\s*target_label\s*= "pod"\s*replacement\s*= ""/);
  });

  it('wires only components it defines, of kinds Alloy has, with balanced braces', () => {
    const kinds = ['discovery.kubernetes', 'discovery.relabel', 'loki.source.kubernetes', 'loki.process', 'loki.write'];
    const defined = [...code.matchAll(/^([a-z_.]+) "(\w+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`);
    expect(defined).toEqual(['discovery.kubernetes.pods', 'discovery.relabel.toolflow', 'loki.source.kubernetes.toolflow', 'loki.process.toolflow', 'loki.write.default']);
    for (const d of defined) expect(kinds.some((k) => d.startsWith(`${k}.`))).toBe(true);
    for (const m of code.matchAll(/= \[?((?:discovery|loki)\.[a-z_.]+)\.(targets|output|receiver)\]?/g)) expect(defined, m[0]).toContain(m[1]);
    expect(code.split('{').length).toBe(code.split('}').length);
  });
});
