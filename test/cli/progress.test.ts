import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { showProgress } from '../../shared/cli/progress.js';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { MemoryBus } from '../../shared/events/memory-bus.js';

describe('progress lines', () => {
  it('a rerun names what it gets more of: memory after oom, time after timeout, nothing after lost', async () => {
    const bus = new MemoryBus(pino({ level: 'silent' }));
    const lines: string[] = [];
    const stop = showProgress(bus, 't1', 3, 'plain', (l) => lines.push(l));
    const retrying = (tool: string, reason: 'oom' | 'timeout' | 'lost', timeSeconds: number | null) =>
      makeEvent(EventType.toolRetrying, '/test', { taskId: 't1', tool, attempt: 2, reason, previous: 'x', resources: { cpuMillicores: 1000, memBytes: 128 * 1024 * 1024, diskBytes: null, timeSeconds } });
    await bus.publish([retrying('a', 'oom', null), retrying('b', 'timeout', 7200), retrying('c', 'lost', null)]);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    stop();
    expect(lines.map((l) => l.replace(/^\[[^\]]*\] /, ''))).toEqual([
      'a rerun as attempt 2 with 128Mi memory',
      'b rerun as attempt 2 with a time limit of 2h',
      'c rerun as attempt 2 with the same resources (lost)',
    ]);
  });
});
