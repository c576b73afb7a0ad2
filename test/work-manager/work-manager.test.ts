import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventType, type ToolflowEvent } from '../../shared/events/catalog.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { createRuntime, type Runtime } from '../../shared/runtime/runtime.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { FakeExecutor, type Script } from '../support/fake-executor.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
});

async function runtime(script: Script, opts: { db?: string; lostAfterSeconds?: number; startTimeoutSeconds?: number; capacity?: FakeExecutor['capacity'] } = {}) {
  const executor = new FakeExecutor(script, opts.capacity);
  const config = loadConfig({ TOOLFLOW_HOME: join(dir, 'home') }, { keepaliveSeconds: 0.1, lostAfterSeconds: opts.lostAfterSeconds ?? 60, startTimeoutSeconds: opts.startTimeoutSeconds ?? 60 });
  const store = openSqliteStore(opts.db ?? ':memory:');
  const rt = await createRuntime(config, { executor, store });
  runtimes.push(rt);
  const events: ToolflowEvent[] = [];
  rt.ports.bus.subscribe('recorder', Object.values(EventType), async (e) => void events.push(e));
  return { rt, executor, events };
}

async function submit(rt: Runtime, workflow: string, failFast = false) {
  const taskId = await rt.submit({ owner: 'me', workflowFile: 'wf.yaml', workflowText: workflow, values: [], inputs: {}, failFast });
  const final = await rt.waitFor(taskId);
  const runs = await rt.ports.store.listToolRuns(taskId);
  return { taskId, final, runs, task: (await rt.ports.store.getTask(taskId))! };
}

const fan = (n: number, extra = '') => {
  let y = `name: fan\ntools:\n  - {name: src, cmds: [x]}\n`;
  for (let i = 0; i < n; i++) y += `  - {name: t${i}, cmds: [x], rely: [src]${extra}}\n`;
  y += `  - {name: join, cmds: [x], rely: [${Array.from({ length: n }, (_, i) => `t${i}`).join(', ')}]}\n`;
  return y;
};

