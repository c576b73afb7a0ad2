import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError, type SpecIssue } from '../../shared/errors.js';
import { loadWorkflowFile, parseWorkflow } from '../../shared/spec/load.js';
import { MAX_YAML_BYTES } from '../../shared/spec/yaml-source.js';
import { tempDir } from '../support/tmp.js';

function issuesOf(text: string): SpecIssue[] {
  try {
    parseWorkflow('wf.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).issues;
  }
  throw new Error('expected a SpecError');
}

const tool = (extra = '') => `name: w\ntools:\n  - name: a\n    cmds: [echo hi]\n${extra}`;

describe('workflow loading', () => {
  it('reads a valid workflow into the normalized model', () => {
    const { spec, dag } = parseWorkflow(
      'wf.yaml',
      `name: w
inputs:
  reads: {description: FASTQ}
tools:
  - name: a
    cpu: 500m
    mem: 2Gi
    disk: 10G
    image: debian:12
    outputs: [out.txt]
    env: [LC_ALL=C, "X=a=b"]
    cmds: [echo hi]
  - name: b
    rely: "a"
    cmds: ["true"]
    retry: {max: 5, on: [oom, exit], grow: 3, cap: {mem: 8G}}
`,
    );
    expect(spec.inputs).toEqual([{ name: 'reads', required: true, description: 'FASTQ', type: 'file' }]);
    expect(spec.tools[0]).toMatchObject({ cpuMillicores: 500, memBytes: 2 * 1024 ** 3, diskBytes: 1e10, image: 'debian:12', env: { LC_ALL: 'C', X: 'a=b' } });
    expect(spec.tools[1]!.retry).toEqual({ maxAttempts: 5, on: ['oom', 'exit'], grow: 3, capMemBytes: 8e9, capDiskBytes: 500e9, capTimeSeconds: 7 * 86_400 });
    expect(spec.tools[1]!.cmds).toEqual(['true']);
    expect(dag.parents[1]).toEqual([0]);
  });

  it('applies defaults: 1 cpu, 1Gi, retry 3 attempts on oom/disk/lost/undelivered', () => {
    const { spec } = parseWorkflow('wf.yaml', tool());
    expect(spec.tools[0]).toMatchObject({ cpuMillicores: 1000, memBytes: 1024 ** 3, diskBytes: null, rely: [] });
    expect(spec.tools[0]!.retry).toMatchObject({ maxAttempts: 3, on: ['oom', 'disk', 'lost', 'undelivered'], grow: 2 });
  });

  it('accepts the design doc forms: "tool1;tool2" inside a rely list, required: True/False', () => {
    const { spec } = parseWorkflow(
      'wf.yaml',
      `name: w
tools:
  - {name: t1, cmds: [x]}
  - {name: t2, cmds: [x]}
  - name: t3
    cmds: [x]
    options:
      - {name: o, desc: d, type: string, required: True, default: v}
      - {name: p, type: integer, required: False}
    rely:
      - t1;t2
`,
    );
    expect(spec.tools[2]!.rely).toEqual(['t1', 't2']);
    expect(spec.tools[2]!.options.map((o) => [o.required, o.type])).toEqual([
      [true, 'string'],
      [false, 'int'],
    ]);
  });

  it('reports a YAML syntax error with line and column', () => {
    const [issue] = issuesOf('name: w\ntools: [\n  {name: a\n');
    expect(issue).toMatchObject({ file: 'wf.yaml', line: 4, column: 1 });
    expect(issue!.message).toMatch(/^YAML syntax: /);
  });

  it('rejects duplicate keys', () => {
    const [issue] = issuesOf('name: w\nname: v\ntools: []\n');
    expect(issue).toMatchObject({ line: 2, column: 1 });
    expect(issue).toMatchObject({ path: 'name', message: 'duplicate key "name" (first at line 1, column 1): a key may appear once in a mapping' });
  });

  it('rejects duplicate tool names, pointing at the second', () => {
    const issues = issuesOf('name: w\ntools:\n  - name: a\n    cmds: [x]\n  - name: a\n    cmds: [y]\n');
    expect(issues).toEqual([{ file: 'wf.yaml', line: 5, column: 11, path: 'tools[1].name', message: 'duplicate tool name "a" (first defined as tools[0])' }]);
  });

  it('names an unknown rely target and suggests the close one', () => {
    const issues = issuesOf('name: w\ntools:\n  - name: align\n    cmds: [x]\n  - name: b\n    cmds: [y]\n    rely: [alig]\n');
    expect(issues).toEqual([{ file: 'wf.yaml', line: 7, column: 12, path: 'tools[1].rely[0]', message: 'unknown tool "alig" in rely (did you mean "align"?)' }]);
  });

  it('rejects a self-dependency', () => {
    const issues = issuesOf('name: w\ntools:\n  - name: a\n    cmds: [x]\n    rely: "a"\n');
    expect(issues[0]).toMatchObject({ path: 'tools[0].rely', message: 'tool "a" relies on itself', line: 5 });
  });

  it('names the cycle path', () => {
    const issues = issuesOf(`name: w
tools:
  - {name: a, cmds: [x], rely: [c]}
  - {name: b, cmds: [x], rely: [a]}
  - {name: c, cmds: [x], rely: [b]}
  - {name: d, cmds: [x]}
`);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/^dependency cycle: /);
    const path = issues[0]!.message.replace('dependency cycle: ', '').split(' -> ');
    expect(path[0]).toBe(path[path.length - 1]);
    expect(new Set(path)).toEqual(new Set(['a', 'b', 'c']));
  });

  it('points at an unknown field and suggests the known one (relly → rely)', () => {
    const issues = issuesOf(tool('    relly: [b]\n'));
    expect(issues).toEqual([{ file: 'wf.yaml', line: 5, column: 5, path: 'tools[0].relly', message: 'unknown field "relly" (did you mean "rely"?)' }]);
  });

  it('names missing required fields', () => {
    const issues = issuesOf('name: w\ntools:\n  - name: a\n');
    expect(issues).toEqual([{ file: 'wf.yaml', line: 3, column: 5, path: 'tools[0]', message: 'missing required field "cmds"' }]);
  });

  it.each([
    ['4GG', 'mem'],
    ['-1', 'mem'],
    ['1.5.2', 'disk'],
    ['?', 'mem'],
    ['?G', 'mem'],
  ])('rejects the size %s in %s', (value, field) => {
    const issues = issuesOf(tool(`    ${field}: "${value}"\n`));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: `tools[0].${field}`, line: 5, column: 5 + field.length + 2 });
    expect(issues[0]!.message).toContain(`"${value}" is not a size`);
  });

  it.each(['?', '-1', '1.5.2', 'two'])('rejects the cpu %s', (value) => {
    const issues = issuesOf(tool(`    cpu: "${value}"\n`));
    expect(issues[0]).toMatchObject({ path: 'tools[0].cpu', message: expect.stringContaining('is not a cpu amount') });
  });

  it('keeps YAML 1.1 look-alikes as the exact text in string places (no, on, 0755, 1e3, 1.10)', () => {
    const { spec } = parseWorkflow(
      'wf.yaml',
      tool(`    env: {A: no, B: on, C: 0755, D: 1e3, E: 1.10, F: yes}
    options:
      - {name: s, type: string, default: 1.10}
      - {name: t, type: string, enum: [no, on, 0755]}
      - {name: f, type: float, default: 1.10}
      - {name: i, type: int, default: 1e3}
    retry: {on: [oom]}
`),
    );
    const t = spec.tools[0]!;
    expect(t.env).toEqual({ A: 'no', B: 'on', C: '0755', D: '1e3', E: '1.10', F: 'yes' });
    expect(t.options.map((o) => o.default)).toEqual(['1.10', undefined, 1.1, 1000]);
    expect(t.options[1]!.enum).toEqual(['no', 'on', '0755']);
    expect(t.retry.on).toEqual(['oom']);
  });

  it('refuses a YAML 1.1 boolean where a boolean is required', () => {
    const issues = issuesOf(tool('    options:\n      - {name: x, required: no}\n'));
    expect(issues[0]).toMatchObject({ path: 'tools[0].options[0].required', line: 6 });
    expect(issues[0]!.message).toContain('"no" is a boolean only in YAML 1.1; write true or false');
  });

  it('refuses a leading-zero number for an int option instead of guessing octal', () => {
    const issues = issuesOf(tool('    options:\n      - {name: mode, type: int, default: 0755}\n'));
    expect(issues[0]).toMatchObject({ path: 'tools[0].options[0].default', line: 6 });
    expect(issues[0]!.message).toMatch(/leading zero/);
  });

  it.each([
    ['{name: n, type: int, default: abc}', '"abc" is not a number'],
    ['{name: n, type: int, default: 1.5}', 'not a whole number'],
    ['{name: n, type: int, default: 7, max: 5}', '7 is more than the maximum 5'],
    ['{name: n, type: float, default: -1, min: 0}', '-1 is less than the minimum 0'],
    ['{name: n, type: string, default: z, enum: [a, b]}', '"z" is not one of "a", "b"'],
    ['{name: n, type: bool, default: maybe}', '"maybe" is not a boolean'],
  ])('checks an option default: %s', (option, message) => {
    const issues = issuesOf(tool(`    options:\n      - ${option}\n`));
    expect(issues[0]!.path).toBe('tools[0].options[0].default');
    expect(issues[0]!.message).toContain(message);
  });

  it('rejects outputs that leave the work dir, reserved env names and clashing env keys', () => {
    const issues = issuesOf(`name: w
tools:
  - name: a-b
    cmds: [x]
    outputs: [../escape, /etc/passwd, ok.txt]
    env: [TF_WORKDIR=/]
  - name: a_b
    cmds: [x]
`);
    expect(issues.map((i) => i.path)).toEqual(['tools[0].outputs[0]', 'tools[0].outputs[1]', 'tools[0].env[0]', 'tools[1].name']);
    expect(issues[3]!.message).toContain('both become $TF_DEP_a_b');
  });

  it('rejects tool names that differ only in case (Ab and aB: one row on MySQL, one Job name on Kubernetes)', () => {
    const issues = issuesOf(`name: w
tools:
  - {name: Ab, cmds: ["true"]}
  - {name: aB, cmds: ["true"]}
`);
    expect(issues.map((i) => i.path)).toEqual(['tools[1].name']);
    expect(issues[0]!.message).toBe('"aB" and "Ab" differ only in case, which the MySQL store and Kubernetes do not tell apart; rename one');
  });

  it('rejects a bad tool name with the rule', () => {
    const issues = issuesOf('name: w\ntools:\n  - name: "bad name!"\n    cmds: [x]\n');
    expect(issues[0]).toMatchObject({ path: 'tools[0].name', line: 3, column: 11 });
    expect(issues[0]!.message).toContain('Starts with a letter');
  });

  it('rejects an empty file and a non-mapping document', () => {
    expect(issuesOf('')[0]!.message).toBe('the file is empty');
    expect(issuesOf('- a\n- b\n')[0]!.message).toMatch(/must be object/);
  });

  it('rejects an alias bomb fast', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    // Refused from a count of the aliases, before anything walks the expanded data (a walk would hang).
    const issues = issuesOf(levels.join('\n') + '\n');
    expect(issues[0]!.message).toMatch(/aliases expand to more than/);
  });

  it('rejects an alias to its own ancestor', () => {
    expect(issuesOf('name: w\ntools: &t\n  - name: a\n    cmds: *t\n')[0]!.message).toBe('an alias refers to a mapping or list that contains it, which would be infinite');
  });

  it('rejects an oversized file before reading it', async () => {
    const dir = tempDir();
    const file = join(dir, 'big.yaml');
    writeFileSync(file, '');
    truncateSync(file, MAX_YAML_BYTES + 1);
    await expect(loadWorkflowFile(file)).rejects.toThrow(/more than the \d+-byte limit/);
  });

  it('names a missing file', async () => {
    await expect(loadWorkflowFile('/nonexistent/wf.yaml')).rejects.toThrow(/\/nonexistent\/wf.yaml: cannot read the file/);
  });

  it('validates a 10,000-tool chain without recursion', () => {
    let text = 'name: chain\ntools:\n';
    for (let i = 0; i < 10_000; i++) text += `  - name: t${i}\n    cmds: ["true"]\n${i ? `    rely: [t${i - 1}]\n` : ''}`;
    const { dag } = parseWorkflow('chain.yaml', text);
    expect(dag.order).toHaveLength(10_000);
    expect(dag.order[9_999]).toBe(9_999);
  });
});

