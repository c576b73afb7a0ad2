// command.sh of a Pod: the local executor's environment rules (commandEnv), POSIX sh, the image's own PATH.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandEnv } from '../../shared/executor/local/command-script.js';
import { podCommandEnv, podCommandScript } from '../../shared/sidecar/pod-command.js';
import { parseExitFile } from '../../shared/sidecar/sidecar.js';
import { attemptFrom } from '../../shared/sidecar/settings.js';
import { tempDir } from '../support/tmp.js';
import { attempt } from './helpers.js';

const dir = tempDir('toolflow-pod-command-');
const paths = { workDir: '/toolflow/work', inputs: { reads: '/toolflow/inputs/reads/r.fq' }, deps: { 'make-index': '/toolflow/deps/make-index' } };

describe('podCommandScript', () => {
  it('is POSIX sh: #!/bin/sh, set -eu, pipefail only where the shell has it, then the commands', () => {
    const text = podCommandScript(attempt({ cmds: ['echo one', 'echo two'] }), paths);
    const lines = text.split('\n');
    expect(lines[0]).toBe('#!/bin/sh');
    expect(lines.slice(-5)).toEqual(['set -eu', '(set -o pipefail) 2>/dev/null && set -o pipefail', 'echo one', 'echo two', '']);
  });

  it('has commandEnv\'s variables with the Pod\'s paths, and nothing of the sidecar\'s own environment', () => {
    const req = attempt({ cmds: ['true'], env: { LC_X: 'y' }, values: { k: 3 } });
    const env = podCommandEnv(req, paths);
    const { PATH: _path, ...fromLocal } = commandEnv(req, paths, {}, []);
    expect(env).toEqual(fromLocal);
    expect(env).toMatchObject({ TF_WORKDIR: '/toolflow/work', TF_INPUT_reads: '/toolflow/inputs/reads/r.fq', TF_DEP_make_index: '/toolflow/deps/make-index', TF_OPT_k: '3', LC_X: 'y' });
    // The sidecar runs with HOME, PATH and credentials of its own: none reaches the tool.
    expect(Object.keys(env).filter((k) => ['PATH', 'HOME', 'USER', 'AWS_SECRET_ACCESS_KEY', 'TMPDIR'].includes(k))).toEqual([]);
  });

  it('keeps the image\'s PATH, unless the tool\'s env sets one', () => {
    const script = join(dir, 'path.sh');
    writeFileSync(script, podCommandScript(attempt({ cmds: ['printf %s "$PATH"'] }), paths));
    expect(execFileSync('/bin/sh', [script], { env: { PATH: '/opt/conda/bin:/usr/bin:/bin' } }).toString()).toBe('/opt/conda/bin:/usr/bin:/bin');
    writeFileSync(script, podCommandScript(attempt({ cmds: ['printf %s "$PATH"'], env: { PATH: '/mine:/usr/bin:/bin' } }), paths));
    expect(execFileSync('/bin/sh', [script], { env: { PATH: '/opt/conda/bin:/usr/bin:/bin' } }).toString()).toBe('/mine:/usr/bin:/bin');
  });

  it('refuses a variable name that is not a shell identifier', () => {
    expect(() => podCommandScript(attempt({ cmds: ['true'], env: { 'A;B': 'x' } }), paths)).toThrow('invalid environment variable name "A;B"');
  });
});

describe('the exit file', () => {
  it('is read strictly: the wrapper\'s line only', () => {
    expect(parseExitFile('3 0 1048576\n')).toEqual({ exitCode: 3, oomKills: 0, peak: 1048576, cpuUsec: null });
    expect(parseExitFile('137 2 -\n')).toEqual({ exitCode: 137, oomKills: 2, peak: null, cpuUsec: null });
    expect(parseExitFile('0 - -')).toEqual({ exitCode: 0, oomKills: null, peak: null, cpuUsec: null });
    // The wrapper's fourth field: the container's cpu time since the tool started, µs.
    expect(parseExitFile('0 0 2097152 1234567\n')).toEqual({ exitCode: 0, oomKills: 0, peak: 2097152, cpuUsec: 1234567 });
    expect(parseExitFile('1 - - -\n')).toEqual({ exitCode: 1, oomKills: null, peak: null, cpuUsec: null });
    for (const bad of ['', '0', '0 - - extra', '0 - - 1 2', '0 - - -5', 'x - -', '0 -1 -', 'AWS_SECRET_ACCESS_KEY=abc\n', '0 - -\n\n']) expect(parseExitFile(bad)).toBeUndefined();
  });
});

describe('TOOLFLOW_ATTEMPT', () => {
  it('is checked against the tool.ready schema, naming the field', () => {
    const ok = attempt({ cmds: ['true'] });
    expect(attemptFrom(JSON.stringify(ok))).toEqual(ok);
    expect(() => attemptFrom(undefined)).toThrow('TOOLFLOW_ATTEMPT is not set');
    expect(() => attemptFrom('{not json')).toThrow(/^TOOLFLOW_ATTEMPT is not JSON/);
    const { spec: _spec, ...noSpec } = ok;
    expect(() => attemptFrom(JSON.stringify(noSpec))).toThrow('TOOLFLOW_ATTEMPT is not an attempt: data.spec is required');
  });
});
