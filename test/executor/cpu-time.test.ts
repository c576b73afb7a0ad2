// Issue 12 §6: the cpu time of each attempt, measured by the local executor (the attempt cgroup's
// cpu.stat on cgroup v2; the rusage of the attempt's shell, from the worker's `times`, on cgroup v1
// and under the ulimit fallback), checked against what the tool itself says it used.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { parseTimesLine } from '../../shared/executor/local/process-launcher.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { tempDir } from '../support/tmp.js';
import { request, runAttempt } from './helpers.js';

const dir = tempDir();
const objects = new LocalObjectStore(join(dir, 'objects'));
const cgroups = new LocalExecutor({ root: join(dir, 'work'), objects });
const rlimited = new LocalExecutor({ root: join(dir, 'work-rlimit'), objects, memoryLimit: 'rlimit' });
afterAll(async () => {
  await cgroups.close();
  await rlimited.close();
});

/** A tool that spins `n` loop turns in perl, then writes its own user + system time (perl's `times`, ms) to self.txt. */
const burn = (n: string) => `perl -e 'for (1..${n}) {} my @t = times; printf "%d\\n", ($t[0] + $t[1]) * 1000' > self.txt`;

/** The cpu time the tool said it used, ms. */
const selfReported = (executor: LocalExecutor, tool: string) => Number(readFileSync(join(executor.workDirOf('task1', tool, 1), 'self.txt'), 'utf8'));

describe('bash `times` lines', () => {
  it('are read as user + system ms, with a comma as decimal point too; other lines are not', () => {
    expect(parseTimesLine('0m1.234s 0m0.050s')).toBe(1284);
    expect(parseTimesLine('2m0.500s 1m1.001s')).toBe(120_500 + 61_001);
    expect(parseTimesLine('0m0,004s 0m0,000s')).toBe(4);
    for (const other of ['exit 0', 'start 123', '0m1.23s 0m0.050s', '0m1.234s', '']) expect(parseTimesLine(other)).toBeNull();
  });
});

describe.each([
  { name: 'the detected limiter', executor: cgroups },
  { name: 'the ulimit -v fallback', executor: rlimited },
])('cpu time of an attempt under $name', ({ executor }) => {
  it('is what the tool used: at least what it says it used itself, and not the machine\'s', async () => {
    const req = request([burn('2e7')]);
    const { exit } = await runAttempt(executor, req);
    expect(exit.exitCode).toBe(0);
    const self = selfReported(executor, req.tool);
    expect(self).toBeGreaterThan(50);
    // perl's own times (10 ms clock ticks), plus the shell and perl's start-up.
    expect(exit.cpuTimeMs).toBeGreaterThanOrEqual(self - 20);
    expect(exit.cpuTimeMs).toBeLessThan(self + 500);
  });

  it('counts each attempt alone: a short attempt after a long one on the same worker gets only its own', async () => {
    const long = request([burn('2e7')]);
    await runAttempt(executor, long);
    const short = request([burn('1e5')]);
    const { exit } = await runAttempt(executor, short);
    const self = selfReported(executor, short.tool);
    expect(exit.cpuTimeMs).toBeGreaterThanOrEqual(Math.max(0, self - 20));
    expect(exit.cpuTimeMs).toBeLessThan(self + 300);
    expect(exit.cpuTimeMs).toBeLessThan(selfReported(executor, long.tool));
  });

  it('is measured for a failed attempt too', async () => {
    const req = request([burn('1e7'), 'exit 3']);
    const { exit } = await runAttempt(executor, req);
    expect(exit.exitCode).toBe(3);
    expect(exit.cpuTimeMs).toBeGreaterThanOrEqual(selfReported(executor, req.tool) - 20);
  });
});
