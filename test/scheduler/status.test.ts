import { describe, expect, it } from 'vitest';
import { ResourceBudget } from '../../shared/scheduler/resources.js';
import { attemptStatusesBefore, canMoveAttempt, canMoveTask, isTerminal, taskStatusesBefore, type AttemptStatus } from '../../shared/scheduler/status.js';

const ATTEMPT: AttemptStatus[] = ['pending', 'ready', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'];

describe('state machines', () => {
  it('allows exactly the documented attempt transitions', () => {
    const allowed = ATTEMPT.flatMap((from) => ATTEMPT.filter((to) => canMoveAttempt(from, to)).map((to) => `${from}>${to}`));
    expect(allowed).toEqual([
      'pending>ready',
      'pending>skipped',
      'pending>cancelled',
      'ready>running',
      'ready>succeeded',
      'ready>failed',
      'ready>cancelled',
      'running>succeeded',
      'running>failed',
      'running>cancelled',
    ]);
  });

  it('never moves a status backwards or out of a terminal status', () => {
    for (const t of ['succeeded', 'failed', 'skipped', 'cancelled'] as AttemptStatus[]) {
      expect(isTerminal(t)).toBe(true);
      for (const to of ATTEMPT) expect(canMoveAttempt(t, to)).toBe(false);
    }
    expect(canMoveAttempt('running', 'ready')).toBe(false);
    expect(canMoveTask('processing', 'queued')).toBe(false);
    expect(canMoveTask('succeeded', 'failed')).toBe(false);
  });

  it('gives the statuses a conditional update may move from', () => {
    expect(attemptStatusesBefore('running')).toEqual(['ready']);
    expect(attemptStatusesBefore('succeeded')).toEqual(['ready', 'running']);
    expect(taskStatusesBefore('processing')).toEqual(['queued']);
    expect(taskStatusesBefore('failed')).toEqual(['queued', 'processing']);
  });
});

describe('resource budget', () => {
  it('admits only what fits in cpu and memory, and wakes listeners on release', () => {
    const budget = new ResourceBudget({ cpuMillicores: 2000, memBytes: 1000 });
    const r = { cpuMillicores: 1000, memBytes: 400 };
    expect(budget.tryReserve(r)).toBe(true);
    expect(budget.tryReserve(r)).toBe(true);
    expect(budget.tryReserve({ cpuMillicores: 1, memBytes: 1 })).toBe(false);
    let woken = 0;
    budget.onRelease(() => woken++);
    budget.release(r);
    expect(woken).toBe(1);
    expect(budget.tryReserve({ cpuMillicores: 500, memBytes: 700 })).toBe(false); // memory does not fit
    expect(budget.tryReserve({ cpuMillicores: 500, memBytes: 600 })).toBe(true);
    expect(budget.used).toEqual({ cpuMillicores: 1500, memBytes: 1000 });
  });
});
