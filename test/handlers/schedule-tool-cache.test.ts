/**
 * Cached reruns in schedule-tool and handle-status (issue 10): the key written with the `ready`
 * move, a hit reused through `Executor.reuse` (start + exit 0 with the outputs and `cachedFrom`), a
 * hit whose files are gone run and recorded as refused, `--no-cache`, attempts without a key, and
 * what handle-status records from a cached exit.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { cacheKeyOf, parseCacheParts } from '../../shared/cache/cache-key.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { EventType, makeEvent, type AttemptRef, type OutputRecord, type ToolflowEvent } from '../../shared/events/catalog.js';
import type { AttemptRequest, ToolReport } from '../../shared/executor/executor.js';
import { handleStatus } from '../../shared/handlers/handle-status.js';
import { scheduleTool } from '../../shared/handlers/schedule-tool.js';
import type { Ports } from '../../shared/runtime/ports.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { FakeExecutor } from '../support/fake-executor.js';

const resources = { cpuMillicores: 100, memBytes: 1e6, diskBytes: null, timeSeconds: null };
const OUTPUTS: OutputRecord[] = [{ path: 'out.txt', bytes: 3, sha256: 'a'.repeat(64) }];
const DEP_OUTPUTS: OutputRecord[] = [{ path: 'dep.txt', bytes: 4, sha256: 'b'.repeat(64) }];

/** A fake executor whose `reuse` answers what `answer` says, recording its calls. */
class ReusingExecutor extends FakeExecutor {
  readonly reused: { request: AttemptRequest; from: AttemptRef & { workRoot?: string }; outputs: OutputRecord[] }[] = [];
  constructor(private readonly answer: () => Promise<boolean>) {
    super(() => ({ start: true, exit: null }));
  }
  async reuse(request: AttemptRequest, from: AttemptRef & { workRoot?: string }, outputs: OutputRecord[]): Promise<boolean> {
    this.reused.push({ request, from, outputs });
    return this.answer();
  }
}

const taskRow = (id: string, createdAt: number, workDir: string | null) => ({
  id,
  owner: 'me',
  name: 'w',
  status: 'processing' as const,
  spec: '{}',
  values_json: '{}',
  inputs_json: '{}',
  error: null,
  created_at: createdAt,
  started_at: null,
  finished_at: null,
  work_dir: workDir,
});

function readyEvent(data: Partial<AttemptRequest> = {}): ToolflowEvent<typeof EventType.toolReady> {
  return makeEvent(
    EventType.toolReady,
    '/test',
    {
      taskId: 't',
      tool: 'x',
      attempt: 1,
      owner: 'me',
      spec: { name: 'x', cmds: ['cat "$TF_DEP_d/dep.txt" > out.txt'], env: {}, outputs: ['out.txt'], image: null },
      values: { n: 1 },
      inputs: {},
      deps: [{ tool: 'd', attempt: 1 }],
      resources,
      ...data,
    },
    `ready/t/x/${data.attempt ?? 1}`,
  ) as ToolflowEvent<typeof EventType.toolReady>;
}

/**
 * A store with task `old` (created earlier, work dir /w) whose tool x succeeded with the outputs
 * OUTPUTS under the key `key` (when given), and task `t` whose dependency d succeeded with
 * DEP_OUTPUTS (when `depOutputs`) and whose x is pending.
 */
async function setup(options: { cachedKey?: (req: AttemptRequest) => string | null; depOutputs?: boolean } = {}) {
  const store = openSqliteStore(':memory:');
  await store.migrate();
  await store.createTask(taskRow('old', 1, '/w'), [newToolRun('old', 'x', 1, resources)]);
  await store.createTask(taskRow('t', 2, '/v'), [newToolRun('t', 'd', 1, resources), newToolRun('t', 'x', 1, resources), newToolRun('t', 'x', 2, resources)]);
  const d = { taskId: 't', tool: 'd', attempt: 1 };
  await store.moveToolRun(d, 'ready', { delivered_at: 1 });
  await store.moveToolRun(d, 'succeeded', { exit_code: 0, finished_at: 2, ...(options.depOutputs !== false ? { outputs_json: JSON.stringify(DEP_OUTPUTS) } : {}) });
  const key = options.cachedKey?.(readyEvent().data) ?? null;
  if (key !== null) {
    const old = { taskId: 'old', tool: 'x', attempt: 1 };
    await store.moveToolRun(old, 'ready', { delivered_at: 1, cache_key: key });
    await store.moveToolRun(old, 'succeeded', { exit_code: 0, finished_at: 2, outputs_json: JSON.stringify(OUTPUTS) });
  }
  return store;
}

/** The key schedule-tool computes for `req` with d's outputs DEP_OUTPUTS. */
const keyOf = (req: AttemptRequest) => {
  const r = cacheKeyOf(req, new Map([['d', DEP_OUTPUTS]]));
  return r.key;
};

