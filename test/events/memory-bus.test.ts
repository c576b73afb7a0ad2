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

  it('close() waits for a background handler to finish, up to its grace; past it, says which events are not handled and delivers nothing again', async () => {
    const lines: string[] = [];
    const captured = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const quick = new MemoryBus(captured, 60_000, 5_000);
    let finished = false;
    quick.subscribe('notify', [EventType.taskQueued], async () => {
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    }, { background: true });
    await quick.publish([queued('g1')]);
    await new Promise((r) => setImmediate(r));
    await quick.close();
    expect(finished).toBe(true);

    const hung = new MemoryBus(captured, 60_000, 100);
    let calls = 0;
    let fail!: (err: Error) => void;
    hung.subscribe('notify', [EventType.taskQueued], () => {
      calls++;
      return new Promise<void>((_, reject) => (fail = reject));
    }, { background: true });
    await hung.publish([queued('g2'), queued('g3')]);
    await new Promise((r) => setImmediate(r));
    await hung.idle(); // not held by the background handler
    await hung.close(); // resolves after the 100 ms grace, the handler still under way
    expect(lines.join('')).toContain('closing: notify was still handling its events after 100 ms; up to 2 of them are not handled');
    fail(new Error('aborted: the process is closing'));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(1); // neither delivered again nor the next event handled
    expect(hung.deadLetters).toEqual([]);
    expect(lines.join('')).toContain('closing: the event was not handled');
  });
});
