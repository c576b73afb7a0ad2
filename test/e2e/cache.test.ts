/**
 * Cached reruns end to end (issue 10, section 3), through the CLI in embedded mode as a user runs
 * it: a 3-tool chain run again is reused whole (no tool's process starts: each command appends to a
 * log outside toolflow, and the reused attempts' logs are the first run's, hard-linked); a changed
 * option reruns that tool and its descendants only, and a tool reading a file its cached dependency
 * wrote but never declared finds it (the design-doc-tool example); a deleted cached output file reruns its tool; `--no-cache` reruns
 * everything; a changed input file reruns the tools that get it; `toolflow explain` and `status
 * --json` say why each time.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const home = tempDir('toolflow-cache-');
const BIN = join(import.meta.dirname, '../../bin/toolflow.js');
const RAN = join(home, 'ran.log');

/** Runs the CLI as a user would; never throws on a non-zero exit. */
async function toolflow(args: string[]) {
  try {
    const { stdout, stderr } = await exec('node', [BIN, ...args], { env: { ...process.env, TOOLFLOW_HOME: home } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface ToolJson {
  name: string;
  status: string;
  workDir: string | null;
  cache?: { hit: boolean; from?: string; why?: string } | null;
  /** In `run --json`: the attempt reused, or null when the tool ran. */
  cached?: { taskId: string; tool: string; attempt: number } | null;
}
interface TaskJson {
  taskId: string;
  status: string;
  tools: ToolJson[];
}
interface ExplainJson {
  outcome: string;
  cachedFrom: string | null;
  previous: string | null;
  changes: string[];
  message: string;
}

// Each tool appends its name to ran.log (outside toolflow: only a process that really started does),
// then writes its output from its dependency's.
const WORKFLOW = join(home, 'chain.yaml');
writeFileSync(
  WORKFLOW,
  `name: cached-chain
inputs:
  words: {type: file}
tools:
  - name: a
    cpu: 0.1
    mem: 64M
    outputs: [a.txt]
    cmds:
      - echo a >> '${RAN}'
      - sort "$TF_INPUT_words" > a.txt
  - name: b
    cpu: 0.1
    mem: 64M
    rely: [a]
    options:
      - {name: n, desc: lines kept, type: int, required: false, default: 1}
    outputs: [b.txt]
    cmds:
      - echo b >> '${RAN}'
      - head -n "$TF_OPT_n" "$TF_DEP_a/a.txt" > b.txt
  - name: c
    cpu: 0.1
    mem: 64M
    rely: [b]
    outputs: [c.txt]
    cmds:
      - echo c >> '${RAN}'
      - wc -l < "$TF_DEP_b/b.txt" > c.txt
`,
);
const WORDS = join(home, 'words.txt');
writeFileSync(WORDS, 'pear\napple\nfig\n');

/** Runs the chain; returns the task's JSON and which tools' processes started (from ran.log). */
async function runChain(...extra: string[]): Promise<{ task: TaskJson; ran: string[] }> {
  rmSync(RAN, { force: true });
  const r = await toolflow(['run', WORKFLOW, '--input', `words=${WORDS}`, '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const task = JSON.parse(r.stdout) as TaskJson;
  expect(task.status).toBe('succeeded');
  return { task, ran: existsSync(RAN) ? readFileSync(RAN, 'utf8').trim().split('\n') : [] };
}

async function explain(taskId: string, tool: string): Promise<ExplainJson> {
  const r = await toolflow(['explain', taskId, tool, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ExplainJson;
}

const dirOf = (task: TaskJson, tool: string) => task.tools.find((t) => t.name === tool)!.workDir!;
const outputOf = (task: TaskJson, tool: string, file: string) => readFileSync(join(dirOf(task, tool), file), 'utf8');

describe('cached reruns through the CLI', () => {
  it('reuses, reruns what changed, never trusts a result whose files are gone, and says why', { timeout: 120_000 }, async () => {
    // 1. First run: every tool runs.
    const first = await runChain();
    expect(first.ran).toEqual(['a', 'b', 'c']);
    expect(outputOf(first.task, 'c', 'c.txt').trim()).toBe('1');
    expect(await explain(first.task.taskId, 'a')).toMatchObject({ outcome: 'first-run', message: 'it ran because no earlier run of workflow cached-chain had tool a' });

    // 2. The same run again: all reused, no process started, the first run's logs, the same bytes.
    const second = await runChain();
    expect(second.ran).toEqual([]);
    for (const tool of ['a', 'b', 'c']) {
      expect(statSync(join(dirOf(second.task, tool), 'stdout.log')).ino).toBe(statSync(join(dirOf(first.task, tool), 'stdout.log')).ino);
      const e = await explain(second.task.taskId, tool);
      expect(e).toMatchObject({ outcome: 'cached', cachedFrom: `${first.task.taskId}/${tool}/1` });
      expect(e.message).toBe(`cache hit: reused the outputs of task ${first.task.taskId}'s attempt 1; it did not run`);
    }
    expect(outputOf(second.task, 'b', 'b.txt')).toBe('apple\n');
    const status = JSON.parse((await toolflow(['status', second.task.taskId, '--json'])).stdout) as TaskJson;
    expect(status.tools.map((t) => t.cache)).toEqual(['a', 'b', 'c'].map((tool) => ({ hit: true, from: `${first.task.taskId}/${tool}/1` })));
    const text = await toolflow(['explain', second.task.taskId, 'b']);
    expect(text.stdout).toBe(`b (task ${second.task.taskId}, attempt 1): cache hit: reused the outputs of task ${first.task.taskId}'s attempt 1; it did not run\n`);

    // 3. An option of b changed: b and c rerun (b's output changed, so c's input did), a is reused.
    const third = await runChain('--set', 'b.n=2');
    expect(third.ran).toEqual(['b', 'c']);
    expect(outputOf(third.task, 'c', 'c.txt').trim()).toBe('2');
    expect(await explain(third.task.taskId, 'a')).toMatchObject({ outcome: 'cached' });
    expect(await explain(third.task.taskId, 'b')).toMatchObject({ outcome: 'changed', previous: `${second.task.taskId}/b/1`, changes: ['option n changed: 1 → 2'] });
    expect(await explain(third.task.taskId, 'c')).toMatchObject({ outcome: 'changed', changes: ['the outputs of dependency b changed'] });
    const changedText = await toolflow(['explain', third.task.taskId, 'b']);
    expect(changedText.stdout).toBe(`b (task ${third.task.taskId}, attempt 1): it ran because, since the previous run (${second.task.taskId}/b/1):\n  - option n changed: 1 → 2\n`);

    // 4. The newest cached a's output file is deleted: a reruns (writing the same bytes, so b and
    // c, back at n=1, are reused from the second run).
    rmSync(join(dirOf(third.task, 'a'), 'a.txt'));
    const fourth = await runChain();
    expect(fourth.ran).toEqual(['a']);
    const refused = await explain(fourth.task.taskId, 'a');
    expect(refused).toMatchObject({ outcome: 'refused', previous: `${third.task.taskId}/a/1` });
    expect(refused.message).toContain('had lost its output files');
    expect(await explain(fourth.task.taskId, 'b')).toMatchObject({ outcome: 'cached' });
    expect(outputOf(fourth.task, 'c', 'c.txt').trim()).toBe('1');

    // 5. --no-cache: everything reruns.
    const fifth = await runChain('--no-cache');
    expect(fifth.ran).toEqual(['a', 'b', 'c']);
    expect(await explain(fifth.task.taskId, 'c')).toMatchObject({ outcome: 'no-cache', message: 'it ran because the task was submitted with --no-cache' });

    // 6. The input file's bytes changed: a reruns, and so do b and c (a's output changed).
    writeFileSync(WORDS, 'kiwi\napple\nfig\n');
    const sixth = await runChain();
    expect(sixth.ran).toEqual(['a', 'b', 'c']);
    expect(await explain(sixth.task.taskId, 'a')).toMatchObject({ outcome: 'changed', changes: ['input words changed'] });
  });

  it('the design-doc-tool example rerun with a changed option: its dependencies cached, it finds their undeclared files', { timeout: 120_000 }, async () => {
    // make_words declares no outputs; tool_name reads "$TF_DEP_make_words/words.txt" all the same.
    const example = join(import.meta.dirname, '../../examples/design-doc-tool/workflow.yaml');
    const first = await toolflow(['run', example, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const again = await toolflow(['run', example, '--set', 'tool_name.label=hello', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const task = JSON.parse(again.stdout) as TaskJson;
    const earlier = (JSON.parse(first.stdout) as TaskJson).taskId;
    expect(task.status).toBe('succeeded');
    expect(task.tools.map((t) => [t.name, t.cached?.taskId ?? null])).toEqual([
      ['make_words', earlier],
      ['make_numbers', earlier],
      ['tool_name', null],
    ]);
    expect(outputOf(task, 'tool_name', 'summary.txt')).toBe('hello\ndistinct words: 37\nsum: 1275\n');
    expect(readFileSync(join(dirOf(task, 'make_words'), 'words.txt'), 'utf8')).toBe(readFileSync(join(dirOf(JSON.parse(first.stdout) as TaskJson, 'make_words'), 'words.txt'), 'utf8'));
  });
});
