import { describe, expect, it } from 'vitest';
import type { ExitDetails } from '../../shared/events/catalog.js';
import { classifyExit } from '../../shared/policy/classify.js';
import { describeExitCode } from '../../shared/policy/exit-codes.js';
import { decideRerun, DISK_NOT_ENFORCED, type RerunInput } from '../../shared/policy/rerun.js';
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

  it('mem2.yaml: OOM kills inside a tool whose shell exited 0 fail the attempt as oom, with the count', () => {
    expect(classifyExit(exit({ exitCode: 0, oomKills: 3 }), 100 * 1024 * 1024)).toEqual({
      reason: 'oom',
      message: 'out of memory: the kernel OOM-killed 3 processes of the tool at the 100Mi limit; its shell exited 0, but its outputs may be incomplete',
    });
    expect(classifyExit(exit({ exitCode: 137, oomKills: 1, oomKilled: true }), 100 * MB)).toEqual({ reason: 'oom', message: 'out of memory: the kernel OOM-killed 1 process of the tool at the 100M limit' });
    expect(classifyExit(exit({ exitCode: 0, oomKills: 0 }), 100 * MB)).toBeNull();
  });

  it('cache2.yaml: a SIGKILL with memory at the limit is not oom where the kernel counted no OOM kill', () => {
    const failure = classifyExit(exit({ exitCode: 137, peakMemBytes: 64 * MB, oomKills: 0 }), 64 * MB)!;
    expect(failure.reason).toBe('exit');
    expect(failure.message).toMatch(/^exited with code 137 \(signal 9, SIGKILL: killed\); not an OOM kill/);
    // Where no counter exists (old kernels), the peak heuristic stays.
    expect(classifyExit(exit({ exitCode: 137, peakMemBytes: 64 * MB }), 64 * MB)!.reason).toBe('oom');
  });

  it.each([
    ['#\n# Fatal process OOM in Failed to reserve virtual memory for CodeRange\n#', 'V8/Node.js', 'Fatal process OOM in Failed to reserve virtual memory for CodeRange'],
    ['FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', 'V8/Node.js', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'],
    ['#\n# Fatal process out of memory: Zone\n', 'V8/Node.js', 'Fatal process out of memory: Zone'],
    ['fatal error: runtime: cannot allocate memory\n\ngoroutine 1 [running]:', 'Go', 'fatal error: runtime: cannot allocate memory'],
    ['runtime: out of memory: cannot allocate 1048576-byte block (3833856 in use)\nfatal error: out of memory', 'Go', 'runtime: out of memory: cannot allocate 1048576-byte block (3833856 in use)'],
    ['Error occurred during initialization of VM\nCould not reserve enough space for code cache (245760K)', 'JVM', 'Could not reserve enough space for code cache (245760K)'],
    ['# There is insufficient memory for the Java Runtime Environment to continue.', 'JVM', 'There is insufficient memory for the Java Runtime Environment to continue.'],
    ['Exception in thread "main" java.lang.OutOfMemoryError: Java heap space', 'JVM', 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'],
  ])('reads a runtime out-of-memory text as oom and names it: %s', (text, runtime, line) => {
    const rlimit = classifyExit(exit({ exitCode: 133, stderrTail: text, memLimitKind: 'rlimit' }), 256 * 1024 * 1024)!;
    expect(rlimit.reason).toBe('oom');
    expect(rlimit.message).toBe(
      `out of memory: allocation failed under the 256Mi limit (${runtime}: ${line}); the ulimit -v fallback limits each process's address space, which ${runtime} reserves far beyond its use: give the tool a much larger mem, or run toolflow where it may use cgroups`,
    );
    expect(classifyExit(exit({ exitCode: 1, stderrTail: text, memLimitKind: 'cgroup' }), 256 * 1024 * 1024)!.message).toBe(`out of memory: allocation failed under the 256Mi limit (${runtime}: ${line})`);
  });

  it.each([
    [141, 'exited with code 141 (signal 13, SIGPIPE: it wrote to a pipe whose reader had already exited, as the writer in `yes | head` does; under `set -o pipefail`, which tools run with, that fails the pipeline: write the writer as `{ yes || true; } | head` where an early end of the reader is expected)'],
    [137, 'exited with code 137 (signal 9, SIGKILL: killed)'],
    [139, 'exited with code 139 (signal 11, SIGSEGV: segmentation fault: an invalid memory access)'],
    [143, 'exited with code 143 (signal 15, SIGTERM: terminated)'],
    [134, 'exited with code 134 (signal 6, SIGABRT: aborted: abort() or a failed assertion)'],
    [138, 'exited with code 138 (signal 10, SIGUSR1)'],
    [255, 'exited with code 255'],
    [128, 'exited with code 128'],
  ])('names the signal of exit code %i', (code, message) => {
    expect(describeExitCode(code)).toBe(message);
    expect(classifyExit(exit({ exitCode: code }), MB)).toEqual({ reason: 'exit', message });
  });

  it('names a full filesystem found at exit, with its free space', () => {
    const diskFull = { path: '/tmp/small', freeBytes: 0, totalBytes: 5 * 1024 * 1024, freeInodes: 100 };
    expect(classifyExit(exit({ diskFull }), MB)).toEqual({ reason: 'disk', message: 'no space left on device: /tmp/small has 0B free of 5Mi' });
    expect(classifyExit(exit({ diskFull: { ...diskFull, freeBytes: 4096, freeInodes: 0 } }), MB)!.message).toBe('no space left on device: /tmp/small has 4Ki free of 5Mi and no free inode');
  });

  it('passes the time-limit verdict through', () => {
    expect(classifyExit(exit({ exitCode: null, watchdog: 'timeout' }), MB)).toEqual({ reason: 'timeout', message: 'stopped at its time limit' });
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

  it('grows disk on disk failures where the executor enforces disk, and cannot when the tool declares none', () => {
    const enforced = { ...base, reason: 'disk' as const, capacity: { memBytes: 24e9, diskBytes: 1e12 } };
    expect(decideRerun(enforced)).toMatchObject({ action: 'rerun', resources: { diskBytes: 20e9, memBytes: 2e9 } });
    expect(decideRerun({ ...enforced, resources: { ...base.resources, diskBytes: null, timeSeconds: null } })).toMatchObject({ action: 'fail', message: expect.stringContaining('declares no disk') });
    expect(decideRerun({ ...enforced, resources: { ...base.resources, diskBytes: 40e9 } })).toEqual({ action: 'fail', message: 'no space left on device at the 40G cap' });
  });

  it('fails a disk failure at once where the executor does not enforce disk (local), naming the filesystem', () => {
    const message = 'no space left on device: /tmp/small has 0B free of 5Mi';
    expect(decideRerun({ ...base, reason: 'disk', message })).toEqual({
      action: 'fail',
      message: 'no space left on device: /tmp/small has 0B free of 5Mi; the local executor cannot give a tool more disk — free space or use another --workdir',
    });
    expect(decideRerun({ ...base, reason: 'disk', message: 'no space left on device', retry: { ...base.retry, on: ['oom'] } })).toEqual({ action: 'fail', message: `no space left on device; ${DISK_NOT_ENFORCED}` });
  });

  it('counts every attempt against max', () => {
    expect(decideRerun({ ...base, attempt: 3 })).toEqual({ action: 'fail', message: 'out of memory (attempt 3 of 3; no attempts left)' });
  });

  it('reruns lost tools with the same resources, and fails reasons not in retry.on', () => {
    expect(decideRerun({ ...base, reason: 'lost' })).toMatchObject({ action: 'rerun', resources: base.resources });
    expect(decideRerun({ ...base, reason: 'exit', message: 'exited with code 1' })).toEqual({ action: 'fail', message: 'exited with code 1' });
    expect(decideRerun({ ...base, reason: 'exit', message: 'exited with code 1', retry: { ...base.retry, on: ['exit'] } })).toMatchObject({ action: 'rerun', attempt: 2 });
  });

  it('notes a rerun with the same resources without repeating the failure (the attempt\'s message already says it)', () => {
    // Was `exited with code 7; rerun: same resources after: exited with code 7` in status and the report.
    expect(decideRerun({ ...base, reason: 'exit', message: 'exited with code 7', retry: { ...base.retry, on: ['exit'] } })).toMatchObject({ action: 'rerun', note: 'same resources' });
  });
});

describe('time limits', () => {
  const exit = { exitCode: null, signal: 'SIGTERM', oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [], watchdog: 'timeout' as const };

  it('classifies an attempt stopped at its time limit as timeout, naming the limit', () => {
    expect(classifyExit(exit, 1e9, 7200)).toEqual({ reason: 'timeout', message: 'ran past its time limit of 2h and was stopped' });
  });

  it('reruns a timeout with the time grown, up to retry.cap.time, only when retry.on names it', () => {
    const base = {
      reason: 'timeout' as const,
      message: 'ran past its time limit of 1h and was stopped',
      attempt: 1,
      resources: { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null, timeSeconds: 3600 },
      retry: { ...DEFAULT_RETRY, on: ['timeout' as const], capTimeSeconds: 3 * 3600 },
      capacity: { memBytes: 8e9, diskBytes: null },
    };
    expect(decideRerun(base)).toEqual({ action: 'rerun', attempt: 2, resources: { ...base.resources, timeSeconds: 7200 }, note: 'time limit 1h → 2h' });
    expect(decideRerun({ ...base, attempt: 2, resources: { ...base.resources, timeSeconds: 7200 } })).toMatchObject({ action: 'rerun', resources: { timeSeconds: 10800 } });
    expect(decideRerun({ ...base, attempt: 2, resources: { ...base.resources, timeSeconds: 10800 } })).toEqual({ action: 'fail', message: 'ran past its time limit of 1h and was stopped, at the 3h cap' });
    expect(decideRerun({ ...base, retry: DEFAULT_RETRY })).toEqual({ action: 'fail', message: base.message });
  });
});
