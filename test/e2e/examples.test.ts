import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { EventType, type ToolflowEvent } from '../../shared/events/catalog.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { createRuntime } from '../../shared/runtime/runtime.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const home = tempDir();
const BIN = join(import.meta.dirname, '../../bin/toolflow.js');
const EXAMPLES = join(import.meta.dirname, '../../examples');

/** Runs the CLI as a user would; never throws on a non-zero exit. */
async function toolflow(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec('node', [BIN, ...args], { env: { ...process.env, TOOLFLOW_HOME: home, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * Starts `toolflow run --json` on a workflow whose tool `tool` writes its shell's pid to `pid` and
 * then runs long; resolves once that pid is known.
 */
async function startLongRun(workflow: string, tool: string) {
  const dir = join(home, `long-${tool}`);
  writeFileSync(`${dir}.yaml`, workflow);
  const child = execFile('node', [BIN, 'run', `${dir}.yaml`, '--workdir', dir, '--json'], { env: { ...process.env, TOOLFLOW_HOME: home } });
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const exitCode = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let pidFile = '';
  for (let i = 0; i < 200 && !pidFile; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const task = existsSync(dir) ? readdirSync(dir)[0] : undefined;
    if (task && existsSync(join(dir, task, tool, 'attempt-1/pid'))) pidFile = join(dir, task, tool, 'attempt-1/pid');
  }
  return { child, exitCode, stdout: () => stdout, toolPid: Number(readFileSync(pidFile, 'utf8')) };
}

interface RunJson {
  taskId: string;
  status: string;
  error: string | null;
  tools: { name: string; status: string; attempts: { status: string; deliveredAt: string | null }[]; exitCode: number | null; reason: string | null; durationMs: number | null }[];
}

/** Mean-quality filter of the example, computed here independently of awk. */
function expectedKept(fastq: string, minQuality: number, minLength: number): number {
  const lines = fastq.trimEnd().split('\n');
  let kept = 0;
  for (let i = 0; i < lines.length; i += 4) {
    const q = lines[i + 3]!;
    let sum = 0;
    for (const ch of q) sum += ch.charCodeAt(0) - 33;
    if (q.length >= minLength && sum / q.length >= minQuality) kept++;
  }
  return kept;
}

describe('examples, run through the CLI', () => {
  it('(a) reads-qc: every tool succeeds and the report has the right numbers', async () => {
    const reads = join(EXAMPLES, 'reads-qc/data/reads.fastq');
    const workdir = join(home, 'wd-a');
    const { code, stdout } = await toolflow(['run', join(EXAMPLES, 'reads-qc/workflow.yaml'), '--input', `reads=${reads}`, '--set', 'quality_filter.min_quality=25', '--workdir', workdir, '--json']);
    const result = JSON.parse(stdout) as RunJson;
    expect(code).toBe(0);
    expect(result.status).toBe('succeeded');
    expect(result.tools.map((t) => [t.name, t.status, t.attempts.filter((a) => a.deliveredAt !== null).length, t.exitCode])).toEqual(
      ['read_stats', 'gc_content', 'length_histogram', 'quality_filter', 'filtered_stats', 'compress', 'report'].map((n) => [n, 'succeeded', 1, 0]),
    );
    const report = readFileSync(join(workdir, result.taskId, 'report/attempt-1/report.md'), 'utf8');
    const fastq = readFileSync(reads, 'utf8');
    const kept = expectedKept(fastq, 25, 50);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(4000);
    expect(report).toContain('- reads: 4000');
    expect(report).toContain(`- kept ${kept} of 4000 reads`);
  });

  it('(b) the design doc tool YAML runs as it is', async () => {
    const workdir = join(home, 'wd-b');
    const { code, stdout } = await toolflow(['run', join(EXAMPLES, 'design-doc-tool/workflow.yaml'), '--workdir', workdir, '--json']);
    const result = JSON.parse(stdout) as RunJson;
    expect(code).toBe(0);
    expect(readFileSync(join(workdir, result.taskId, 'tool_name/attempt-1/summary.txt'), 'utf8')).toBe('summary\ndistinct words: 37\nsum: 1275\n');
  });

  it('(c) a tool that runs out of memory succeeds after the automatic rerun', async () => {
    const workdir = join(home, 'wd-c');
    const { code, stdout } = await toolflow(['run', join(EXAMPLES, 'oom-rerun/workflow.yaml'), '--workdir', workdir, '--json']);
    const result = JSON.parse(stdout) as RunJson;
    expect(code).toBe(0);
    expect(result.tools[0]).toMatchObject({ name: 'hold_in_memory', status: 'succeeded', attempts: [{ status: 'failed' }, { status: 'succeeded' }], exitCode: 0 });
    expect(readFileSync(join(workdir, result.taskId, 'hold_in_memory/attempt-2/size.txt'), 'utf8')).toBe('100000000\n');
    const status = await toolflow(['status', result.taskId, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ taskId: result.taskId, status: 'succeeded' });
    // Every attempt, with what it was given and what it used (issue 12 §6): the first at its 64M limit.
    const [first, second] = (JSON.parse(status.stdout) as { tools: { attempts: { reason: string | null; peakMemBytes: number | null; cpuTimeMs: number | null; resources: { memBytes: number } }[] }[] }).tools[0]!.attempts;
    expect(first).toMatchObject({ reason: 'oom', resources: { memBytes: 64e6 } });
    expect(first!.peakMemBytes).toBeGreaterThanOrEqual(64e6);
    expect(second!.resources.memBytes).toBe(128e6);
    expect(typeof first!.cpuTimeMs).toBe('number');
  });

  it('(c) with ulimit instead of cgroups, the same rerun happens', async () => {
    // --no-cache: the same workflow and input succeeded in (a), and its attempt would be reused.
    const { code, stdout } = await toolflow(['run', join(EXAMPLES, 'oom-rerun/workflow.yaml'), '--json', '--no-cache'], { TOOLFLOW_MEMORY_LIMIT: 'rlimit' });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as RunJson).tools[0]).toMatchObject({ status: 'succeeded', attempts: [{ status: 'failed' }, { status: 'succeeded' }] });
  });
});

describe('CLI', () => {
  it('exits 1 with the failure in --json when a tool fails', async () => {
    const wf = join(home, 'fail.yaml');
    writeFileSync(wf, 'name: fail\ntools:\n  - {name: a, cmds: ["echo bad >&2; exit 4"]}\n  - {name: b, cmds: ["true"], rely: [a]}\n');
    const { code, stdout } = await toolflow(['run', wf, '--json']);
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as RunJson;
    expect(result.status).toBe('failed');
    expect(result.tools).toMatchObject([
      { name: 'a', status: 'failed', attempts: [{ status: 'failed' }], exitCode: 4, reason: 'exit' },
      { name: 'b', status: 'skipped', attempts: [], exitCode: null },
    ]);
  });

  it('validate: exit 0 for a valid file, 2 with file:line:column for an invalid one', async () => {
    const ok = await toolflow(['validate', join(EXAMPLES, 'reads-qc/workflow.yaml')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid: 7 tools, 7 dependencies, 1 input');
    const wf = join(home, 'bad.yaml');
    writeFileSync(wf, 'name: bad\ntools:\n  - name: a\n    cmds: [x]\n    relly: [b]\n');
    const bad = await toolflow(['validate', wf]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${wf}:5:5: tools[0].relly: unknown field "relly" (did you mean "rely"?)`);
  });

  it('run: refuses bad values and inputs before anything runs', async () => {
    const r = await toolflow(['run', join(EXAMPLES, 'reads-qc/workflow.yaml'), '--set', 'quality_filter.min_quality=high']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('quality_filter.min_quality: int option: "high" is not a number');
    expect(r.stderr).toContain('inputs.reads: required input has no file; give it with --input reads=PATH');
  });

  it.each([
    [['run', 'x.yaml', '--params', '/nonexistent/params.yaml'], 'cannot read'],
    [['validate', '/tmp'], 'is not a regular file'],
    [['status', '-n', 'abc'], 'is not a whole number above 0'],
    [['status', '-n', '-1'], ''],
    [['nonsense'], 'unknown command'],
    [['run', 'wf.yaml', '--cpus', '0'], 'cpu "0" must be more than 0'],
    [['run'], 'missing required argument'],
  ])('exits 2 for a usage or input error: %j', async (args, message) => {
    const r = await toolflow(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('internal error');
  });

  it.each([
    [['status', '-n', 'abc', '--json']],
    [['run', 'wf.yaml', '--cpus', '0', '--json']],
    [['frobnicate', '--json']],
  ])('prints one JSON object for a usage error with --json: %j', async (args) => {
    const r = await toolflow(args);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'invalid' });
  });

  it('names a database that cannot be opened, without a stack trace', async () => {
    const r = await toolflow(['run', join(EXAMPLES, 'design-doc-tool/workflow.yaml')], { TOOLFLOW_DATABASE_URL: '/tmp' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot open the SQLite database /tmp');
    expect(r.stderr).not.toContain('internal error');
  });

  it('survives a closed stdout pipe', async () => {
    const { stdout, stderr } = await exec('bash', ['-c', `node ${BIN} run ${join(EXAMPLES, 'design-doc-tool/workflow.yaml')} --quiet | head -c 10; echo " exit=\${PIPESTATUS[0]}"`], { env: { ...process.env, TOOLFLOW_HOME: home } });
    expect(stdout).toMatch(/exit=0$/m);
    expect(stderr).not.toContain('EPIPE');
  });

  it('exits 2 for bad configuration, and --json still prints one object', async () => {
    const r = await toolflow(['run', join(EXAMPLES, 'design-doc-tool/workflow.yaml'), '--json'], { TOOLFLOW_LOG_LEVEL: 'bogus' });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'invalid', error: expect.stringContaining('TOOLFLOW_LOG_LEVEL=bogus') });
    const file = join(home, 'a-file');
    writeFileSync(file, '');
    const w = await toolflow(['run', join(EXAMPLES, 'design-doc-tool/workflow.yaml'), '--workdir', file]);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('cannot be used as a folder');
  });

  it('on SIGHUP (a closed terminal) cancels like SIGTERM', async () => {
    const run = await startLongRun('name: hup\ntools:\n  - {name: long, cmds: ["echo $$ > pid; sleep 30"]}\n', 'long');
    run.child.kill('SIGHUP');
    expect(await run.exitCode).toBe(130);
    expect((JSON.parse(run.stdout()) as RunJson).status).toBe('cancelled');
    expect(() => process.kill(run.toolPid, 0)).toThrow();
  });

  it('on SIGTERM cancels the task: it ends cancelled in the store and no tool is left running', async () => {
    const run = await startLongRun("name: long\ntools:\n  - {name: stubborn, cmds: [\"echo $$ > pid; trap '' TERM; sleep 30\"]}\n  - {name: after, cmds: [\"true\"], rely: [stubborn]}\n", 'stubborn');
    const { child, toolPid } = run;
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM'); // a second signal: kill at once
    const code = await run.exitCode;
    const stdout = run.stdout();
    expect(code).toBe(130);
    const result = JSON.parse(stdout) as RunJson;
    expect(result.status).toBe('cancelled');
    expect(result.tools.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    expect(() => process.kill(toolPid, 0)).toThrow();
  });

  it('resume takes over a task whose process was SIGKILLed: succeeded tools stay done, the lost one reruns', async () => {
    const run = await startLongRun('name: killed\ntools:\n  - {name: first, cmds: ["true"]}\n  - {name: slow, cmds: ["echo $$ > pid; sleep 1"], rely: [first]}\n  - {name: last, cmds: ["true"], rely: [slow]}\n', 'slow');
    run.child.kill('SIGKILL');
    await run.exitCode;
    const taskId = readdirSync(join(home, 'long-slow'))[0]!;
    const stuck = await toolflow(['status', taskId, '--json']);
    expect((JSON.parse(stuck.stdout) as RunJson).status).toBe('processing');
    const resumed = await toolflow(['resume', taskId, '--workdir', join(home, 'long-slow'), '--json']);
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout) as RunJson;
    expect(result).toMatchObject({ taskId, status: 'succeeded' });
    expect(result.tools.map((t) => [t.name, t.status, t.attempts.filter((a) => a.deliveredAt !== null).length])).toEqual([
      ['first', 'succeeded', 1],
      ['slow', 'succeeded', 2],
      ['last', 'succeeded', 1],
    ]);
    const again = await toolflow(['resume', taskId]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`task ${taskId} has finished (succeeded); there is nothing to resume`);
    const unknown = await toolflow(['resume', 'nosuchtask']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no task nosuchtask');
  });

  it('graph prints Mermaid', async () => {
    const { stdout } = await toolflow(['graph', join(EXAMPLES, 'design-doc-tool/workflow.yaml')]);
    expect(stdout).toContain('flowchart TD');
    expect(stdout).toContain('n_make__words --> n_tool__name');
  });

  it('status lists tasks', async () => {
    const { code, stdout } = await toolflow(['status']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/reads-qc\s*│\s*succeeded/);
  });
});

describe('events', () => {
  it('are valid CloudEvents 1.0', async () => {
    const rt = await createRuntime(loadConfig({ TOOLFLOW_HOME: join(home, 'events') }));
    const events: ToolflowEvent[] = [];
    rt.ports.bus.subscribe('recorder', Object.values(EventType), async (e) => void events.push(e));
    const taskId = await rt.submit({ owner: 'me', workflowFile: 'wf.yaml', workflowText: 'name: w\ntools:\n  - {name: a, cmds: ["true"]}\n', values: [], inputs: {} });
    await rt.waitFor(taskId);
    await rt.close();
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set([EventType.taskSubmitted, EventType.taskQueued, EventType.taskStarted, EventType.toolReady, EventType.toolStarted, EventType.toolExited, EventType.toolSucceeded, EventType.taskSucceeded]),
    );
    for (const e of events) {
      expect(new CloudEvent({ ...e }).validate()).toBe(true);
      expect(e.subject.startsWith(taskId)).toBe(true);
    }
  });
});

describe('folders that cannot be made', () => {
  it('exits 2 at once when TOOLFLOW_HOME is somewhere no folder can be made (Node loops forever there)', async () => {
    const r = await toolflow(['run', join(EXAMPLES, 'design-doc-tool/workflow.yaml')], { TOOLFLOW_HOME: '/proc/toolflow-test' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot be used as a folder');
    const s = await toolflow(['status'], { TOOLFLOW_HOME: '/proc/toolflow-test' });
    expect(s.code).toBe(2);
  });
});
