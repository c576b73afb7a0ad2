import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import type { DeadLetter } from '../../shared/events/bus.js';
import { MemoryBus } from '../../shared/events/memory-bus.js';

const log = pino({ level: 'silent' });
const queued = (taskId: string) => makeEvent(EventType.taskQueued, '/test', { taskId }, `queued/${taskId}`);

describe('in-process bus', () => {
  it('dead-letters an event after 3 failed deliveries and tells the listeners', async () => {
    const bus = new MemoryBus(log);
    const dead: DeadLetter[] = [];
    bus.onDeadLetter((d) => dead.push(d));
    let calls = 0;
    bus.subscribe('broken', [EventType.taskQueued], async () => {
      calls++;
      throw new Error('SQLITE_FULL: database or disk is full');
    });
    await bus.publish([queued('t1')]);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    expect(calls).toBe(3);
    expect(dead).toEqual([{ consumer: 'broken', event: expect.objectContaining({ id: 'queued/t1' }), error: 'SQLITE_FULL: database or disk is full', deliveries: 3 }]);
  });

  it('waits out a backend that does not answer (ServiceUnavailableError) without spending deliveries, then goes on', async () => {
    const bus = new MemoryBus(log);
    let calls = 0;
    bus.subscribe('flaky', [EventType.taskQueued], async () => {
      if (++calls < 6) throw new ServiceUnavailableError('the SQLite database x is locked by another process');
    });
    await bus.publish([queued('t2')]);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    expect(calls).toBe(6);
    expect(bus.deadLetters).toEqual([]);
  });

  it('gives up waiting after its bound, and dead-letters the event naming the backend', async () => {
    const bus = new MemoryBus(log, 300);
    const dead: DeadLetter[] = [];
    bus.onDeadLetter((d) => dead.push(d));
    bus.subscribe('down', [EventType.taskQueued], async () => {
      throw new ServiceUnavailableError('the SQLite database x is locked by another process');
    });
    await bus.publish([queued('t3')]);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    expect(dead.map((d) => d.error)).toEqual(['the SQLite database x is locked by another process']);
  });
});
