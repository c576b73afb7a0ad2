// A restarted sidecar (the kubelet restarts a native sidecar in place) picks up from the folder's files.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PodFile } from '../../shared/sidecar/pod-layout.js';
import { runSidecar } from '../../shared/sidecar/sidecar.js';
import { tempDir } from '../support/tmp.js';
import { attempt, log, newPod, putText, recorder, runPod, type Pod } from './helpers.js';

const root = tempDir('toolflow-sidecar-restart-');
const run = (pod: Pod, req: ReturnType<typeof attempt>, rec = recorder()) =>
  runSidecar({ podDir: pod.dir, request: req, objects: pod.objects, report: rec.report, keepaliveSeconds: 0.2, log, signal: new AbortController().signal }).then(() => rec);

describe('a restarted sidecar', () => {
  it('with `reported` in the folder: sends nothing', async () => {
    const pod = newPod(root);
    writeFileSync(join(pod.dir, PodFile.reported), '');
    expect((await run(pod, attempt({ cmds: ['true'] }))).reports).toEqual([]);
  });

  it('after a staging failure: the same Exit again (its details kept in the folder), then `reported`', async () => {
    const pod = newPod(root);
    const req = attempt({ cmds: ['true'], inputs: { reads: { key: 'tester/none/r.fq', fileName: 'r.fq' } } });
    const first = await runPod(pod, req);
    expect(first.ended.code).toBe(127);
    rmSync(join(pod.dir, PodFile.reported));
    const again = await run(pod, req);
    expect(again.reports).toEqual(first.reports);
    expect(existsSync(join(pod.dir, PodFile.reported))).toBe(true);
  });

  it('before `ready`: stages again from scratch, read-only leftovers of the first try included', async () => {
    const pod = newPod(root);
    await putText(pod, 'tester/up/r.fq', 'fresh');
    // What a sidecar killed mid-staging leaves: a read-only folder holding a stale file.
    mkdirSync(join(pod.dir, 'inputs', 'reads'), { recursive: true });
    writeFileSync(join(pod.dir, 'inputs', 'reads', 'r.fq'), 'stale');
    chmodSync(join(pod.dir, 'inputs', 'reads', 'r.fq'), 0o444);
    chmodSync(join(pod.dir, 'inputs', 'reads'), 0o555);
    const req = attempt({ cmds: ['cat "$TF_INPUT_reads" > copy.txt'], outputs: ['copy.txt'], inputs: { reads: { key: 'tester/up/r.fq', fileName: 'r.fq' } } });
    const result = await runPod(pod, req);
    expect(result.exit()).toMatchObject({ exitCode: 0, missingOutputs: [] });
    expect(readFileSync(join(pod.dir, 'work', 'copy.txt'), 'utf8')).toBe('fresh');
  });

  it('after `exit` but before `reported`: uploads and reports the Exit (Start first), without staging again', async () => {
    const pod = newPod(root);
    mkdirSync(join(pod.dir, 'work'));
    writeFileSync(join(pod.dir, 'work', 'o.txt'), 'out');
    writeFileSync(join(pod.dir, 'work', 'stderr.log'), 'boom\n');
    for (const [name, text] of [[PodFile.ready, ''], [PodFile.started, '1700000000\n'], [PodFile.exit, '2 0 4096\n']] as const) writeFileSync(join(pod.dir, name), text);
    const rec = await run(pod, attempt({ cmds: ['true'], outputs: ['o.txt'] }));
    expect(rec.kinds()).toEqual(['start', 'exit']);
    expect(rec.reports[0]!.at).toBe(1_700_000_000_000);
    expect(rec.exit()).toMatchObject({ exitCode: 2, oomKills: 0, oomKilled: false, peakMemBytes: 4096, memLimitKind: 'cgroup', stderrTail: 'boom\n', missingOutputs: [] });
    expect(await pod.objects.head('attempts/t0123456789a/align/attempt-1/o.txt')).toEqual({ key: 'attempts/t0123456789a/align/attempt-1/o.txt', size: 3 });
    expect(existsSync(join(pod.dir, PodFile.command))).toBe(false);
    expect(existsSync(join(pod.dir, PodFile.reported))).toBe(true);
  });

  it('an Exit the work manager never takes (gave up) still ends in `reported`, so the wrapper can end', async () => {
    const pod = newPod(root);
    const rec = recorder('gave-up');
    const result = await runPod(pod, attempt({ cmds: ['exit 4'] }), { sidecar: { report: rec.report } });
    expect(result.ended.code).toBe(4);
    expect(rec.kinds().at(-1)).toBe('exit');
    expect(existsSync(join(pod.dir, PodFile.reported))).toBe(true);
  });
});
