// Issue 10 §6: one memory cgroup per attempt running at once, reused from one attempt to the next
// (memory-limit.ts), with each attempt's own limit, peak and OOM kills, and a fresh cgroup whenever
// the last one is not clean. Real processes under the real cgroup limiter (the project's machines run
// the tests as root with the memory controller).
import { existsSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { SAMPLE_MS } from '../../shared/executor/local/memory-limit.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { tempDir } from '../support/tmp.js';
import { request, runAttempt } from './helpers.js';

const Mi = 1024 * 1024;
const dir = tempDir();
const objects = new LocalObjectStore(join(dir, 'objects'));
const executor = new LocalExecutor({ root: join(dir, 'work'), objects });
const shmFile = `/dev/shm/toolflow-test-${process.pid}.bin`;
afterAll(async () => {
  rmSync(shmFile, { force: true });
  await executor.close();
});

/** Perl holding `mb` million bytes for `seconds`. */
const hold = (mb: number, seconds: number) => `perl -e '$x = "a"; $x x= ${mb} * 1000 * 1000; sleep ${seconds}'`;

/** Runs `cmds` with `mem` bytes; returns the exit report and the path of the memory cgroup the tool ran in. */
async function attempt(cmds: string[], mem = 256 * Mi) {
  const req = request(['cat /proc/self/cgroup > cgroup.txt', ...cmds], { mem });
  const { exit } = await runAttempt(executor, req);
  const lines = readFileSync(join(executor.workDirOf(req.taskId, req.tool, 1), 'cgroup.txt'), 'utf8').split('\n');
  const line = lines.find((l) => (executor.limiter.mechanism === 'cgroup1' ? /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l) : l.startsWith('0::')))!;
  return { exit, cgroup: line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1) };
}

/** The cgroup's folder under /sys/fs/cgroup, from its path in /proc/self/cgroup. */
const folder = (cgroup: string) => (executor.limiter.mechanism === 'cgroup1' ? join('/sys/fs/cgroup/memory', cgroup) : join('/sys/fs/cgroup', cgroup));

describe('memory cgroups reused between attempts', () => {
  it('runs under a cgroup on this machine (root with the memory controller)', () => {
    expect(executor.limiter.mechanism).not.toBe('rlimit');
  });

  it('runs one attempt after another in the same cgroup, each under its own limit', async () => {
    const a = await attempt(['true'], 256 * Mi);
    expect(a.exit.exitCode).toBe(0);
    expect(a.cgroup).toMatch(/\/toolflow-\d+-[0-9a-f]+\/a\d+$/);
    // The same cgroup, now at 64Mi: 200 MB is OOM-killed there.
    const b = await attempt([hold(200, 1)], 64 * Mi);
    expect(b.cgroup).toBe(a.cgroup);
    expect(b.exit.exitCode).toBe(137);
    expect(b.exit.oomKills!).toBeGreaterThanOrEqual(1);
    expect(b.exit.oomKilled).toBe(true);
    expect(b.exit.peakMemBytes!).toBeGreaterThanOrEqual(64 * Mi);
    // After an OOM kill the cgroup is not reused; the next attempt has its 256Mi again and no OOM kill.
    const c = await attempt([hold(100, 0)], 256 * Mi);
    expect(c.cgroup).not.toBe(b.cgroup);
    expect(c.exit.exitCode).toBe(0);
    expect(c.exit.oomKills).toBe(0);
    expect(c.exit.oomKilled).toBe(false);
    expect(existsSync(folder(b.cgroup))).toBe(false);
  });

  it("reads back each attempt's own peak: a no-op after a 40 MB attempt in the same cgroup has none of it", async () => {
    const a = await attempt([hold(40, (3 * SAMPLE_MS) / 1000)]);
    expect(a.exit.exitCode).toBe(0);
    expect(a.exit.peakMemBytes!).toBeGreaterThan(40e6);
    const b = await attempt(['true']);
    expect(b.cgroup).toBe(a.cgroup);
    expect(b.exit.exitCode).toBe(0);
    expect(b.exit.oomKills).toBe(0);
    expect(b.exit.peakMemBytes ?? 0).toBeLessThan(16 * Mi);
  });

  it('gives the next attempt a fresh cgroup when one leaves shmem charged (a file in /dev/shm)', async () => {
    const a = await attempt([`head -c 3000000 /dev/zero > ${shmFile}`]);
    expect(a.exit.exitCode).toBe(0);
    const b = await attempt(['true']);
    expect(b.cgroup).not.toBe(a.cgroup);
    expect(b.exit.peakMemBytes ?? 0).toBeLessThan(3e6);
    expect(existsSync(folder(a.cgroup))).toBe(false);
    rmSync(shmFile, { force: true });
  });

  it('gives the next attempt a fresh cgroup when one left a process running (killed at its end)', async () => {
    const a = await attempt(['sleep 30 &']);
    expect(a.exit.exitCode).toBe(0);
    expect(existsSync(folder(a.cgroup))).toBe(false);
    const b = await attempt(['true']);
    expect(b.cgroup).not.toBe(a.cgroup);
    expect(b.exit.exitCode).toBe(0);
  });

  it('replaces an idle cgroup that was removed from outside', async () => {
    const a = await attempt(['true']);
    rmdirSync(folder(a.cgroup));
    const b = await attempt(['true']);
    expect(b.exit.exitCode).toBe(0);
    expect(b.cgroup).not.toBe(a.cgroup);
  });

  it('removes its cgroups and its folder when the executor closes', async () => {
    const own = new LocalExecutor({ root: join(dir, 'work-own'), objects });
    const req = request(['cat /proc/self/cgroup > cgroup.txt']);
    await runAttempt(own, req);
    const lines = readFileSync(join(own.workDirOf(req.taskId, req.tool, 1), 'cgroup.txt'), 'utf8').split('\n');
    const line = lines.find((l) => (own.limiter.mechanism === 'cgroup1' ? /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l) : l.startsWith('0::')))!;
    const cg = folder(line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1));
    expect(existsSync(cg)).toBe(true);
    await own.close();
    expect(existsSync(cg)).toBe(false);
    expect(existsSync(dirname(cg))).toBe(false);
  });
});
