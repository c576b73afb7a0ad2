// Issue 12 §6: the cpu time of a cluster attempt, read by the tool wrapper from its container's
// cgroup (v2: cpu.stat usage_usec of the memory cgroup it found; v1: cpuacct.usage of its cpuacct
// cgroup) as a container's, and sent in the Exit as cpuTimeMs. The test puts the wrapper into
// cgroups of its own, as the kubelet does for a container (root, as the project's machines run the
// tests; this machine has cgroup v1, where the cpuacct cgroup is made here too).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { killAndRemove } from '../../shared/executor/local/memory-limit.js';
import { PodFile } from '../../shared/sidecar/pod-layout.js';
import { tempDir } from '../support/tmp.js';
import { attempt, Mi, newPod, runPod, testCgroup } from './helpers.js';

const root = tempDir('toolflow-sidecar-cpu-');

/** This process's cgroup v1 `cpuacct` path (from /proc/self/cgroup), or null on a cgroup v2 machine's memory (none needed there). */
function v1CpuacctPath(): string | null {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((p) => p[1]?.split(',').includes('cpuacct'));
  return line ? line[2]! : null;
}

/** Whether the memory cgroups of the tests are v1 (then cpu time needs a cpuacct cgroup of its own). */
function memoryIsV1(dir: string): boolean {
  return dir.startsWith('/sys/fs/cgroup/memory/');
}

/** A cpuacct cgroup for one test (cgroup v1), removed after it. */
function cpuacctCgroup(): string {
  const dir = join('/sys/fs/cgroup/cpuacct', v1CpuacctPath() ?? '/', `toolflow-cpu-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`);
  mkdirSync(dir);
  onTestFinished(() => {
    killAndRemove(dir);
  });
  return join(dir, 'cgroup.procs');
}

/** The tool: perl spinning, then writing its own user + system time, ms, to self.txt. */
const BURN = `perl -e 'for (1..2e7) {} my @t = times; printf "%d\\n", ($t[0] + $t[1]) * 1000' > self.txt`;

describe('cpu time of the tool container', () => {
  it('is the container cgroup\'s cpu time while the tool ran: in the exit file (µs) and the Exit (ms), at least what the tool says it used and not the machine\'s', async () => {
    const mem = testCgroup(512 * Mi);
    // On cgroup v1 the wrapper also joins a cpuacct cgroup of its own before it starts (exec).
    const shell = memoryIsV1(mem.dir) ? ['/bin/sh', '-c', 'echo $$ > "$0" && exec /bin/sh "$@"', cpuacctCgroup()] : ['/bin/sh'];
    const pod = newPod(root);
    const run = await runPod(pod, attempt({ cmds: [BURN] }), { wrapper: { cgroupProcs: mem.procs, shell } });
    expect(run.ended.code).toBe(0);
    const self = Number(readFileSync(join(pod.dir, 'work', 'self.txt'), 'utf8'));
    expect(self).toBeGreaterThan(50);
    const fields = readFileSync(join(pod.dir, PodFile.exit), 'utf8').trim().split(' ');
    expect(fields).toHaveLength(4);
    const usec = Number(fields[3]);
    expect(usec).toBeGreaterThanOrEqual((self - 20) * 1000);
    // The wrapper's memory sampler and the tool's start-up share the cgroup: a little more, never the machine's.
    expect(usec).toBeLessThan((self + 1000) * 1000);
    expect(run.exit()!.cpuTimeMs).toBe(Math.round(usec / 1000));
  });

  it('is not measured when the only cpu cgroup is the root one (cgroup v1: that is the whole machine\'s): `-`, and the Exit has no cpuTimeMs', async () => {
    const mem = testCgroup(512 * Mi);
    const pod = newPod(root);
    const run = await runPod(pod, attempt({ cmds: ['true'] }), { wrapper: { cgroupProcs: mem.procs } });
    expect(run.ended.code).toBe(0);
    const fields = readFileSync(join(pod.dir, PodFile.exit), 'utf8').trim().split(' ');
    if (memoryIsV1(mem.dir) && v1CpuacctPath() === '/') {
      expect(fields[3]).toBe('-');
      expect(run.exit()!.cpuTimeMs).toBeUndefined();
    } else {
      // cgroup v2 (the memory cgroup's own cpu.stat), or a cpuacct cgroup that is not the root: measured.
      expect(Number(fields[3])).toBeGreaterThanOrEqual(0);
      expect(run.exit()!.cpuTimeMs).toBeGreaterThanOrEqual(0);
    }
  });
});
