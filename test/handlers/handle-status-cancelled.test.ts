import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { handleStatus } from '../../shared/handlers/handle-status.js';
import type { Ports } from '../../shared/runtime/ports.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun } from '../../shared/store/store.js';

const ref = { taskId: 't', tool: 'x', attempt: 1 };
const resources = { cpuMillicores: 100, memBytes: 64 * 2 ** 20, diskBytes: null, timeSeconds: null };
const retry = { maxAttempts: 3, on: ['oom', 'disk', 'lost', 'undelivered'], grow: 2, capMemBytes: 64e9, capDiskBytes: 500e9, capTimeSeconds: 86_400 };

/** handle-status against a real (SQLite) store, with one running attempt started at `startedAt`. */
async function setup(startedAt: number) {
  const store = openSqliteStore(':memory:');
  await store.migrate();
  await store.createTask(
    { id: 't', owner: 'me', name: 'w', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: 1, started_at: startedAt, finished_at: null },
    [newToolRun('t', 'x', 1, resources)],
  );
  const ports = { store, log: pino({ level: 'silent' }) } as unknown as Ports;
  await store.moveToolRun(ref, 'ready', { delivered_at: startedAt });
  await handleStatus.handle(makeEvent(EventType.toolStarted, '/test', { ...ref, at: startedAt }), ports);
  return { store, ports };
}

/** The exit report of attempt x/1 at `at`: killed by SIGTERM (what a cancel sends), with its peak memory. */
function exited(at: number, extra: Record<string, unknown> = {}) {
  return makeEvent(
    EventType.toolExited,
    '/test',
    { ...ref, at, resources, retry, exitCode: 143, signal: null, oomKilled: false, peakMemBytes: 12_345_678, stderrTail: 'Terminated\n', missingOutputs: [], ...extra } as never,
    'exited/t/x/1',
  );
}

describe('handle-status: the exit of a cancelled attempt', () => {
  it('records when its process was gone, its exit code and peak memory, and leaves it cancelled', async () => {
    const { store, ports } = await setup(1_000);
    // The cancel request is handled at once (its finished_at is "now"); the process dies later.
    await handleStatus.handle(makeEvent(EventType.toolCancelled, '/test', ref), ports);
    const atCancel = await store.getToolRun(ref);
    expect(atCancel).toMatchObject({ status: 'cancelled', exit_code: null, peak_mem_bytes: null });
    const diedAt = Number(atCancel!.finished_at) + 4_000;

    const out = await handleStatus.handle(exited(diedAt), ports);

    expect(out).toEqual([]); // nothing to decide: no attempt.failed, no rerun
    expect(await store.getToolRun(ref)).toMatchObject({ status: 'cancelled', reason: 'cancelled', exit_code: 143, peak_mem_bytes: 12_345_678, finished_at: diedAt, started_at: 1_000 });
  });

  it('writes the same values again for a redelivered exit', async () => {
    const { store, ports } = await setup(1_000);
    await handleStatus.handle(makeEvent(EventType.toolCancelled, '/test', ref), ports);
    const diedAt = Number((await store.getToolRun(ref))!.finished_at) + 10;
    await handleStatus.handle(exited(diedAt), ports);
    await handleStatus.handle(exited(diedAt), ports);
    expect(await store.getToolRun(ref)).toMatchObject({ status: 'cancelled', exit_code: 143, finished_at: diedAt });
  });

  it('ignores a watchdog verdict on a cancelled attempt (its time is no process end)', async () => {
    const { store, ports } = await setup(1_000);
    await handleStatus.handle(makeEvent(EventType.toolCancelled, '/test', ref), ports);
    const before = await store.getToolRun(ref);
    await handleStatus.handle(exited(Number(before!.finished_at) + 90_000, { exitCode: null, peakMemBytes: null, watchdog: 'lost' }), ports);
    expect(await store.getToolRun(ref)).toEqual(before);
  });

  it('still moves a running attempt that exits on its own (no cancel) to failed', async () => {
    const { store, ports } = await setup(1_000);
    const out = await handleStatus.handle(exited(2_000, { exitCode: 1 }), ports);
    expect(out.map((e) => e.type)).toEqual([EventType.toolAttemptFailed]);
    expect(await store.getToolRun(ref)).toMatchObject({ status: 'failed', exit_code: 1, finished_at: 2_000 });
  });
});
