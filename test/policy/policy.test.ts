import { describe, expect, it } from 'vitest';
import type { ExitDetails } from '../../shared/events/catalog.js';
import { classifyExit } from '../../shared/policy/classify.js';
import { decideRerun, type RerunInput } from '../../shared/policy/rerun.js';
import { DEFAULT_RETRY } from '../../shared/spec/load.js';

const MB = 1e6;
const exit = (e: Partial<ExitDetails>): ExitDetails => ({ exitCode: 1, signal: null, oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [], ...e });

describe('classifyExit', () => {
  it('treats a clean exit with every output as success', () => {
    expect(classifyExit(exit({ exitCode: 0 }), 100 * MB)).toBeNull();
    expect(classifyExit(exit({ exitCode: 0, missingOutputs: ['a.txt'] }), 100 * MB)).toEqual({ reason: 'exit', message: 'exited 0 but did not write the declared outputs: a.txt' });
  });

  it('reads an OOM kill from the cgroup', () => {
    expect(classifyExit(exit({ exitCode: 137, oomKilled: true }), 100 * MB)).toEqual({ reason: 'oom', message: 'out of memory: killed at the 100M limit' });
  });

  it('does not take exit code 137 alone as proof of OOM', () => {
    expect(classifyExit(exit({ exitCode: 137 }), 100 * MB)!.reason).toBe('exit');
    expect(classifyExit(exit({ exitCode: 137, peakMemBytes: 20 * MB }), 100 * MB)!.reason).toBe('exit');
    expect(classifyExit(exit({ exitCode: null, signal: 'SIGKILL', peakMemBytes: 20 * MB }), 100 * MB)).toEqual({ reason: 'exit', message: 'killed by SIGKILL' });
  });

  it('takes exit 137 with memory at the limit as OOM', () => {
    expect(classifyExit(exit({ exitCode: 137, peakMemBytes: 99 * MB }), 100 * MB)!.reason).toBe('oom');
  });

  it.each(['MemoryError', 'terminate called after throwing an instance of \'std::bad_alloc\'', 'mmap: Cannot allocate memory', 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space', 'Out of memory!'])(
    'reads allocation failure text: %s',
    (text) => {
      expect(classifyExit(exit({ stderrTail: `...\n${text}\n` }), 100 * MB)!.reason).toBe('oom');
    },
  );

  it.each(['write error: No space left on device', 'Error: ENOSPC: no space left on device, write'])('reads a full disk: %s', (text) => {
    expect(classifyExit(exit({ stderrTail: text }), 100 * MB)).toEqual({ reason: 'disk', message: 'no space left on device' });
  });

  it('passes watchdog verdicts and launch errors through', () => {
    expect(classifyExit(exit({ exitCode: null, watchdog: 'lost' }), MB)!.reason).toBe('lost');
    expect(classifyExit(exit({ exitCode: null, watchdog: 'undelivered' }), MB)!.reason).toBe('undelivered');
    expect(classifyExit(exit({ exitCode: null, launchError: 'spawn bash ENOENT' }), MB)).toEqual({ reason: 'config', message: 'could not start: spawn bash ENOENT' });
  });

  it('reports a plain failure with its exit code', () => {
    expect(classifyExit(exit({ exitCode: 2, stderrTail: 'usage: x' }), MB)).toEqual({ reason: 'exit', message: 'exited with code 2' });
  });
});

describe('decideRerun', () => {
  const base: RerunInput = {
    reason: 'oom',
    message: 'out of memory',
    attempt: 1,
    resources: { cpuMillicores: 1000, memBytes: 2e9, diskBytes: 10e9, timeSeconds: null },
    retry: { ...DEFAULT_RETRY, capMemBytes: 8e9, capDiskBytes: 40e9 },
    capacity: { memBytes: 24e9, diskBytes: null },
  };

  it('grows memory on oom up to the cap, then fails saying so', () => {
    expect(decideRerun(base)).toMatchObject({ action: 'rerun', attempt: 2, resources: { memBytes: 4e9, diskBytes: 10e9, timeSeconds: null } });
    expect(decideRerun({ ...base, attempt: 2, resources: { ...base.resources, memBytes: 6e9 } })).toMatchObject({ action: 'rerun', resources: { memBytes: 8e9 } });
    expect(decideRerun({ ...base, attempt: 2, resources: { ...base.resources, memBytes: 8e9 } })).toEqual({ action: 'fail', message: 'out of memory at the 8G cap' });
  });

  it('bounds growth by what the executor has', () => {
    const d = decideRerun({ ...base, retry: { ...base.retry, capMemBytes: 64e9 }, capacity: { memBytes: 3e9, diskBytes: null } });
    expect(d).toMatchObject({ action: 'rerun', resources: { memBytes: 3e9 } });
  });

  it('grows disk on disk failures, and cannot when the tool declares none', () => {
    expect(decideRerun({ ...base, reason: 'disk' })).toMatchObject({ action: 'rerun', resources: { diskBytes: 20e9, memBytes: 2e9 } });
    expect(decideRerun({ ...base, reason: 'disk', resources: { ...base.resources, diskBytes: null, timeSeconds: null } })).toMatchObject({ action: 'fail', message: expect.stringContaining('declares no disk') });
    expect(decideRerun({ ...base, reason: 'disk', resources: { ...base.resources, diskBytes: 40e9 } })).toEqual({ action: 'fail', message: 'no space left on device at the 40G cap' });
  });

  it('counts every attempt against max', () => {
    expect(decideRerun({ ...base, attempt: 3 })).toEqual({ action: 'fail', message: 'out of memory (attempt 3 of 3; no attempts left)' });
  });

  it('reruns lost tools with the same resources, and fails reasons not in retry.on', () => {
    expect(decideRerun({ ...base, reason: 'lost' })).toMatchObject({ action: 'rerun', resources: base.resources });
    expect(decideRerun({ ...base, reason: 'exit', message: 'exited with code 1' })).toEqual({ action: 'fail', message: 'exited with code 1' });
    expect(decideRerun({ ...base, reason: 'exit', message: 'exited with code 1', retry: { ...base.retry, on: ['exit'] } })).toMatchObject({ action: 'rerun', attempt: 2 });
  });
});
