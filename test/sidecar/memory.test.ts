// The wrapper's memory evidence from its own cgroup, read through /proc/self/cgroup as in a
// container: the test puts the wrapper into a memory cgroup of its own (root, as the project's
// machines run the tests; this machine has cgroup v1), as the kubelet does for a container.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PodFile } from '../../shared/sidecar/pod-layout.js';
import { tempDir } from '../support/tmp.js';
import { attempt, Mi, newPod, runPod, testCgroup } from './helpers.js';

const root = tempDir('toolflow-sidecar-mem-');
/** Perl holding `mb` million bytes (one string) for `seconds`. */
const hold = (mb: number, seconds: number) => `perl -e '$x = "a"; $x x= ${mb} * 1000 * 1000; sleep ${seconds}'`;

describe('memory evidence of the tool container', () => {
  it('writes the memory in use to mem while the tool runs; Keepalives carry it; Exit has the peak and memLimitKind cgroup', async () => {
    const cg = testCgroup(512 * Mi);
    const pod = newPod(root);
    const run = await runPod(pod, attempt({ cmds: [hold(60, 5)] }), { wrapper: { cgroupProcs: cg.procs } });
    expect(run.ended.code).toBe(0);
    const mem = run.reports.flatMap((r) => (r.kind === 'keepalive' && r.memBytes !== null ? [r.memBytes] : []));
    expect(mem.length).toBeGreaterThan(0);
    expect(Math.max(...mem)).toBeGreaterThan(60e6);
    expect(Math.max(...mem)).toBeLessThan(200e6);
    expect(Number(readFileSync(join(pod.dir, PodFile.mem), 'utf8'))).toBeGreaterThan(0);
    const exit = run.exit()!;
    expect(exit).toMatchObject({ exitCode: 0, oomKills: 0, oomKilled: false, memLimitKind: 'cgroup' });
    expect(exit.peakMemBytes!).toBeGreaterThan(60e6);
  });

  it('an OOM kill in the cgroup shows in exit as oom kills > 0, and the Exit says oomKilled', async () => {
    const cg = testCgroup(64 * Mi);
    const pod = newPod(root);
    const run = await runPod(pod, attempt({ cmds: [hold(200, 1)] }), { wrapper: { cgroupProcs: cg.procs } });
    expect(run.ended.code).toBe(137);
    const [code, kills, peak] = readFileSync(join(pod.dir, PodFile.exit), 'utf8').trim().split(' ');
    expect(code).toBe('137');
    expect(Number(kills)).toBeGreaterThanOrEqual(1);
    expect(Number(peak)).toBeGreaterThanOrEqual(60 * Mi);
    const exit = run.exit()!;
    expect(exit.oomKilled).toBe(true);
    expect(exit.oomKills!).toBeGreaterThanOrEqual(1);
    expect(exit.exitCode).toBe(137);
  });
});
