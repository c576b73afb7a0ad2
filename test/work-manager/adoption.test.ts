import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventType } from '../../shared/events/catalog.js';
import type { ReportSink } from '../../shared/executor/executor.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { createRuntime, type Runtime } from '../../shared/runtime/runtime.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { FakeExecutor, type Script } from '../support/fake-executor.js';
import { tempDir } from '../support/tmp.js';

/** An executor whose attempts outlive their driver, as Kubernetes Jobs do, and that can be watched. */
class OutlivingExecutor extends FakeExecutor {
  readonly attemptsOutliveDriver = true;
  readonly watched: string[] = [];
  watchSink: ReportSink | undefined;
  watchTask(taskId: string, sink: ReportSink): () => void {
    this.watched.push(taskId);
    this.watchSink = sink;
    return () => (this.watchSink = undefined);
  }
}

const dir = tempDir();
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
});

async function runtime(script: Script, db: string) {
  const executor = new OutlivingExecutor(script);
  const config = loadConfig({ TOOLFLOW_HOME: join(dir, 'home') }, { keepaliveSeconds: 0.1, lostAfterSeconds: 60, startTimeoutSeconds: 60 });
  const rt = await createRuntime(config, { executor, store: openSqliteStore(db) });
  runtimes.push(rt);
  return { rt, executor };
}

const WORKFLOW = 'name: w\ntools:\n  - {name: a, cmds: [x]}\n  - {name: b, cmds: [x], rely: [a]}\n';

describe('a restarted work manager with attempts that outlive it', () => {
  it('adopts the attempt in flight (no rerun, not stopped), and takes its exit report, also one made while it was down', async () => {
    const db = join(dir, 'adopt.db');
    const first = await runtime((req) => ({ exit: req.tool === 'b' ? null : { exitCode: 0 } }), db);
    const taskId = await first.rt.submit({ owner: 'me', workflowFile: 'wf.yaml', workflowText: WORKFLOW, values: [], inputs: {} });
    while (!(await first.rt.ports.store.listToolRuns(taskId)).some((r) => r.tool === 'b' && r.status === 'running')) await new Promise((r) => setTimeout(r, 5));
    expect(first.executor.watched).toEqual([taskId]);
    await first.rt.ports.bus.idle();
    await first.rt.close(); // the work manager's Pod is gone; b's Job runs on
    runtimes.splice(runtimes.indexOf(first.rt), 1);
    expect(first.executor.cancelled).toEqual([]);

    const second = await runtime(() => ({}), db);
    // Before it has rebuilt the task, reports are turned away as "try again", not dropped as stale.
    expect(second.rt.deliverReport({ kind: 'keepalive', taskId, tool: 'b', attempt: 1, at: Date.now(), memBytes: 1 })).toBe('unavailable');
    const done = second.rt.waitFor(taskId);
    await second.rt.resume(taskId);
    expect(second.executor.watched).toEqual([taskId]);
    expect(second.executor.leftoverChecks).toEqual([]);
    // A report of another attempt is stale; b's own sidecar, resending its exit, is accepted.
    expect(second.rt.deliverReport({ kind: 'keepalive', taskId, tool: 'b', attempt: 2, at: Date.now(), memBytes: 1 })).toBe('stale');
    expect(second.rt.deliverReport({ kind: 'keepalive', taskId, tool: 'nope', attempt: 1, at: Date.now(), memBytes: 1 })).toBe('stale');
    const exit = { kind: 'exit' as const, taskId, tool: 'b', attempt: 1, at: Date.now(), exitCode: 0, signal: null, oomKilled: false, peakMemBytes: 5, stderrTail: '', missingOutputs: [] };
    expect(second.rt.deliverReport(exit)).toBe('accepted');
    expect(second.rt.deliverReport(exit)).toBe('accepted'); // a resend: acted on once
    expect((await done).type).toBe(EventType.taskSucceeded);
    expect(second.executor.started).toEqual([]);
    const runs = await second.rt.ports.store.listToolRuns(taskId);
    expect(runs.map((r) => `${r.tool}/${r.attempt}/${r.status}`)).toEqual(['a/1/succeeded', 'b/1/succeeded']);
    expect(second.rt.deliverReport(exit)).toBe('stale'); // the task has ended
  });

  it('takes what the executor watch reports (a Pod OOMKilled), with its evidence kept on the attempt', async () => {
    const db = join(dir, 'watch.db');
    const { rt, executor } = await runtime((req) => ({ exit: req.tool === 'b' && req.attempt === 1 ? null : { exitCode: 0 } }), db);
    const taskId = await rt.submit({ owner: 'me', workflowFile: 'wf.yaml', workflowText: WORKFLOW.replace('rely: [a]}', 'rely: [a], mem: 100Mi, retry: {on: [oom]}}'), values: [], inputs: {} });
    while (!(await rt.ports.store.listToolRuns(taskId)).some((r) => r.tool === 'b' && r.status === 'running')) await new Promise((r) => setTimeout(r, 5));
    const evidence = `pod tf-${taskId}-b-a1-x: container tool terminated, reason OOMKilled, exit code 137`;
    executor.watchSink!({ kind: 'exit', taskId, tool: 'b', attempt: 1, at: Date.now(), exitCode: 137, signal: null, oomKilled: true, peakMemBytes: null, stderrTail: '', missingOutputs: [], evidence });
    expect((await rt.waitFor(taskId)).type).toBe(EventType.taskSucceeded);
    const runs = await rt.ports.store.listToolRuns(taskId);
    const b1 = runs.find((r) => r.tool === 'b' && r.attempt === 1)!;
    expect(b1).toMatchObject({ status: 'failed', reason: 'oom', evidence });
    expect(runs.find((r) => r.tool === 'b' && r.attempt === 2)).toMatchObject({ status: 'succeeded', mem_bytes: 2 * 100 * 1024 * 1024 });
  });
});
