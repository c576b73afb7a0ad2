// The tool container's wrapper under /bin/sh (dash here) and the real sidecar beside it, on a
// temporary Pod folder with the local object store: what a tool attempt's Pod does, minus Kubernetes.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSidecar } from '../../shared/sidecar/sidecar.js';
import { attemptObjectPrefix, PodFile } from '../../shared/sidecar/pod-layout.js';
import { tempDir } from '../support/tmp.js';
import { attempt, log, newPod, objectText, putText, recorder, runPod, startWrapper } from './helpers.js';

const root = tempDir('toolflow-sidecar-');
const prefix = (tool = 'align', n = 1) => attemptObjectPrefix('t0123456789a', tool, n);

describe('wrapper and sidecar', () => {
  it('runs a tool: outputs and logs uploaded, Start, Keepalives, then Exit, in that order', async () => {
    const pod = newPod(root);
    const req = attempt({ cmds: ['echo out-line', 'echo err-line >&2', 'mkdir -p sub && echo a > sub/a.txt', 'echo b > b.txt', 'sleep 1'], outputs: ['b.txt', 'sub/./a.txt'] });
    const run = await runPod(pod, req);
    expect(run.ended).toEqual({ code: 0, signal: null });
    const kinds = run.kinds();
    expect(kinds[0]).toBe('start');
    expect(kinds.at(-1)).toBe('exit');
    expect(kinds.filter((k) => k === 'exit')).toHaveLength(1);
    expect(kinds.slice(1, -1).length).toBeGreaterThan(0);
    expect(kinds.slice(1, -1).every((k) => k === 'keepalive')).toBe(true);
    const start = run.reports[0]!;
    const exit = run.exit()!;
    expect(start).toMatchObject({ taskId: 't0123456789a', tool: 'align', attempt: 1 });
    expect(Math.floor(start.at / 1000)).toBe(Number(readFileSync(join(pod.dir, PodFile.started), 'utf8')));
    expect(exit).toMatchObject({ exitCode: 0, signal: null, oomKilled: false, missingOutputs: [], stderrTail: '' });
    expect(exit.at).toBeGreaterThanOrEqual(start.at);
    expect(await objectText(pod, prefix() + 'b.txt')).toBe('b\n');
    expect(await objectText(pod, prefix() + 'sub/a.txt')).toBe('a\n');
    expect(await objectText(pod, prefix() + 'stdout.log')).toBe('out-line\n');
    expect(await objectText(pod, prefix() + 'stderr.log')).toBe('err-line\n');
    expect(existsSync(join(pod.dir, PodFile.reported))).toBe(true);
    expect(readFileSync(join(pod.dir, PodFile.exit), 'utf8')).toMatch(/^0 (\d+|-) (\d+|-) (\d+|-)\n$/);
  });

  it('a failing tool (exit 3): its code, its stderr tail, no missing outputs', async () => {
    const pod = newPod(root);
    const req = attempt({ cmds: ['for i in $(seq 1 2000); do echo "line $i" >&2; done', 'echo "the last words" >&2', 'exit 3'], outputs: ['never.txt'] });
    const run = await runPod(pod, req);
    expect(run.ended.code).toBe(3);
    const exit = run.exit()!;
    expect(exit.exitCode).toBe(3);
    expect(exit.missingOutputs).toEqual([]);
    expect(Buffer.byteLength(exit.stderrTail)).toBe(4096);
    expect(exit.stderrTail.endsWith('line 2000\nthe last words\n')).toBe(true);
    expect(exit.diskFull).toBeUndefined();
  });

  it('exit 0 without a declared output: missingOutputs names it, the present one is uploaded', async () => {
    const pod = newPod(root);
    const run = await runPod(pod, attempt({ cmds: ['echo x > here.txt'], outputs: ['here.txt', 'gone.txt'] }));
    expect(run.ended.code).toBe(0);
    expect(run.exit()).toMatchObject({ exitCode: 0, missingOutputs: ['gone.txt'] });
    expect(run.exit()!.evidence).toBeUndefined();
    expect(await pod.objects.head(prefix() + 'here.txt')).toBeDefined();
    expect(await pod.objects.head(prefix() + 'gone.txt')).toBeUndefined();
  });

  it('option values with $(...), quotes and newlines reach the tool as data', async () => {
    const pod = newPod(root);
    const nasty = `$(touch pwned) \`touch pwned2\` 'single' "double" ; touch pwned3\nsecond line $HOME \\`;
    const req = attempt({ cmds: ['printf "%s" "$TF_OPT_text" > value.txt', 'test ! -e pwned && test ! -e pwned2 && test ! -e pwned3'], outputs: ['value.txt'], values: { text: nasty } });
    const run = await runPod(pod, req);
    expect(run.exit()).toMatchObject({ exitCode: 0, missingOutputs: [] });
    expect(await objectText(pod, prefix() + 'value.txt')).toBe(nasty);
  });

  it('stages an input and a dependency\'s outputs (read-only) and gives the tool their paths', async () => {
    const pod = newPod(root);
    await putText(pod, 'tester/up1/reads.fq', '@r1\nACGT\n');
    await putText(pod, prefix('index', 2) + 'ref.idx', 'index-data');
    await putText(pod, prefix('index', 2) + 'parts/p1.txt', 'part-one');
    await putText(pod, prefix('index', 2) + 'stdout.log', 'index log');
    const req = attempt({
      cmds: [
        'cat "$TF_INPUT_reads" > seen.txt',
        'cat "$TF_DEP_index/ref.idx" "$TF_DEP_index/parts/p1.txt" >> seen.txt',
        'if echo tamper > "$TF_DEP_index/ref.idx" 2>/dev/null; then echo writable >> seen.txt; fi',
        'echo "$TF_INPUT_reads $TF_DEP_index $TF_WORKDIR $PWD" > paths.txt',
      ],
      outputs: ['seen.txt', 'paths.txt'],
      inputs: { reads: { key: 'tester/up1/reads.fq', fileName: '../../evil/reads.fq' } },
      deps: [{ tool: 'index', attempt: 2 }],
    });
    const run = await runPod(pod, req);
    expect(run.exit()).toMatchObject({ exitCode: 0, missingOutputs: [] });
    const dep = join(pod.dir, 'deps', 'index');
    expect(statSync(join(dep, 'ref.idx')).mode & 0o777).toBe(0o444);
    expect(statSync(dep).mode & 0o777).toBe(0o555);
    expect(readFileSync(join(dep, 'stdout.log'), 'utf8')).toBe('index log');
    const input = join(pod.dir, 'inputs', 'reads', 'reads.fq');
    expect(await objectText(pod, prefix() + 'paths.txt')).toBe(`${input} ${dep} ${join(pod.dir, 'work')} ${join(pod.dir, 'work')}\n`);
    // Root may write anyway (CAP_DAC_OVERRIDE); the mode is what a tool's own user meets.
    const seen = await objectText(pod, prefix() + 'seen.txt');
    expect(seen.startsWith('@r1\nACGT\nindex-datapart-one')).toBe(true);
    if (process.getuid?.() !== 0) expect(seen).not.toContain('writable');
  });

  it('a staging failure writes abort: the wrapper exits 127, the Exit carries launchError naming the object', async () => {
    const pod = newPod(root);
    const req = attempt({ cmds: ['touch ran.txt'], inputs: { reads: { key: 'tester/up9/missing.fq', fileName: 'missing.fq' } } });
    const run = await runPod(pod, req);
    expect(run.ended.code).toBe(127);
    expect(run.wrapper.stderr()).toContain('tester/up9/missing.fq');
    expect(run.kinds()).toEqual(['exit']);
    const exit = run.exit()!;
    expect(exit.launchError).toMatch(/^staging failed: could not fetch object tester\/up9\/missing\.fq \(input reads\): /);
    expect(exit.exitCode).toBeNull();
    expect(existsSync(join(pod.dir, PodFile.abort))).toBe(true);
    expect(existsSync(join(pod.dir, PodFile.ready))).toBe(false);
    expect(existsSync(join(pod.dir, 'work', 'ran.txt'))).toBe(false);
  });

  it('a dependency with nothing in the object store fails staging, naming its prefix', async () => {
    const pod = newPod(root);
    const run = await runPod(pod, attempt({ cmds: ['true'], deps: [{ tool: 'index', attempt: 4 }] }));
    expect(run.ended.code).toBe(127);
    expect(run.exit()!.launchError).toContain(`no objects under ${prefix('index', 4)}`);
  });

  it('the wrapper exits with the tool\'s code when `reported` never comes (bounded wait)', async () => {
    const pod = newPod(root);
    // No sidecar at all: the folder is prepared by hand, and nobody writes `reported`.
    mkdirSync(join(pod.dir, 'work'));
    writeFileSync(join(pod.dir, PodFile.command), 'echo bye; exit 5\n');
    writeFileSync(join(pod.dir, PodFile.ready), '');
    const t0 = Date.now();
    const wrapper = startWrapper(pod.dir, { env: { TOOLFLOW_REPORT_WAIT_SECONDS: '1' } });
    expect(await wrapper.ended).toEqual({ code: 5, signal: null });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(readFileSync(join(pod.dir, PodFile.exit), 'utf8')).toMatch(/^5 /);
    expect(readFileSync(join(pod.dir, 'work', 'stdout.log'), 'utf8')).toBe('bye\n');
  });

  it('SIGTERM before exit: the wrapper passes it to the tool, the sidecar uploads the logs and sends no Exit', async () => {
    const pod = newPod(root);
    const req = attempt({ cmds: ['trap "echo got-term >&2; exit 9" TERM', 'echo working', 'while :; do sleep 0.1; done'] });
    const rec = recorder();
    const wrapper = startWrapper(pod.dir);
    const controller = new AbortController();
    const sidecar = runSidecar({ podDir: pod.dir, request: req, objects: pod.objects, report: rec.report, keepaliveSeconds: 0.2, log, signal: controller.signal });
    for (let i = 0; i < 200 && !existsSync(join(pod.dir, 'work', 'stdout.log')); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    // The Pod is deleted: the kubelet signals both containers.
    controller.abort();
    wrapper.child.kill('SIGTERM');
    await sidecar;
    expect(await wrapper.ended).toEqual({ code: 9, signal: null });
    expect(rec.kinds()).not.toContain('exit');
    expect(rec.kinds()[0]).toBe('start');
    expect(await objectText(pod, prefix() + 'stdout.log')).toBe('working\n');
    expect(existsSync(join(pod.dir, PodFile.reported))).toBe(false);
  });

  it('never follows a tool\'s symlink out of the work dir: such an output is missing, with evidence, and a symlinked mem never reaches a report', async () => {
    const pod = newPod(root);
    const secret = join(root, 'sidecar-secret.txt');
    writeFileSync(secret, 'AWS_SECRET_ACCESS_KEY=do-not-leak\n');
    const req = attempt({
      cmds: [`ln -s ${secret} out.txt`, 'echo inside > real.txt', 'ln -s real.txt alias.txt', `rm stderr.log; ln -s ${secret} stderr.log`, `rm -f ../mem; ln -s ${secret} ../mem`, 'exit 0'],
      outputs: ['out.txt', 'alias.txt'],
    });
    const run = await runPod(pod, req);
    const exit = run.exit()!;
    expect(exit.missingOutputs).toEqual(['out.txt']);
    expect(exit.evidence).toBe('sidecar: output out.txt not uploaded: outside the work dir');
    expect(await objectText(pod, prefix() + 'alias.txt')).toBe('inside\n');
    expect(await pod.objects.head(prefix() + 'out.txt')).toBeUndefined();
    expect(await pod.objects.head(prefix() + 'stderr.log')).toBeUndefined();
    expect(JSON.stringify(run.reports)).not.toContain('do-not-leak');
    accessSync(secret, constants.R_OK); // untouched
  });

  it('a failed tool whose stderr.log is a symlink out of the work dir: the tail is empty, not the file', async () => {
    const pod = newPod(root);
    const secret = join(root, 'sidecar-secret-2.txt');
    writeFileSync(secret, 'TOOLFLOW_REPORT_TOKEN=do-not-leak\n');
    const run = await runPod(pod, attempt({ cmds: [`rm stderr.log; ln -s ${secret} stderr.log`, 'exit 1'] }));
    expect(run.exit()).toMatchObject({ exitCode: 1, stderrTail: '' });
    expect(JSON.stringify(run.reports)).not.toContain('do-not-leak');
  });
});
