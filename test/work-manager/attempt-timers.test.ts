import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttemptTimers } from '../../shared/work-manager/attempt-timers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('attempt timers', () => {
  it('a time limit longer than Node\'s longest timer (24.8 days) fires when due, not at once', () => {
    vi.useFakeTimers();
    const timers = new AttemptTimers();
    let fired = 0;
    timers.set('a', 'deadline', 30 * 24 * 3600, () => fired++); // retry.cap.time may allow this
    vi.advanceTimersByTime(1000);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(29 * 24 * 3600 * 1000);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(24 * 3600 * 1000);
    expect(fired).toBe(1);
  });

  it('keeps the watchdog and the deadline of a tool apart; clear stops them', () => {
    vi.useFakeTimers();
    const timers = new AttemptTimers();
    const fired: string[] = [];
    timers.set('a', 'deadline', 10, () => fired.push('deadline'));
    timers.set('a', 'watchdog', 5, () => fired.push('watchdog'));
    timers.set('a', 'watchdog', 5, () => fired.push('watchdog again')); // a keepalive restarts it
    vi.advanceTimersByTime(6000);
    expect(fired).toEqual(['watchdog again']);
    timers.clear('a');
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual(['watchdog again']);
  });
});