describe('work manager', () => {
  it('runs a fan-out and join in dependency order, never beyond the cpu budget', async () => {
    const { rt, executor, events } = await runtime(() => ({ delayMs: 10 }));
    const { final, runs, task } = await submit(rt, fan(8));
    expect(final.type).toBe(EventType.taskSucceeded);
    expect(task.status).toBe('succeeded');
    expect(executor.maxRunning).toBe(2);
    expect(executor.started[0]!.tool).toBe('src');
    expect(executor.started[executor.started.length - 1]!.tool).toBe('join');
    expect(runs.every((r) => r.status === 'succeeded' && r.attempt === 1)).toBe(true);
    expect(events.filter((e) => e.type === EventType.toolSucceeded)).toHaveLength(10);
  });

  it('admits by memory too', async () => {
    const { rt, executor } = await runtime(() => ({ delayMs: 10 }), { capacity: { cpuMillicores: 8000, memBytes: 3e9, diskBytes: null } });
    const { final } = await submit(rt, fan(6, ', mem: 1G'));
    expect(final.type).toBe(EventType.taskSucceeded);
    expect(executor.maxRunning).toBe(3);
  });

  it('skips what depends on a failed tool, lets the rest finish, and fails the task', async () => {
    const { rt } = await runtime((req) => ({ exit: req.tool === 'a' ? { exitCode: 3 } : { exitCode: 0 }, delayMs: req.tool === 'other' ? 50 : 5 }));
    const { final, runs, task } = await submit(
      rt,
      'name: w\ntools:\n  - {name: a, cmds: [x]}\n  - {name: b, cmds: [x], rely: [a]}\n  - {name: c, cmds: [x], rely: [b]}\n  - {name: other, cmds: [x]}\n',
    );
    expect(final.type).toBe(EventType.taskFailed);
    expect(Object.fromEntries(runs.map((r) => [r.tool, r.status]))).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', other: 'succeeded' });
    expect(task.error).toBe('1 tool failed: a (exited with code 3); 2 skipped');
  });

  it('with fail-fast, starts nothing else after a failure', async () => {
    const { rt, executor } = await runtime((req) => ({ exit: req.tool === 'a' ? { exitCode: 1 } : { exitCode: 0 } }), { capacity: { cpuMillicores: 1000, memBytes: 8e9, diskBytes: null } });
    const { runs } = await submit(rt, 'name: w\ntools:\n  - {name: a, cmds: [x]}\n  - {name: b, cmds: [x]}\n  - {name: c, cmds: [x]}\n', true);
    // Nothing starts while a's failure is being decided, nor after it is final.
    expect(executor.started.map((s) => s.tool)).toEqual(['a']);
    expect(runs.map((r) => r.status)).toEqual(['failed', 'skipped', 'skipped']);
  });

  it('reruns an OOM-killed tool with twice the memory and records every attempt', async () => {
    const { rt, executor } = await runtime((req) => ({ exit: req.resources.memBytes < 4e8 ? { exitCode: 137, oomKilled: true } : { exitCode: 0 } }));
    const { final, runs } = await submit(rt, 'name: w\ntools:\n  - {name: a, cmds: [x], mem: 100M}\n  - {name: b, cmds: [x], rely: [a]}\n');
    expect(final.type).toBe(EventType.taskSucceeded);
    expect(executor.started.filter((s) => s.tool === 'a').map((s) => s.resources.memBytes)).toEqual([1e8, 2e8, 4e8]);
    expect(runs.filter((r) => r.tool === 'a').map((r) => [r.attempt, r.status, r.reason, r.mem_bytes])).toEqual([
      [1, 'failed', 'oom', 1e8],
      [2, 'failed', 'oom', 2e8],
      [3, 'succeeded', null, 4e8],
    ]);
  });

  it('fails at the cap with a message that says so', async () => {
    const { rt } = await runtime(() => ({ exit: { exitCode: 137, oomKilled: true } }));
    const { final, runs } = await submit(rt, 'name: w\ntools:\n  - {name: a, cmds: [x], mem: 2G, retry: {max: 5, cap: {mem: 8G}}}\n');
    expect(final.type).toBe(EventType.taskFailed);
    expect(runs.map((r) => r.mem_bytes)).toEqual([2e9, 4e9, 8e9]);
    expect(runs[2]!.message).toBe('out of memory at the 8G cap');
    expect((final.data as { error: string }).error).toBe('1 tool failed: a (out of memory at the 8G cap)');
  });

  it('declares a tool lost when keepalives stop, and reruns it', async () => {
    const { rt, executor } = await runtime((req) => ({ exit: req.attempt === 1 ? null : { exitCode: 0 } }), { lostAfterSeconds: 0.2 });
    const { final, runs } = await submit(rt, 'name: w\ntools:\n  - {name: a, cmds: [x]}\n');
    expect(final.type).toBe(EventType.taskSucceeded);
    expect(runs.map((r) => [r.attempt, r.status, r.reason])).toEqual([
      [1, 'failed', 'lost'],
      [2, 'succeeded', null],
    ]);
    expect(executor.cancelled).toContain('a/1');
  });

  it('declares a tool undelivered when it never starts', async () => {
    const { rt } = await runtime((req) => ({ start: req.attempt > 1, exit: req.attempt === 1 ? null : { exitCode: 0 } }), { startTimeoutSeconds: 0.2 });
    const { runs } = await submit(rt, 'name: w\ntools:\n  - {name: a, cmds: [x]}\n');
    expect(runs.map((r) => [r.attempt, r.status, r.reason])).toEqual([
      [1, 'failed', 'undelivered'],
      [2, 'succeeded', null],
    ]);
  });

  it('ignores duplicate and stale reports: one status, one event, one join', async () => {
    const { rt, executor, events } = await runtime((req) => ({
      extra: (sink) => {
        const ref = { taskId: req.taskId, tool: req.tool, attempt: req.attempt };
        setTimeout(() => {
          // a second exit (duplicate) and a late start (stale) after the real exit
          sink({ kind: 'exit', ...ref, at: Date.now(), exitCode: 1, signal: null, oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [] });
          sink({ kind: 'start', ...ref, at: Date.now() });
        }, 20);
      },
    }));
    const { final, runs } = await submit(rt, fan(50));
    await new Promise((r) => setTimeout(r, 50));
    await rt.ports.bus.idle();
    expect(final.type).toBe(EventType.taskSucceeded);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    expect(executor.started.filter((s) => s.tool === 'join')).toHaveLength(1);
    expect(events.filter((e) => e.type === EventType.toolSucceeded)).toHaveLength(52);
    expect(events.filter((e) => e.type === EventType.toolAttemptFailed)).toHaveLength(0);
    expect(events.filter((e) => e.type === EventType.taskSucceeded)).toHaveLength(1);
  });

  it('cancels running and waiting tools', async () => {
    const { rt, executor } = await runtime(() => ({ exit: null }));
    const taskId = await rt.submit({ owner: 'me', workflowFile: 'wf.yaml', workflowText: fan(3), values: [], inputs: {} });
    const done = rt.waitFor(taskId);
    while (executor.started.length === 0) await new Promise((r) => setTimeout(r, 5));
    await rt.cancel(taskId);
    expect((await done).type).toBe(EventType.taskCancelled);
    expect(executor.cancelled).toEqual(['src/1']);
    const runs = await rt.ports.store.listToolRuns(taskId);
    expect(runs.every((r) => r.status === 'cancelled')).toBe(true);
    expect((await rt.ports.store.getTask(taskId))!.status).toBe('cancelled');
  });

  it('resumes from the store after a restart without rerunning succeeded tools', async () => {
    const db = join(dir, 'resume.db');
    const first = await runtime((req) => ({ exit: req.tool === 'b' ? null : { exitCode: 0 } }), { db });
    const taskId = await first.rt.submit({ owner: 'me', workflowFile: 'wf.yaml', workflowText: 'name: w\ntools:\n  - {name: a, cmds: [x]}\n  - {name: b, cmds: [x], rely: [a]}\n', values: [], inputs: {} });
    while (!first.executor.started.some((s) => s.tool === 'b')) await new Promise((r) => setTimeout(r, 5));
    await first.rt.ports.bus.idle();
    await first.rt.close();
    runtimes.splice(runtimes.indexOf(first.rt), 1);
    // A new process: same database, a fresh work manager.
    const second = await runtime(() => ({}), { db });
    const done = second.rt.waitFor(taskId);
    await second.rt.ports.workManagers.launch(taskId);
    expect((await done).type).toBe(EventType.taskSucceeded);
    expect(second.executor.started.map((s) => `${s.tool}/${s.attempt}`)).toEqual(['b/2']);
    const runs = await second.rt.ports.store.listToolRuns(taskId);
    expect(runs.map((r) => `${r.tool}/${r.attempt}/${r.status}/${r.reason}`)).toEqual(['a/1/succeeded/null', 'b/1/failed/lost', 'b/2/succeeded/null']);
  });

  it('cancels a task still queued, whose work manager has not started: at once, with its final event', async () => {
    const { rt, executor, events } = await runtime(() => ({}));
    await rt.ports.store.createTask(
      { id: 'q1', owner: 'me', name: 'w', status: 'queued', spec: JSON.stringify({ spec: { name: 'w', tools: [] }, failFast: false }), values_json: '{}', inputs_json: '{}', error: null, created_at: 1, started_at: null, finished_at: null },
      [],
    );
    const waiting = rt.waitFor('q1');
    await rt.cancel('q1');
    expect((await waiting).type).toBe(EventType.taskCancelled);
    expect(await rt.ports.store.getTask('q1')).toMatchObject({ status: 'cancelled', error: 'cancelled by the user' });
    expect(events.filter((e) => e.type === EventType.taskCancelled).map((e) => e.id)).toEqual(['cancelled/q1']);
    // start-workflow, should task.queued come now, finds the task no longer queued.
    expect(await rt.ports.store.moveTask('q1', 'processing')).toBe(false);
    expect(executor.started).toHaveLength(0);
  });
});
