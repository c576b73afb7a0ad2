// Issue 10 in a Pod (the wrapper and the real sidecar on a temporary folder): staging from bindings
// (dependency outputs into work/ by base name, read-only; item files under inputs/<input>/<key>/<column>/;
// deps/<tool>/ only for `dir` bindings), command.sh's environment from bindings, and the outputs'
// sizes and SHA-256 in the Exit.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AttemptRequest } from '../../shared/executor/executor.js';
import { attemptObjectPrefix } from '../../shared/sidecar/pod-layout.js';
import type { Binding } from '../../shared/spec/types.js';
import { tempDir } from '../support/tmp.js';
import { attempt, newPod, objectText, putText, runPod } from './helpers.js';

const root = tempDir('toolflow-sidecar-bindings-');
const TASK = 't0123456789a';
const prefix = (tool: string, n = 1) => attemptObjectPrefix(TASK, tool, n);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** An attempt of a planned tool (with `bindings`). */
function planned(over: Parameters<typeof attempt>[0], bindings: Binding[]): AttemptRequest {
  const req = attempt(over);
  req.spec = { ...req.spec, bindings };
  return req;
}

describe('sidecar staging from bindings', () => {
  it('stages outputs into work/ by base name (read-only), an item file, only dir-bound deps; the env from bindings; outputs in the Exit', async () => {
    const pod = newPod(root);
    await putText(pod, prefix('align[A]') + 'A.bam', 'bam-A');
    await putText(pod, prefix('align[A]') + 'stdout.log', 'log A');
    await putText(pod, prefix('align[B]', 2) + 'sub/B.bam', 'bam-B');
    await putText(pod, prefix('index') + 'ref.idx', 'index-data');
    await putText(pod, 'tester/up/sheet.tsv', 'sample\tfastq\nA\tA.fq\n');
    await putText(pod, 'tester/up/A.fq', '@r\nACGT\n');
    const req = planned(
      {
        tool: 'call',
        cmds: [
          'for f in $TF_DEP_align_bam; do cat "$f" >> all.txt; printf "idx" > "$f.bai"; done',
          'echo "$TF_DEP_align_bam|$TF_ITEM_sample|$TF_DEP_index|$TF_INPUT_samples|$TF_ITEM_fastq" > env.txt',
          'cat "$TF_DEP_index/ref.idx" "$TF_ITEM_fastq" > read.txt',
          'env > all-env.txt',
        ],
        outputs: ['all.txt', 'env.txt', 'read.txt', 'A.bam.bai', 'all.txt'],
        inputs: { samples: { key: 'tester/up/sheet.tsv', fileName: 'sheet.tsv' }, 'samples/A/fastq': { key: 'tester/up/A.fq', fileName: 'A.fq' } },
        deps: [{ tool: 'align[A]', attempt: 1 }, { tool: 'align[B]', attempt: 2 }, { tool: 'index', attempt: 1 }],
      },
      [
        { env: 'TF_DEP_align_bam', outputs: [{ tool: 'align[A]', path: 'A.bam' }, { tool: 'align[B]', path: 'sub/B.bam' }] },
        { env: 'TF_ITEM_sample', value: 'A' },
        { env: 'TF_DEP_index', dir: 'index' },
        { env: 'TF_ITEM_fastq', input: 'samples/A/fastq' },
      ],
    );
    const run = await runPod(pod, req);
    const exit = run.exit()!;
    expect(exit).toMatchObject({ exitCode: 0, missingOutputs: [] });
    const work = join(pod.dir, 'work');
    const inputs = join(pod.dir, 'inputs');
    expect(await objectText(pod, prefix('call') + 'all.txt')).toBe('bam-Abam-B');
    expect(await objectText(pod, prefix('call') + 'env.txt')).toBe(
      `A.bam B.bam|A|${join(pod.dir, 'deps', 'index')}|${join(inputs, 'samples', 'sheet.tsv')}|${join(inputs, 'samples', 'A', 'fastq', 'A.fq')}\n`,
    );
    expect(await objectText(pod, prefix('call') + 'read.txt')).toBe('index-data@r\nACGT\n');
    expect(statSync(join(work, 'A.bam')).mode & 0o777).toBe(0o444);
    expect(statSync(join(work, 'B.bam')).mode & 0o777).toBe(0o444);
    // Only the dir-bound dependency has a folder; no TF_DEP_<tool> for the others.
    expect(readdirSync(join(pod.dir, 'deps'))).toEqual(['index']);
    expect(readFileSync(join(work, 'all-env.txt'), 'utf8')).not.toMatch(/TF_DEP_align_A=|TF_INPUT_samples\//);
    expect(readFileSync(join(work, 'all-env.txt'), 'utf8')).toContain('TF_DEP_index=');
    // The staged files are not uploaded as this tool's outputs.
    expect(await pod.objects.head(prefix('call') + 'A.bam')).toBeUndefined();
    const text = (k: string) => objectText(pod, prefix('call') + k);
    expect(exit.outputs).toEqual([
      { path: 'all.txt', bytes: 10, sha256: sha('bam-Abam-B') },
      { path: 'env.txt', bytes: Buffer.byteLength(await text('env.txt')), sha256: sha(await text('env.txt')) },
      { path: 'read.txt', bytes: 18, sha256: sha('index-data@r\nACGT\n') },
      { path: 'A.bam.bai', bytes: 3, sha256: sha('idx') },
    ]);
  });

  it('a tool without outputs: outputs [] in the Exit; a missing output: none', async () => {
    const pod = newPod(root);
    expect((await runPod(pod, attempt({ cmds: ['true'] }))).exit()!.outputs).toEqual([]);
    const pod2 = newPod(root);
    const missing = (await runPod(pod2, attempt({ cmds: ['echo x > a.txt'], outputs: ['a.txt', 'b.txt'] }))).exit()!;
    expect(missing.missingOutputs).toEqual(['b.txt']);
    expect(missing.outputs).toBeUndefined();
    const pod3 = newPod(root);
    expect((await runPod(pod3, attempt({ cmds: ['echo x > a.txt', 'exit 4'], outputs: ['a.txt'] }))).exit()!.outputs).toBeUndefined();
  });

  it('without bindings (a task stored before issue 10): every dependency staged under deps/, TF_DEP_ for each', async () => {
    const pod = newPod(root);
    await putText(pod, prefix('make') + 'm.txt', 'made');
    const run = await runPod(pod, attempt({ cmds: ['cat "$TF_DEP_make/m.txt" > got.txt'], outputs: ['got.txt'], deps: [{ tool: 'make', attempt: 1 }] }));
    expect(run.exit()).toMatchObject({ exitCode: 0, outputs: [{ path: 'got.txt', bytes: 4, sha256: sha('made') }] });
  });

  it('two staged outputs of one base name: staging fails naming both; the tool never starts', async () => {
    const pod = newPod(root);
    await putText(pod, prefix('x') + 'a/C.bam', 'one');
    await putText(pod, prefix('y') + 'b/C.bam', 'two');
    const req = planned(
      { cmds: ['touch ran.txt'], deps: [{ tool: 'x', attempt: 1 }, { tool: 'y', attempt: 1 }] },
      [{ env: 'TF_DEP_both_bam', outputs: [{ tool: 'x', path: 'a/C.bam' }, { tool: 'y', path: 'b/C.bam' }] }],
    );
    const run = await runPod(pod, req);
    expect(run.ended.code).toBe(127);
    expect(run.exit()!.launchError).toBe(
      `staging failed: binding TF_DEP_both_bam: cannot stage output b/C.bam of tool y (object ${prefix('y')}b/C.bam) as C.bam in the work dir: output a/C.bam of tool x (object ${prefix('x')}a/C.bam) is staged there already`,
    );
    expect(existsSync(join(pod.dir, 'work'))).toBe(false); // staged files removed
  });

  it('a binding naming a tool the request does not list, a missing object, a path out of the work dir: staging fails saying which', async () => {
    const cases: [Binding, string][] = [
      [{ env: 'TF_DEP_q_bam', outputs: [{ tool: 'q', path: 'q.bam' }] }, 'staging failed: binding TF_DEP_q_bam names tool "q", which is not among the attempt\'s dependencies'],
      [{ env: 'TF_DEP_d_bam', outputs: [{ tool: 'd', path: 'gone.bam' }] }, `staging failed: could not fetch object ${prefix('d')}gone.bam (output gone.bam of dependency d, attempt 1, for TF_DEP_d_bam): `],
      [{ env: 'TF_DEP_d_x', outputs: [{ tool: 'd', path: '../../x' }] }, 'staging failed: binding TF_DEP_d_x: output "../../x" of tool d cannot be staged: output "../../x" is not a path inside the work dir'],
      [{ env: 'TF_DEP_e', dir: 'e' }, 'staging failed: a binding names tool "e"\'s folder, which is not among the attempt\'s dependencies'],
      [{ env: 'TF_ITEM_f', input: 'samples/Z/f' }, 'staging failed: binding TF_ITEM_f names input "samples/Z/f", which the attempt was not given'],
    ];
    for (const [binding, message] of cases) {
      const pod = newPod(root);
      await putText(pod, prefix('d') + 'here.bam', 'x');
      const run = await runPod(pod, planned({ cmds: ['true'], deps: [{ tool: 'd', attempt: 1 }] }, [binding]));
      expect(run.ended.code, message).toBe(127);
      expect(run.exit()!.launchError).toContain(message);
    }
  });

  it('an input name that would leave inputs/: staging fails', async () => {
    const pod = newPod(root);
    await putText(pod, 'tester/up/e.txt', 'e');
    const run = await runPod(pod, attempt({ cmds: ['true'], inputs: { 'samples/../../escape': { key: 'tester/up/e.txt', fileName: 'e.txt' } } }));
    expect(run.exit()!.launchError).toBe('staging failed: input ".." cannot be a folder name');
    expect(existsSync(join(pod.dir, '..', 'escape'))).toBe(false);
  });
});
