import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { rerunPolicy } from '../../shared/handlers/rerun-policy.js';
import type { Ports } from '../../shared/runtime/ports.js';
import { DEFAULT_RETRY } from '../../shared/spec/load.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun } from '../../shared/store/store.js';

const resources = { cpuMillicores: 1000, memBytes: 1e6, diskBytes: null, timeSeconds: null };

async function setup(status: 'succeeded' | 'failed') {
  const store = openSqliteStore(':memory:');
  await store.migrate();
  await store.createTask(
    { id: 't', owner: 'me', name: 'w', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: 1, started_at: null, finished_at: null },
    [newToolRun('t', 'report', 1, resources)],
  );
  await store.moveToolRun({ taskId: 't', tool: 'report', attempt: 1 }, 'ready');
  await store.moveToolRun({ taskId: 't', tool: 'report', attempt: 1 }, status, status === 'failed' ? { reason: 'oom', message: 'x' } : {});
  const ports = { store, executor: { capacity: { cpuMillicores: 2000, memBytes: 8e9, diskBytes: null } }, log: pino({ level: 'silent' }) } as unknown as Ports;
  const event = makeEvent(EventType.toolAttemptFailed, '/t8', { taskId: 't', tool: 'report', attempt: 1, reason: 'oom', message: 'x', resources, retry: DEFAULT_RETRY }, 't8-rp1');
  return { store, ports, event };
}

describe('rerun-policy', () => {
  it('ignores an attempt.failed about an attempt that succeeded (a forged or stale event): no rerun row, the row untouched', async () => {
    const { store, ports, event } = await setup('succeeded');
    expect(await rerunPolicy.handle(event, ports)).toEqual([]);
    const runs = await store.listToolRuns('t');
    expect(runs.map((r) => [r.attempt, r.status, r.message])).toEqual([[1, 'succeeded', null]]);
  });

  it('decides on an attempt recorded as failed', async () => {
    const { store, ports, event } = await setup('failed');
    const out = await rerunPolicy.handle(event, ports);
    expect(out.map((e) => e.type)).toEqual([EventType.toolRetrying]);
    expect((await store.listToolRuns('t')).map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'pending'],
    ]);
  });
});
