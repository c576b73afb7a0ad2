/**
 * Messages a user can act on (issue 7, section 5), through the CLI as a user runs it: a failed
 * tool's stderr and logs in the summary, `status` lists and filters, `toolflow logs`, and the
 * duration of a cancelled tool.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun } from '../../shared/store/store.js';
import type { TaskStatus } from '../../shared/scheduler/status.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const home = tempDir('toolflow-messages-');
const BIN = join(import.meta.dirname, '../../bin/toolflow.js');

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

/** Starts the CLI in the background, collecting its output. */
function start(args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn('node', [BIN, ...args], { env: { ...process.env, TOOLFLOW_HOME: home, ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return { child, out, exited };
}

/** Waits until `check` holds (polling every 50 ms, up to 30 s). */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function workflow(name: string, text: string): string {
  const path = join(home, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

interface ToolJson {
  name: string;
  status: string;
  exitCode: number | null;
  durationMs: number | null;
  workDir: string | null;
  stderrTail: string[] | null;
}
interface TaskJson {
  taskId: string;
  status: string;
  durationMs: number | null;
  workDir: string | null;
  tools: ToolJson[];
}

// The case: a tool that fails with something useful on stderr, and a tool that relies on it.
const FAILING = `name: failing
tools:
  - name: bad
    cmds:
      - for i in 1 2 3 4 5 6 7; do echo "noise $i" >&2; done
      - cat /nonexistent/reads.fastq
  - name: after
    rely: [bad]
    cmds: ["true"]
`;

describe('a failed tool\'s summary', () => {
  it('shows the last lines of its stderr and the path of its logs, not only "exited with code 1"', async () => {
    const { code, stdout } = await toolflow(['run', workflow('failing', FAILING), '--quiet']);
    expect(code).toBe(1);
    expect(stdout).toContain('  bad: exited with code 1\n');
    expect(stdout).toContain('    stderr: noise 4\n');
    expect(stdout).toContain('            cat: /nonexistent/reads.fastq: No such file or directory\n');
    expect(stdout).not.toContain('noise 3');
    const logs = /logs: {3}(\S+)\/ \(toolflow logs (\w+) bad\)/.exec(stdout);
    expect(logs).not.toBeNull();
    expect(logs![1]).toMatch(new RegExp(`/${logs![2]}/bad/attempt-1$`));
    expect(readFileSync(join(logs![1]!, 'stderr.log'), 'utf8')).toContain('No such file or directory');
  });

  it('has the same in --json (stderrTail, workDir), and `status TASK` shows it again', async () => {
    const { stdout } = await toolflow(['run', workflow('failing-json', FAILING), '--json']);
    const run = JSON.parse(stdout) as TaskJson;
    const bad = run.tools.find((t) => t.name === 'bad')!;
    expect(bad.stderrTail).toEqual(['noise 4', 'noise 5', 'noise 6', 'noise 7', 'cat: /nonexistent/reads.fastq: No such file or directory']);
    expect(bad.workDir).toBe(join(run.workDir!, run.taskId, 'bad', 'attempt-1'));
    expect(run.tools.find((t) => t.name === 'after')).toMatchObject({ status: 'skipped', workDir: null, stderrTail: null });

    const status = await toolflow(['status', run.taskId]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('            cat: /nonexistent/reads.fastq: No such file or directory\n');
    expect(status.stdout).toContain(`    logs:   ${bad.workDir}/ (toolflow logs ${run.taskId} bad)`);
    expect(JSON.parse((await toolflow(['status', run.taskId, '--json'])).stdout)).toMatchObject({ tools: [{ name: 'bad', stderrTail: bad.stderrTail, workDir: bad.workDir }, { name: 'after' }] });
  });

  it('says "1 tool", not "1 tools", when the run starts', async () => {
    const { stderr } = await toolflow(['run', workflow('one', 'name: one\ntools:\n  - {name: only, cmds: ["true"]}\n')]);
    expect(stderr).toMatch(/^task \w+: one, 1 tool\n/m);
  });
});

describe('status lists', () => {
  const listHome = tempDir('toolflow-status-');
  const statuses: TaskStatus[] = ['succeeded', 'failed', 'processing', 'cancelled', 'queued'];

  /** 25 tasks written to the store directly: t00 (oldest) … t24 (newest), statuses in turn. */
  async function seed() {
    const store = openSqliteStore(join(listHome, 'toolflow.db'));
    await store.migrate();
    for (let i = 0; i < 25; i++) {
      const id = `t${String(i).padStart(2, '0')}`;
      const status = statuses[i % statuses.length]!;
      const done = status === 'succeeded' || status === 'failed' || status === 'cancelled';
      await store.createTask(
        { id, owner: 'ann', name: `wf-${i}`, status, spec: JSON.stringify({ spec: { tools: [] } }), values_json: '{}', inputs_json: '{}', error: status === 'failed' ? 'a failed' : null, created_at: 1_700_000_000_000 + i * 1000, started_at: status === 'queued' ? null : 1_700_000_000_000 + i * 1000 + 10, finished_at: done ? 1_700_000_000_000 + i * 1000 + 10 + i : null },
        [newToolRun(id, 'a', 1, { cpuMillicores: 1000, memBytes: 2 ** 30, diskBytes: null, timeSeconds: null })],
      );
    }
    await store.close();
  }
  const list = async (...args: string[]) => toolflow(['status', ...args], { TOOLFLOW_HOME: listHome });

  it('--json gives each task durationMs and the fields a task summary has', async () => {
    await seed();
    const { code, stdout } = await list('--json');
    expect(code).toBe(0);
    const tasks = JSON.parse(stdout) as Record<string, unknown>[];
    expect(tasks).toHaveLength(20);
    expect(tasks[0]).toEqual({ taskId: 't24', name: 'wf-24', owner: 'ann', status: 'queued', error: null, createdAt: new Date(1_700_000_024_000).toISOString(), startedAt: null, finishedAt: null, durationMs: null, workDir: null, driver: 'gone' });
    expect(tasks.find((t) => t.taskId === 't21')).toMatchObject({ status: 'failed', driver: 'finished', error: 'a failed', durationMs: 21, startedAt: new Date(1_700_000_021_010).toISOString() });
  });

  it('shows the 20 newest and says there are more; --limit and --all choose how many', async () => {
    const deflt = await list();
    expect(deflt.stdout).toContain('t24');
    expect(deflt.stdout).toContain('t05');
    expect(deflt.stdout).not.toContain('t04');
    expect(deflt.stdout).toContain('showing the newest 20; --limit N or --all for more');
    expect((JSON.parse((await list('--limit', '3', '--json')).stdout) as { taskId: string }[]).map((t) => t.taskId)).toEqual(['t24', 't23', 't22']);
    const all = JSON.parse((await list('--all', '--json')).stdout) as unknown[];
    expect(all).toHaveLength(25);
    expect((await list('--all')).stdout).not.toContain('for more');
  });

  it('--status keeps only tasks with that status (several: comma-separated)', async () => {
    const failed = JSON.parse((await list('--status', 'failed', '--json')).stdout) as { taskId: string; status: string }[];
    expect(failed.map((t) => t.taskId)).toEqual(['t21', 't16', 't11', 't06', 't01']);
    const live = JSON.parse((await list('--status', 'processing,queued', '--limit', '2', '--json')).stdout) as { taskId: string }[];
    expect(live.map((t) => t.taskId)).toEqual(['t24', 't22']);
  });

  it('refuses an unknown status and list options with a task id, saying what to do', async () => {
    const bad = await list('--status', 'running');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"running" is not a task status; use one of queued, processing, succeeded, failed, cancelled');
    const both = await list('t01', '--status', 'failed');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--status, --limit and --all choose which tasks to list; leave them out to show one task');
    expect((await list('--all', '--limit', '3')).code).toBe(2);
  });

  it('says when no task has the status asked for', async () => {
    const empty = tempDir('toolflow-status-empty-');
    const { code, stdout } = await toolflow(['status', '--status', 'failed'], { TOOLFLOW_HOME: empty });
    expect(code).toBe(0);
    expect(stdout).toBe('no failed tasks\n');
  });
});

describe('toolflow logs', () => {
  it('prints the latest attempt\'s stdout then stderr under tail-style headers; --stdout or --stderr one file as it is', async () => {
    const wf = workflow('logs', 'name: logs\ntools:\n  - {name: talk, cmds: ["echo out-1; echo err-1 >&2; echo out-2"]}\n');
    const run = JSON.parse((await toolflow(['run', wf, '--json'])).stdout) as TaskJson;
    const dir = join(run.workDir!, run.taskId, 'talk', 'attempt-1');
    const both = await toolflow(['logs', run.taskId, 'talk']);
    expect(both.code).toBe(0);
    expect(both.stdout).toBe(`==> ${dir}/stdout.log <==\nout-1\nout-2\n\n==> ${dir}/stderr.log <==\nerr-1\n`);
    expect((await toolflow(['logs', run.taskId, 'talk', '--stdout'])).stdout).toBe('out-1\nout-2\n');
    expect((await toolflow(['logs', run.taskId, 'talk', '--stderr', '--attempt', '1'])).stdout).toBe('err-1\n');
  });

  it('names what is unknown: the task, the tool (listing the task\'s tools), the attempt', async () => {
    const run = JSON.parse((await toolflow(['run', workflow('logs-unknown', 'name: u\ntools:\n  - {name: a, cmds: ["true"]}\n  - {name: b, cmds: ["true"]}\n'), '--json'])).stdout) as TaskJson;
    const noTask = await toolflow(['logs', 'feedfacecafe', 'a']);
    expect(noTask).toMatchObject({ code: 2, stderr: 'toolflow: no task feedfacecafe; `toolflow status` lists recent tasks\n' });
    const noTool = await toolflow(['logs', run.taskId, 'c']);
    expect(noTool).toMatchObject({ code: 2, stderr: `toolflow: task ${run.taskId} has no tool "c"; its tools: a, b\n` });
    const noAttempt = await toolflow(['logs', run.taskId, 'a', '--attempt', '2']);
    expect(noAttempt).toMatchObject({ code: 2, stderr: `toolflow: tool a of task ${run.taskId} has no attempt 2; it has only attempt 1\n` });
  });

  it.each(['../../../etc', 'a/../b', '_inputs', '.'])('refuses %j as a tool name before looking anywhere', async (name) => {
    const { code, stderr } = await toolflow(['logs', 'feedfacecafe', name]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${JSON.stringify(name)} is not a tool name: a tool name starts with a letter`);
  });

  it('says a skipped tool never ran', async () => {
    const { stdout } = await toolflow(['run', workflow('logs-skipped', FAILING), '--json']);
    const { taskId } = JSON.parse(stdout) as TaskJson;
    const after = await toolflow(['logs', taskId, 'after']);
    expect(after).toMatchObject({ code: 2, stderr: 'toolflow: tool after attempt 1 never ran (skipped: bad failed)\n' });
  });

  it('--follow prints what the logs gain until the attempt ends', async () => {
    const gate = join(home, 'follow-gate');
    const run = await startRun('follow', `name: follow\ntools:\n  - name: slow\n    cmds:\n      - echo first\n      - while [ ! -e "${gate}" ]; do sleep 0.05; done\n      - echo second; echo oops >&2\n`, 'slow');
    const follow = start(['logs', run.taskId, 'slow', '--follow']);
    await until('the first line', () => follow.out.stdout.includes('first\n'));
    expect(follow.out.stdout).not.toContain('second');
    writeFileSync(gate, '');
    expect(await follow.exited).toBe(0);
    const dir = join(run.workDir, run.taskId, 'slow', 'attempt-1');
    // Headers as tail -f writes them: one each time the output switches files.
    expect(follow.out.stdout).toBe(`==> ${dir}/stdout.log <==\nfirst\nsecond\n\n==> ${dir}/stderr.log <==\noops\n`);
    expect(follow.out.stderr).toBe('toolflow: tool slow attempt 1 succeeded\n');
    expect(await run.exited).toBe(0);
  });

  it('--follow stops on Ctrl-C (exit 130) while the tool goes on', async () => {
    const gate = join(home, 'follow-int-gate');
    const run = await startRun('follow-int', `name: follow-int\ntools:\n  - name: wait\n    cmds:\n      - echo waiting\n      - while [ ! -e "${gate}" ]; do sleep 0.05; done\n`, 'wait');
    const follow = start(['logs', run.taskId, 'wait', '--follow', '--stdout']);
    await until('its output', () => follow.out.stdout === 'waiting\n');
    follow.child.kill('SIGINT');
    expect(await follow.exited).toBe(130);
    writeFileSync(gate, '');
    expect(await run.exited).toBe(0);
  });
});

describe('a cancelled tool', () => {
  it('ran until its process was gone, not until the cancel request, and its exit is recorded', async () => {
    const marker = join(home, 'cancel-exiting');
    // On SIGTERM the tool takes 2 s to finish, and writes the time (ms) just before it exits.
    const run = await startRun('cancel', `name: cancel\ntools:\n  - name: stubborn\n    cmds:\n      - trap 'sleep 2; date +%s%3N > "${marker}"; exit 143' TERM\n      - echo started\n      - sleep 60 & wait\n`, 'stubborn');
    await until('the tool to print', () => existsSync(join(run.workDir, run.taskId, 'stubborn/attempt-1/stdout.log')) && readFileSync(join(run.workDir, run.taskId, 'stubborn/attempt-1/stdout.log'), 'utf8') === 'started\n');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    const summary = JSON.parse(run.out.stdout) as TaskJson;
    expect(summary.status).toBe('cancelled');
    expect(summary.tools[0]).toMatchObject({ name: 'stubborn', status: 'cancelled', exitCode: 143 });
    const exitingAt = Number(readFileSync(marker, 'utf8'));
    const store = openSqliteStore(join(home, 'toolflow.db'));
    try {
      const row = await store.getToolRun({ taskId: run.taskId, tool: 'stubborn', attempt: 1 });
      expect(row).toMatchObject({ status: 'cancelled', exit_code: 143 });
      expect(Number(row!.finished_at)).toBeGreaterThanOrEqual(exitingAt);
      expect(summary.tools[0]!.durationMs).toBe(Number(row!.finished_at) - Number(row!.started_at));
    } finally {
      await store.close();
    }
  });
});

/**
 * Starts \`toolflow run --json\` with a work dir of its own; resolves once \`tool\` has started
 * (its stdout.log exists), with the task id.
 */
async function startRun(name: string, text: string, tool: string) {
  const workDir = join(home, `wd-${name}`);
  const run = start(['run', workflow(name, text), '--workdir', workDir, '--json']);
  let taskId = '';
  await until(`${tool} to start`, () => {
    const task = existsSync(workDir) ? readdirSync(workDir)[0] : undefined;
    if (task && existsSync(join(workDir, task, tool, 'attempt-1', 'stdout.log'))) taskId = task;
    return taskId !== '';
  });
  return { ...run, taskId, workDir };
}
