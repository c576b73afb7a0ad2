/**
 * The README's first command runs with the default home, the relative `.toolflow` of the current
 * folder. A staged input is a symbolic link in `<work dir>/<task>/_inputs/` to its object: made with
 * the relative path of a relative home, it pointed at `_inputs/.toolflow/objects/…`, which is not
 * there, and every tool that read its input failed with "No such file" (found by a trial of issue
 * 11). The link's target is absolute whatever the home.
 */
import { execFile } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);

describe('toolflow run with the default, relative home', () => {
  it('stages inputs as links with an absolute target, and the tools read them', async () => {
    const cwd = tempDir('toolflow-relative-home-');
    writeFileSync(join(cwd, 'reads.fq'), '@r1\nACGT\n+\nIIII\n');
    writeFileSync(join(cwd, 'wf.yaml'), 'name: count\ninputs:\n  reads: {type: file}\ntools:\n  - name: count\n    cpu: 0.1\n    mem: 64M\n    outputs: [n.txt]\n    cmds:\n      - wc -l < "$TF_INPUT_reads" > n.txt\n');
    const env = { ...process.env };
    delete env.TOOLFLOW_HOME;
    delete env.TOOLFLOW_WORKDIR;
    const { stdout } = await exec('node', [BIN, 'run', 'wf.yaml', '--input', 'reads=reads.fq', '--json'], { cwd, env, timeout: 120_000 });
    const result = JSON.parse(stdout) as { status: string; taskId: string };
    expect(result.status).toBe('succeeded');
    const inputs = join(cwd, '.toolflow', 'work', result.taskId, '_inputs', 'reads');
    const [name] = readdirSync(inputs);
    const target = readlinkSync(join(inputs, name!));
    expect(isAbsolute(target)).toBe(true);
    expect(target.startsWith(join(cwd, '.toolflow', 'objects'))).toBe(true);
  });
});
