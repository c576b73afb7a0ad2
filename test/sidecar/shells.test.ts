// The wrapper and command.sh under each POSIX shell a tool image may have as /bin/sh: dash (this
// machine's /bin/sh, Debian's and Ubuntu's), busybox sh with nothing but busybox's applets on the
// PATH (Alpine, BioContainers' busybox base), and bash in POSIX mode.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSidecar } from '../../shared/sidecar/sidecar.js';
import { attemptObjectPrefix } from '../../shared/sidecar/pod-layout.js';
import { tempDir } from '../support/tmp.js';
import { attempt, log, newPod, objectText, recorder, runPod, startWrapper } from './helpers.js';

const root = tempDir('toolflow-sidecar-sh-');
const prefix = attemptObjectPrefix('t0123456789a', 'align', 1);

// busybox's applets only: every command the wrapper and the tool run comes from busybox.
const busyboxBin = join(root, 'busybox-bin');
mkdirSync(busyboxBin);
execFileSync('busybox', ['--install', '-s', busyboxBin]);

const SHELLS: { name: string; shell: string[]; path?: string }[] = [
  { name: 'dash (/bin/sh)', shell: ['/bin/sh'] },
  { name: 'busybox sh, busybox applets only', shell: [join(busyboxBin, 'sh')], path: busyboxBin },
  { name: 'bash --posix', shell: ['bash', '--posix'] },
];

describe.each(SHELLS)('under $name', ({ shell, path }) => {
  const wrapper = { shell, env: path ? { PATH: path } : ({} as Record<string, string>) };

  it('runs the tool with its environment as data, uploads its output, reports Start then Exit', async () => {
    const pod = newPod(root);
    const value = `it's "$(id)"\n\`x\``;
    const req = attempt({ cmds: ['printf "%s|%s" "$TF_OPT_v" "$TF_TOOL" > out.txt', 'echo done'], outputs: ['out.txt'], values: { v: value } });
    const run = await runPod(pod, req, { wrapper });
    expect(run.ended).toEqual({ code: 0, signal: null });
    expect(run.kinds()[0]).toBe('start');
    expect(run.exit()).toMatchObject({ exitCode: 0, missingOutputs: [] });
    expect(await objectText(pod, prefix + 'out.txt')).toBe(`${value}|align`);
    expect(await objectText(pod, prefix + 'stdout.log')).toBe('done\n');
  });

  it('a failing command stops the tool (set -e) and its code is the wrapper\'s', async () => {
    const pod = newPod(root);
    const run = await runPod(pod, attempt({ cmds: ['echo before', 'sh -c "exit 42"', 'echo after'] }), { wrapper });
    expect(run.ended.code).toBe(42);
    expect(run.exit()!.exitCode).toBe(42);
    expect(await objectText(pod, prefix + 'stdout.log')).toBe('before\n');
  });

  it('SIGTERM to the wrapper reaches the tool\'s children too (their own process group)', async () => {
    const pod = newPod(root);
    const req = attempt({ cmds: ['sh -c \'trap "echo child-got-term > child.txt; exit 0" TERM; while :; do sleep 0.1; done\' &', 'wait'] });
    const rec = recorder();
    const w = startWrapper(pod.dir, wrapper);
    const controller = new AbortController();
    const sidecar = runSidecar({ podDir: pod.dir, request: req, objects: pod.objects, report: rec.report, keepaliveSeconds: 0.2, log, signal: controller.signal });
    for (let i = 0; i < 200 && rec.kinds()[0] !== 'start'; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    w.child.kill('SIGTERM');
    const ended = await w.ended;
    controller.abort();
    await sidecar;
    expect(readFileSync(join(pod.dir, 'work', 'child.txt'), 'utf8')).toBe('child-got-term\n');
    expect(ended.code).not.toBe(0);
    expect(existsSync(join(pod.dir, 'exit'))).toBe(true);
  });
});

describe('pipefail where the shell has it', () => {
  it('busybox sh: a failing stage of a pipeline fails the tool', async () => {
    const pod = newPod(root);
    const run = await runPod(pod, attempt({ cmds: ['false | cat', 'echo not-reached'] }), { wrapper: { shell: [join(busyboxBin, 'sh')], env: { PATH: busyboxBin } } });
    expect(run.ended.code).toBe(1);
    expect(await objectText(pod, prefix + 'stdout.log')).toBe('');
  });
});