describe('fault inputs found by review', () => {
  it.each([
    ['      - {name: n, type: int, min: 010}\n', 'tools[0].options[0].min', 'leading zero'],
    ['      - {name: n, type: int, max: 0x10}\n', 'tools[0].options[0].max', '"0x10" is not a number'],
  ])('refuses YAML 1.1 number forms in schema numbers: %s', (option, path, message) => {
    const issues = issuesOf(tool(`    options:\n${option}`));
    expect(issues[0]).toMatchObject({ path });
    expect(issues[0]!.message).toContain(message);
  });

  it('does not hide the errors of tools[10] behind a bad name in tools[1]', () => {
    let text = 'name: w\ntools:\n';
    for (let i = 0; i < 11; i++) text += `  - {name: ${i === 1 ? '"bad name"' : `t${i}`}, cmds: [x]${i === 10 ? ', relly: [t0]' : ''}}\n`;
    expect(issuesOf(text).map((i) => i.path)).toEqual(['tools[1].name', 'tools[10].relly']);
  });

  it('reports a bad retry number once', () => {
    const issues = issuesOf(tool('    retry: {max: 1.5}\n'));
    expect(issues).toEqual([expect.objectContaining({ path: 'tools[0].retry.max', message: '"1.5" is not a whole number' })]);
  });

  it('refuses retry numbers in octal or hex forms', () => {
    const issues = issuesOf(tool('    retry: {max: 010, grow: 0x2}\n'));
    expect(issues.map((i) => i.path)).toEqual(['tools[0].retry.max', 'tools[0].retry.grow']);
  });

  it('refuses a cap below the declared memory, and a size that is surely missing its unit', () => {
    const issues = issuesOf(tool('    mem: 100M\n    retry: {cap: {mem: 50M}}\n'));
    expect(issues).toEqual([expect.objectContaining({ path: 'tools[0].retry.cap.mem', message: "the cap (50M) is below the tool's mem (100M); raise retry.cap.mem or lower mem" })]);
    const unitless = issuesOf(tool('    mem: 100\n'));
    expect(unitless[0]!.message).toBe('100 bytes is too little to run anything; a size without a unit is bytes: write 100M or 100Mi');
  });

  it('names a bad input name, env name and env item precisely', () => {
    const inputs = issuesOf('name: w\ninputs:\n  reads: {type: file}\n  "2bad": {}\ntools:\n  - {name: a, cmds: [x]}\n');
    expect(inputs).toEqual([expect.objectContaining({ line: 4, column: 3, path: 'inputs.2bad', message: expect.stringContaining('"2bad" is not a valid name') })]);
    const env = issuesOf(tool('    env: {A: 1, "B C": 2}\n'));
    expect(env).toEqual([expect.objectContaining({ path: 'tools[0].env.B C', message: '"B C" is not a valid name: a shell variable name' })]);
    const list = issuesOf(tool('    env: [FOO, "A=1"]\n'));
    expect(list).toEqual([expect.objectContaining({ path: 'tools[0].env[0]', message: '"FOO" is not valid: KEY=VALUE, KEY a shell variable name' })]);
  });

  it('keeps messages short when a bad value is huge once aliases are expanded', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 6; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(8).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const text = `x:\n${levels.map((l) => `  ${l}`).join('\n')}\nname: w\ntools:\n  - {name: t, cmds: [x], rely: {bad: *f}}\n`;
    const issues = issuesOf(text);
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) expect(i.message.length).toBeLessThan(300);
  });
});
