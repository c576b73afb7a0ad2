// Issue 7, section 3: memory evidence that tells the truth. Real processes under the real limiter
// (cgroups on the project's machines, which run the tests as root; the ulimit -v fallback forced).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { memoryInUse, SAMPLE_MS } from '../../shared/executor/local/memory-limit.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { classifyExit } from '../../shared/policy/classify.js';
import { tempDir } from '../support/tmp.js';
import { request, runAttempt } from './helpers.js';

const Mi = 1024 * 1024;
const dir = tempDir();
const objects = new LocalObjectStore(join(dir, 'objects'));
const executor = new LocalExecutor({ root: join(dir, 'work'), objects, keepaliveSeconds: 0.2 });
const rlimited = new LocalExecutor({ root: join(dir, 'work-rlimit'), objects, memoryLimit: 'rlimit' });
afterAll(async () => {
  await executor.close();
  await rlimited.close();
});

/** Perl holding `mb` million bytes (one string, ~44 MB resident for 40) for `seconds`. */
const hold = (mb: number, seconds: number) => `perl -e '$x = "a"; $x x= ${mb} * 1000 * 1000; sleep ${seconds}'`;

describe('memory evidence (cgroups)', () => {
  it('runs under a cgroup on this machine (root with the memory controller)', () => {
    expect(executor.limiter.mechanism).not.toBe('rlimit');
  });

  it('cache2.yaml: a cp of a 300 MB file then kill -KILL $BASHPID under 64Mi is not oom, and its peak is not the page cache', async () => {
    const src = join(dir, 'big.bin');
    execFileSync('bash', ['-c', 'head -c 300000000 /dev/zero > "$1"', 'x', src]);
    const req = request(['cp "$SRC" copy.bin', 'rm copy.bin', 'kill -KILL $BASHPID'], { mem: 64 * Mi });
    req.spec.env = { SRC: src };
    const { exit } = await runAttempt(executor, req);
    expect(exit.exitCode).toBe(137);
    expect(exit.oomKills).toBe(0);
    expect(exit.oomKilled).toBe(false);
    expect(exit.memLimitKind).toBe('cgroup');
    // cp's buffers: well under a MiB (or not sampled at all: null), where the cgroup's usage, page
    // cache included, sat at the 64Mi limit while it copied.
    expect(exit.peakMemBytes ?? 0).toBeLessThan(16 * Mi);
    const failure = classifyExit(exit, 64 * Mi);
    expect(failure!.reason).toBe('exit');
    expect(failure!.message).toBe(
      "exited with code 137 (signal 9, SIGKILL: killed); not an OOM kill: the kernel's OOM-kill counter of the attempt is 0, so something else sent SIGKILL",
    );
  });

  it('measures anonymous memory while the tool runs: the peak of a 40 MB allocation held past a sample', async () => {
    const { exit } = await runAttempt(executor, request([hold(40, (3 * SAMPLE_MS) / 1000)], { mem: 256 * Mi }));
    expect(exit.exitCode).toBe(0);
    expect(exit.peakMemBytes!).toBeGreaterThan(40e6);
    expect(exit.peakMemBytes!).toBeLessThan(100e6);
  });

  it('mem2.yaml: 4 children of 40 MB in 100Mi, some OOM-killed, the shell waiting with `wait` (exit 0): the attempt fails as oom with the count', async () => {
    const cmds = ['for i in 1 2 3 4; do ' + hold(40, 3) + ' & done', 'wait', 'echo done > done.txt'];
    const { exit } = await runAttempt(executor, request(cmds, { mem: 100 * Mi }));
    expect(exit.oomKills!).toBeGreaterThanOrEqual(1);
    expect(exit.oomKilled).toBe(true);
    expect(exit.peakMemBytes!).toBeGreaterThanOrEqual(100 * Mi);
    const failure = classifyExit(exit, 100 * Mi);
    expect(failure!.reason).toBe('oom');
    expect(failure!.message).toMatch(/^out of memory: the kernel OOM-killed \d+ process(es)? of the tool at the 100Mi limit/);
  });

  it('still OOM-kills a tool past its limit and reports the limit as its peak', async () => {
    const { exit } = await runAttempt(executor, request([hold(200, 1)], { mem: 64 * Mi }));
    expect(exit.exitCode).toBe(137);
    expect(exit.oomKills!).toBeGreaterThanOrEqual(1);
    expect(exit.peakMemBytes!).toBeGreaterThanOrEqual(64 * Mi);
    expect(classifyExit(exit, 64 * Mi)).toEqual({ reason: 'oom', message: `out of memory: the kernel OOM-killed ${exit.oomKills === 1 ? '1 process' : `${exit.oomKills} processes`} of the tool at the 64Mi limit` });
  });
});

describe('memory in use, from memory.stat', () => {
  it('counts anonymous memory and shmem, never page cache: v2 anon + shmem, v1 total_rss + total_shmem', () => {
    // Key names from the kernel docs (cgroup-v2.rst and cgroup-v1/memory.rst, "memory.stat").
    const v2 = 'anon 41943040\nfile 314572800\nkernel 1048576\nshmem 2097152\nfile_mapped 0\nanon_thp 0\nactive_file 300000000\n';
    expect(memoryInUse(v2, 'cgroup2')).toBe(41943040 + 2097152);
    const v1 = 'cache 67108864\nrss 4096\nrss_huge 0\nshmem 0\ntotal_cache 67108864\ntotal_rss 8192\ntotal_rss_huge 0\ntotal_shmem 4096\n';
    expect(memoryInUse(v1, 'cgroup1')).toBe(8192 + 4096);
    expect(memoryInUse('', 'cgroup2')).toBeNull();
  });
});

describe('memory evidence (ulimit -v fallback)', () => {
  it('node -e under mem: 256Mi dies reserving address space (exit 133) and is classed oom, saying why', async () => {
    const { exit } = await runAttempt(rlimited, request(["node -e 'console.log(1)'"], { mem: 256 * Mi }));
    expect(exit.exitCode).toBe(133);
    expect(exit.memLimitKind).toBe('rlimit');
    expect(exit.oomKills).toBeUndefined();
    expect(exit.peakMemBytes).toBeNull();
    expect(exit.stderrTail).toMatch(/Failed to reserve virtual memory/);
    const failure = classifyExit(exit, 256 * Mi);
    expect(failure!.reason).toBe('oom');
    expect(failure!.message).toMatch(/^out of memory: allocation failed under the 256Mi limit \(V8\/Node\.js: Fatal process OOM in Failed to reserve virtual memory/);
    expect(failure!.message).toMatch(/ulimit -v fallback limits each process's address space, which V8\/Node\.js reserves far beyond its use/);
  });

  it('node runs under the fallback once mem is well above its use (1Gi)', async () => {
    const { exit } = await runAttempt(rlimited, request(["node -e 'console.log(1)' > out.txt"], { mem: 1024 * Mi }));
    expect(exit.exitCode).toBe(0);
  });
});