function portsWith(store: Store, executor: FakeExecutor) {
  const reports: ToolReport[] = [];
  const ports = { store, executor, reports: { sinkFor: () => (r: ToolReport) => void reports.push(r) }, log: pino({ level: 'silent' }) } as unknown as Ports;
  return { ports, reports };
}

const X1 = { taskId: 't', tool: 'x', attempt: 1 };

describe('schedule-tool: cached reruns', () => {
  it('writes the cache key and its parts with the ready move', async () => {
    const store = await setup();
    const executor = new ReusingExecutor(async () => true);
    await scheduleTool.handle(readyEvent(), portsWith(store, executor).ports);
    const row = await store.getToolRun(X1);
    expect(row).toMatchObject({ status: 'ready', cache_key: keyOf(readyEvent().data), job_name: 'tf-t-x-a1' });
    const parts = parseCacheParts(row!.cache_parts);
    expect(parts && 'detail' in parts ? parts.detail.deps : undefined).toEqual({ d: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('reuses an earlier attempt with the same key: reports start and exit 0 with its outputs and cachedFrom, and runs nothing', async () => {
    const store = await setup({ cachedKey: keyOf });
    const executor = new ReusingExecutor(async () => true);
    const { ports, reports } = portsWith(store, executor);
    expect(await scheduleTool.handle(readyEvent(), ports)).toEqual([]);
    expect(executor.started).toEqual([]);
    expect(executor.reused).toHaveLength(1);
    expect(executor.reused[0]!.from).toEqual({ taskId: 'old', tool: 'x', attempt: 1, workRoot: '/w' });
    expect(executor.reused[0]!.outputs).toEqual(OUTPUTS);
    expect(executor.reused[0]!.request.taskId).toBe('t');
    expect(reports.map((r) => r.kind)).toEqual(['start', 'exit']);
    expect(reports[1]).toMatchObject({ kind: 'exit', ...X1, exitCode: 0, signal: null, missingOutputs: [], outputs: OUTPUTS, cachedFrom: { taskId: 'old', tool: 'x', attempt: 1 } });
  });

  it('runs the tool when no earlier attempt has the key', async () => {
    const store = await setup({ cachedKey: () => 'f'.repeat(64) });
    const executor = new ReusingExecutor(async () => true);
    const { ports, reports } = portsWith(store, executor);
    await scheduleTool.handle(readyEvent(), ports);
    expect(executor.reused).toEqual([]);
    expect(executor.started.map((r) => `${r.tool}/${r.attempt}`)).toEqual(['x/1']);
    expect(reports).toEqual([]);
  });

  it('runs the tool when the cached files are gone, and records the refused hit for explain', async () => {
    const store = await setup({ cachedKey: keyOf });
    const executor = new ReusingExecutor(async () => false);
    const { ports, reports } = portsWith(store, executor);
    await scheduleTool.handle(readyEvent(), ports);
    expect(executor.reused).toHaveLength(1);
    expect(executor.started.map((r) => `${r.tool}/${r.attempt}`)).toEqual(['x/1']);
    expect(reports).toEqual([]);
    const parts = parseCacheParts((await store.getToolRun(X1))!.cache_parts);
    expect(parts).toMatchObject({ refused: 'old/x/1' });
  });

  it('runs the tool when reuse fails (not a backend being down), and fails the event when a backend is down', async () => {
    const store = await setup({ cachedKey: keyOf });
    const broken = new ReusingExecutor(async () => {
      throw new Error('EACCES: permission denied');
    });
    await scheduleTool.handle(readyEvent(), portsWith(store, broken).ports);
    expect(broken.started.map((r) => r.tool)).toEqual(['x']);
    expect(parseCacheParts((await store.getToolRun(X1))!.cache_parts)).toMatchObject({ refused: 'old/x/1' });

    const down = new ReusingExecutor(async () => {
      throw new ServiceUnavailableError('S3 bucket toolflow at http://s3 is unreachable');
    });
    const ready2 = readyEvent({ attempt: 2 });
    await expect(scheduleTool.handle(ready2, portsWith(store, down).ports)).rejects.toThrow('S3 bucket toolflow at http://s3 is unreachable');
    expect(down.started).toEqual([]);
    // The bus handles the event again once the backend answers: the row is ready with this event's time.
    expect(await store.getToolRun({ ...X1, attempt: 2 })).toMatchObject({ status: 'ready', delivered_at: Date.parse(ready2.time) });
  });

  it('with --no-cache: writes the key but neither looks it up nor reuses', async () => {
    const store = await setup({ cachedKey: keyOf });
    const executor = new ReusingExecutor(async () => true);
    await scheduleTool.handle(readyEvent({ noCache: true }), portsWith(store, executor).ports);
    expect(executor.reused).toEqual([]);
    expect(executor.started.map((r) => r.tool)).toEqual(['x']);
    expect((await store.getToolRun(X1))!.cache_key).toBe(keyOf(readyEvent().data));
  });

  it('runs the tool on an executor that cannot reuse (no reuse method)', async () => {
    const store = await setup({ cachedKey: keyOf });
    const executor = new FakeExecutor(() => ({ start: true, exit: null }));
    await scheduleTool.handle(readyEvent(), portsWith(store, executor).ports);
    expect(executor.started.map((r) => r.tool)).toEqual(['x']);
  });

  it('makes no key when a dependency has no recorded outputs, says why in cache_parts, and runs the tool', async () => {
    const store = await setup({ depOutputs: false });
    const executor = new ReusingExecutor(async () => true);
    await scheduleTool.handle(readyEvent(), portsWith(store, executor).ports);
    const row = (await store.getToolRun(X1))!;
    expect(row.cache_key).toBeNull();
    expect(parseCacheParts(row.cache_parts)).toEqual({ v: 1, none: 'dependency d (attempt 1) has no recorded outputs (it ran before outputs were checksummed)' });
    expect(executor.reused).toEqual([]);
    expect(executor.started.map((r) => r.tool)).toEqual(['x']);
  });

  it('makes no key for an input without a checksum', async () => {
    const store = await setup();
    const executor = new ReusingExecutor(async () => true);
    await scheduleTool.handle(readyEvent({ inputs: { reads: { key: 'me/u/reads.fq', fileName: 'reads.fq' } } }), portsWith(store, executor).ports);
    expect(parseCacheParts((await store.getToolRun(X1))!.cache_parts)).toEqual({ v: 1, none: 'input reads has no checksum (it was stored by a toolflow without cached reruns): upload it again' });
    expect(executor.started.map((r) => r.tool)).toEqual(['x']);
  });

  it('a redelivery after the attempt was recorded (it is now the only attempt with its key) neither reuses it nor starts it again', async () => {
    const store = await setup();
    const executor = new ReusingExecutor(async () => true);
    const { ports } = portsWith(store, executor);
    const ready = readyEvent();
    await scheduleTool.handle(ready, ports);
    await store.moveToolRun(X1, 'succeeded', { exit_code: 0, finished_at: 5, outputs_json: JSON.stringify(OUTPUTS) });
    // Only this attempt has the key now; the second delivery finds it succeeded and does nothing at all.
    await scheduleTool.handle(ready, ports);
    expect(executor.reused).toEqual([]);
    expect(executor.started).toHaveLength(1);
  });
});

describe('handle-status: a cached exit', () => {
  const retry = { maxAttempts: 3, on: [], grow: 2, capMemBytes: 64e9, capDiskBytes: 500e9, capTimeSeconds: 86_400 };
  const exited = (extra: Record<string, unknown>) =>
    makeEvent(EventType.toolExited, '/test', { ...X1, at: 10, resources, retry, exitCode: 0, signal: null, oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [], ...extra } as never, 'exited/t/x/1');

  it('records the outputs, the attempt reused and a message saying so', async () => {
    const store = await setup();
    const ports = { store, log: pino({ level: 'silent' }) } as unknown as Ports;
    await store.moveToolRun(X1, 'ready', { delivered_at: 9 });
    const out = await handleStatus.handle(exited({ outputs: OUTPUTS, cachedFrom: { taskId: 'old', tool: 'x', attempt: 1 } }), ports);
    expect(out.map((e) => e.type)).toEqual([EventType.toolSucceeded]);
    expect(await store.getToolRun(X1)).toMatchObject({
      status: 'succeeded',
      outputs_json: JSON.stringify(OUTPUTS),
      cached_from: 'old/x/1',
      message: "cached: reused the outputs of task old's attempt 1",
    });
  });

  it('records the outputs of an attempt that ran (no cached_from), and names another tool\'s reused attempt', async () => {
    const store = await setup();
    const ports = { store, log: pino({ level: 'silent' }) } as unknown as Ports;
    await store.moveToolRun(X1, 'ready', { delivered_at: 9 });
    await handleStatus.handle(exited({ outputs: OUTPUTS }), ports);
    expect(await store.getToolRun(X1)).toMatchObject({ status: 'succeeded', outputs_json: JSON.stringify(OUTPUTS), cached_from: null, message: null });

    const x2 = { ...X1, attempt: 2 };
    await store.moveToolRun(x2, 'ready', { delivered_at: 9 });
    const e = exited({ outputs: [], cachedFrom: { taskId: 'old', tool: 'y', attempt: 3 } });
    await handleStatus.handle({ ...e, data: { ...e.data, attempt: 2 } }, ports);
    expect(await store.getToolRun(x2)).toMatchObject({ outputs_json: '[]', cached_from: 'old/y/3', message: "cached: reused the outputs of task old's attempt 3 of tool y" });
  });

  it('records no outputs for a failed attempt (missing outputs)', async () => {
    const store = await setup();
    const ports = { store, log: pino({ level: 'silent' }) } as unknown as Ports;
    await store.moveToolRun(X1, 'ready', { delivered_at: 9 });
    await handleStatus.handle(exited({ outputs: OUTPUTS, missingOutputs: ['other.txt'] }), ports);
    expect(await store.getToolRun(X1)).toMatchObject({ status: 'failed', outputs_json: null });
  });
});
