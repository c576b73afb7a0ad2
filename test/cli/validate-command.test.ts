// `toolflow validate` and `toolflow graph` as a user runs them (the compiled CLI: npm test builds it first).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/toolflow.js');
const dir = tempDir();

/** Runs the CLI; never throws on a non-zero exit. */
async function toolflow(args: string[]) {
  try {
    const { stdout, stderr } = await exec('node', [BIN, ...args], { env: { ...process.env, TOOLFLOW_HOME: join(dir, 'home') } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function workflow(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const MANY_ERRORS = `name: many-errors
tools:
  - name: a
    relly: [b]
    cmds: echo hi
    cpu: lots
    rely: [c]
  - name: b
    mem: 100
    cmds: ["x"]
    options:
      - {name: mode, type: int, default: 0755}
      - {name: verbose, type: bool, default: yes}
    rely: [a]
  - name: c
    cmds: ["x"]
    rely: [b]
`;

describe('toolflow validate', () => {
  it('--json on a valid file prints one object with the counts, exit 0', async () => {
    const file = workflow('ok.yaml', 'name: w\ninputs:\n  reads: {}\ntools:\n  - {name: a, cmds: [x]}\n  - {name: b, cmds: [x], rely: [a]}\n');
    const r = await toolflow(['validate', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ status: 'valid', tools: 2, dependencies: 1, inputs: 1 });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('--json on the issue\'s many-error file prints every issue in one object, exit 2', async () => {
    const file = workflow('many.yaml', MANY_ERRORS);
    const r = await toolflow(['validate', file, '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { status: string; error: string; issues: { path: string; line: number }[] };
    expect(out.status).toBe('invalid');
    expect(out.error).toBe('7 problems');
    expect(out.issues.map((i) => i.path)).toEqual([
      'tools[0].relly',
      'tools[0].cmds',
      'tools[0].cpu',
      'tools[1].mem',
      'tools[1].options[0].default',
      'tools[1].options[1].default',
      'tools[1].rely',
    ]);
    expect(r.stderr).toContain(`${file}:6:10: tools[0].cpu: "lots" is not a cpu amount`);
  });

  it('says "1 tool", "1 dependency", "1 input" and "1 problem" in the singular', async () => {
    const one = workflow('one.yaml', 'name: w\ninputs:\n  reads: {}\ntools:\n  - {name: a, cmds: [x]}\n  - {name: b, cmds: [x], rely: [a]}\n  - {name: c, cmds: [x]}\n');
    expect((await toolflow(['validate', one])).stdout).toBe(`${one}: valid: 3 tools, 1 dependency, 1 input\n`);
    const single = workflow('single.yaml', 'name: w\ntools:\n  - {name: a, cmds: [x]}\n');
    expect((await toolflow(['validate', single])).stdout).toBe(`${single}: valid: 1 tool, 0 dependencies, 0 inputs\n`);
    const bad = workflow('bad.yaml', 'name: w\ntools:\n  - {name: a, cmds: [""]}\n');
    const r = await toolflow(['validate', bad, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'invalid', error: '1 problem' });
    expect(r.stderr).toMatch(/^1 problem:\n/);
  });

  it('--json on a missing file prints an issue without a line or column', async () => {
    const r = await toolflow(['validate', join(dir, 'nope.yaml'), '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { issues: Record<string, unknown>[] };
    expect(out.issues).toHaveLength(1);
    expect(out.issues[0]).not.toHaveProperty('line');
    expect(out.issues[0]!.message).toMatch(/^cannot read the file/);
  });
});

describe('toolflow graph', () => {
  it('gives tools a-b and a__b different node ids', async () => {
    const file = workflow('ids.yaml', 'name: w\ntools:\n  - {name: a-b, cmds: [x]}\n  - {name: a__b, cmds: [x]}\n  - {name: c, cmds: [x], rely: [a-b, a__b]}\n');
    const r = await toolflow(['graph', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('flowchart TD\n  n_a_hb["a-b"]\n  n_a____b["a__b"]\n  n_c["c"]\n  n_a_hb --> n_c\n  n_a____b --> n_c\n');
  });
});
