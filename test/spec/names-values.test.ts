// Issue 7, section 4 ("Names and values that cannot collide or be cut"): each case on the issue's own input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, SpecError, type SpecIssue } from '../../shared/errors.js';
import { parseWorkflow } from '../../shared/spec/load.js';
import { MAX_ARG_STRLEN } from '../../shared/spec/option-values.js';
import { parseSetArgs, readParamsFile, resolveInputs, resolveValues } from '../../shared/spec/values.js';
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

function valueIssues(f: () => unknown): SpecIssue[] {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).issues;
  }
  return [];
}

const withOption = (option: string) => `name: w\ntools:\n  - name: t\n    cmds: ['echo "$TF_OPT_v"']\n    options:\n      - ${option}\n`;

describe('names that would become the same variable', () => {
  it('refuses inputs a-b and a_b, which both become TF_INPUT_a_b', () => {
    const issues = issuesOf('name: w\ninputs:\n  a-b: {}\n  a_b: {}\ntools:\n  - {name: t, cmds: [x]}\n');
    expect(issues).toEqual([{ file: 'wf.yaml', line: 4, column: 3, path: 'inputs.a_b', message: '"a_b" and "a-b" both become $TF_INPUT_a_b; rename one' }]);
  });

  it('refuses an option name that could clash (a-b) and a repeated one: TF_OPT_<name> is then unique', () => {
    const dash = issuesOf(withOption('{name: a-b}'));
    expect(dash).toEqual([expect.objectContaining({ path: 'tools[0].options[0].name', message: expect.stringContaining('"a-b" is not valid: A shell variable name') })]);
    const twice = issuesOf(`name: w\ntools:\n  - name: t\n    cmds: [x]\n    options:\n      - {name: a_b}\n      - {name: a_b}\n`);
    expect(twice).toEqual([expect.objectContaining({ path: 'tools[0].options[1].name', message: 'duplicate option "a_b"' })]);
  });
});

describe('a duplicate key inside a flow mapping', () => {
  it('names the real key and both positions', () => {
    const issues = issuesOf('name: w\ntools:\n  - name: t\n    cmds: [x]\n    options:\n      - {name: x, default: 10, desc: d, default: 20}\n');
    expect(issues).toEqual([
      {
        file: 'wf.yaml',
        line: 6,
        column: 41,
        path: 'tools[0].options[0].default',
        message: 'duplicate key "default" (first at line 6, column 19): a key may appear once in a mapping',
      },
    ]);
  });

  it('names a quoted duplicate key in a block mapping', () => {
    const issues = issuesOf('name: w\ntools:\n  - name: t\n    "cmds": [x]\n    cmds: [y]\n');
    expect(issues).toEqual([expect.objectContaining({ line: 5, column: 5, path: 'tools[0].cmds', message: expect.stringContaining('duplicate key "cmds" (first at line 4, column 5)') })]);
  });
});

describe('option values that a tool environment cannot hold', () => {
  const { spec } = parseWorkflow('wf.yaml', withOption('{name: v, type: string}'));
  const limit = MAX_ARG_STRLEN - 'TF_OPT_v='.length - 1;

  it('takes a value of exactly the largest size Linux allows for TF_OPT_v (131072 bytes with name, "=" and NUL)', () => {
    expect(MAX_ARG_STRLEN).toBe(131072);
    expect((resolveValues(spec, parseSetArgs([`t.v=${'x'.repeat(limit)}`]), 'wf.yaml').t!.v as string).length).toBe(limit);
  });

  it('refuses one byte more at submit, naming the limit and what to do instead', () => {
    const [issue] = valueIssues(() => resolveValues(spec, parseSetArgs([`t.v=${'x'.repeat(limit + 1)}`]), 'wf.yaml'));
    expect(issue!.message).toContain(`the value is ${limit + 1} bytes`);
    expect(issue!.message).toContain('TF_OPT_v');
    expect(issue!.message).toContain('131072 bytes');
    expect(issue!.message).toContain('MAX_ARG_STRLEN');
    expect(issue!.message).toContain('put the value in a file and pass it as an input instead');
    expect(issue!.message).toContain('--input NAME=PATH');
    expect(issue!.message.length).toBeLessThan(600);
    expect(issue!.file.length).toBeLessThan(100);
  });

  it('counts bytes, not characters: 50,000 "é" are 100,000 bytes, 70,000 are too many', () => {
    expect(resolveValues(spec, parseSetArgs([`t.v=${'é'.repeat(50_000)}`]), 'wf.yaml').t!.v).toHaveLength(50_000);
    expect(valueIssues(() => resolveValues(spec, parseSetArgs([`t.v=${'é'.repeat(70_000)}`]), 'wf.yaml'))[0]!.message).toContain('140000 bytes');
  });

  it('refuses a 5 MB value from --params with the params file position', async () => {
    const file = join(tempDir(), 'params.json');
    writeFileSync(file, JSON.stringify({ t: { v: 'x'.repeat(5_000_000) } }));
    const given = await readParamsFile(file);
    const got = valueIssues(() => resolveValues(spec, given, 'wf.yaml'));
    expect(got).toEqual([expect.objectContaining({ file, line: 1, column: 11, path: 't.v', message: expect.stringContaining('5000000 bytes') })]);
  });

  it('refuses a too-long default in the workflow file', () => {
    const issues = issuesOf(withOption(`{name: v, default: ${'y'.repeat(limit + 1)}}`));
    expect(issues).toEqual([expect.objectContaining({ path: 'tools[0].options[0].default', message: expect.stringContaining('MAX_ARG_STRLEN') })]);
  });

  it('refuses a NUL in a value instead of dropping it (params file, workflow default, env)', async () => {
    const file = join(tempDir(), 'params.json');
    writeFileSync(file, '{"t": {"v": "a\\u0000b"}}');
    const given = await readParamsFile(file);
    expect(valueIssues(() => resolveValues(spec, given, 'wf.yaml'))[0]!.message).toContain('contains a NUL character');
    expect(issuesOf(withOption('{name: v, default: "a\\0b"}'))[0]!.message).toContain('contains a NUL character');
    expect(issuesOf('name: w\ntools:\n  - {name: t, cmds: [x], env: {A: "a\\0b"}}\n')).toEqual([
      expect.objectContaining({ path: 'tools[0].env.A', message: expect.stringContaining('the value of A contains a NUL character') }),
    ]);
  });

  it('refuses an env value longer than Linux allows', () => {
    const issues = issuesOf(`name: w\ntools:\n  - {name: t, cmds: [x], env: [A=${'z'.repeat(MAX_ARG_STRLEN)}]}\n`);
    expect(issues).toEqual([expect.objectContaining({ path: 'tools[0].env[0]', message: expect.stringContaining('MAX_ARG_STRLEN') })]);
  });
});

describe('null in a params file', () => {
  const { spec } = parseWorkflow(
    'wf.yaml',
    'name: w\ntools:\n  - name: t\n    cmds: [x]\n    options:\n      - {name: n, type: int, default: 5}\n      - {name: s, type: string, default: keep}\n      - {name: r, required: true}\n',
  );

  it('treats JSON null as unset: the default applies', async () => {
    const file = join(tempDir(), 'params.json');
    writeFileSync(file, '{"t": {"n": null, "s": "null", "r": "given"}}');
    const values = resolveValues(spec, await readParamsFile(file), 'wf.yaml');
    expect(values.t).toEqual({ n: 5, s: 'null', r: 'given' });
  });

  it('treats YAML null, ~ and an empty value as unset, so a required option without a value fails', async () => {
    const file = join(tempDir(), 'params.yaml');
    writeFileSync(file, 't:\n  n: ~\n  s:\n  r: null\n');
    const given = await readParamsFile(file);
    expect(given).toEqual([]);
    expect(valueIssues(() => resolveValues(spec, given, 'wf.yaml'))).toEqual([{ file: 'wf.yaml', path: 't.r', message: 'required option has no value; give it with --set t.r=VALUE' }]);
  });
});

describe('bool spellings: the YAML 1.2 core schema (true, True, TRUE, false, False, FALSE)', () => {
  const { spec } = parseWorkflow('wf.yaml', withOption('{name: v, type: bool}'));
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
  ])('takes %s', (text, value) => {
    expect(resolveValues(spec, parseSetArgs([`t.v=${text}`]), 'wf.yaml').t!.v).toBe(value);
  });

  it.each(['tRuE', 'fALSE', '1', 'yes'])('refuses %s', (text) => {
    const [issue] = valueIssues(() => resolveValues(spec, parseSetArgs([`t.v=${text}`]), 'wf.yaml'));
    expect(issue!.message).toMatch(/write true or false/);
  });

  it('applies the same spellings to required', () => {
    expect(parseWorkflow('wf.yaml', withOption('{name: v, required: TRUE, default: x}')).spec.tools[0]!.options[0]!.required).toBe(true);
    expect(issuesOf(withOption('{name: v, required: tRuE}'))[0]).toMatchObject({ path: 'tools[0].options[0].required', message: 'must be boolean, got "tRuE"' });
  });
});

describe('refused without a word before', () => {
  it.each([
    ['{name: v, min: 1}', 'min', 'a string option (string is the default type)'],
    ['{name: v, type: string, max: 9}', 'max', 'a string option'],
    ['{name: v, type: bool, min: 0}', 'min', 'a bool option'],
  ])('min/max on a string or bool option: %s', (option, bound, what) => {
    const issues = issuesOf(withOption(option));
    expect(issues).toEqual([expect.objectContaining({ path: `tools[0].options[0].${bound}`, message: expect.stringContaining(`${bound} is for int and float options, and "v" is ${what}`) })]);
  });

  it.each([
    ['""', 'an empty command'],
    ['"   "', 'a command of blanks'],
    ['"\\t\\n"', 'a command of a tab and a newline'],
  ])('the command %s (%s)', (cmd) => {
    const issues = issuesOf(`name: w\ntools:\n  - name: t\n    cmds: ["echo ok", ${cmd}]\n`);
    expect(issues).toEqual([expect.objectContaining({ path: 'tools[0].cmds[1]', line: 4, message: expect.stringContaining('is not valid: a command may not be empty or only blanks') })]);
  });

  it('a repeated --input NAME (the last silently won)', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    writeFileSync(a, 'a');
    writeFileSync(b, 'b');
    const { spec } = parseWorkflow('wf.yaml', 'name: w\ninputs:\n  reads: {}\ntools:\n  - {name: t, cmds: [x]}\n');
    const err = (await resolveInputs(spec, [`reads=${a}`, `reads=${b}`], 'wf.yaml').catch((e: unknown) => e)) as SpecError;
    expect(err).toBeInstanceOf(SpecError);
    expect(err.issues).toEqual([{ file: `--input reads=${b}`, path: 'reads', message: `input "reads" is given twice (--input reads=${a}, then --input reads=${b}); give each input once` }]);
  });
});

describe('positions of value issues (issue 7, section 5: --set errors reported line:0, column:0)', () => {
  const { spec } = parseWorkflow('wf.yaml', withOption('{name: v, type: int}'));

  it('an issue from --set has no line or column and names the argument', () => {
    const issues = valueIssues(() => resolveValues(spec, parseSetArgs(['t.v=abc']), 'wf.yaml'));
    expect(issues).toEqual([{ file: '--set t.v=abc', path: 't.v', message: 'int option: "abc" is not a number' }]);
    expect(JSON.stringify(issues[0])).not.toMatch(/"line"|"column"/);
    expect(formatIssue(issues[0]!)).toBe('--set t.v=abc: t.v: int option: "abc" is not a number');
    expect(valueIssues(() => resolveValues(spec, parseSetArgs(['novalue']), 'wf.yaml'))).toEqual([{ file: '--set novalue', path: '', message: '"novalue" must look like TOOL.OPTION=VALUE' }]);
  });

  it('an issue from a params file has the file, line and column of the value', async () => {
    const file = join(tempDir(), 'p.yaml');
    writeFileSync(file, 't:\n  v: abc\n');
    const given = await readParamsFile(file);
    const real = valueIssues(() => resolveValues(spec, given, 'wf.yaml'));
    expect(real).toEqual([{ file, line: 2, column: 6, path: 't.v', message: 'int option: "abc" is not a number' }]);
    expect(formatIssue(real[0]!)).toBe(`${file}:2:6: t.v: int option: "abc" is not a number`);
  });
});

describe('validate reports every independent error in one pass', () => {
  it('does not hide cpu: lots, mem: 100, 0755, yes and a cycle behind relly and a wrong cmds type', () => {
    const issues = issuesOf(`name: many-errors
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
      - {name: strict, type: bool, required: yes}
    rely: [a]
  - name: c
    cmds: ["x"]
    rely: [b]
`);
    expect(issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([
      '4:5 tools[0].relly: unknown field "relly" (did you mean "rely"?)',
      '5:11 tools[0].cmds: must be array, got "echo hi"',
      '6:10 tools[0].cpu: "lots" is not a cpu amount: write cores (2, 0.5) or millicores (500m)',
      '9:10 tools[1].mem: 100 bytes is too little to run anything; a size without a unit is bytes: write 100M or 100Mi',
      '12:42 tools[1].options[0].default: "0755" has a leading zero, which YAML 1.1 reads as octal; write it without the leading zero',
      '13:46 tools[1].options[1].default: "yes" is a boolean only in YAML 1.1; write true or false',
      '14:46 tools[1].options[2].required: must be boolean, got "yes" ("yes" is a boolean only in YAML 1.1; write true or false)',
      '15:11 tools[1].rely: dependency cycle: b -> c -> a -> b',
    ]);
  });

  it('says "1 byte", not "1 bytes"', () => {
    expect(issuesOf('name: w\ntools:\n  - {name: t, cmds: [x], mem: 1}\n')[0]!.message).toBe('1 byte is too little to run anything; a size without a unit is bytes: write 1M or 1Mi');
  });

  it('reports a field once, even when the schema and the loader would both refuse it', () => {
    const issues = issuesOf('name: w\ntools:\n  - {name: t, cmds: [x], mem: [1], time: {a: 1}, options: [{name: o, type: text, default: 5}]}\n');
    expect(issues.map((i) => i.path)).toEqual(['tools[0].mem', 'tools[0].time', 'tools[0].options[0].type']);
  });

  it('still checks the other tools and the graph when one tool is not a mapping or has no name', () => {
    const issues = issuesOf('name: w\ntools:\n  - 5\n  - {cmds: [x]}\n  - {name: b, cmds: [x], rely: [nope], cpu: "?"}\n');
    expect(issues.map((i) => i.path)).toEqual(['tools[0]', 'tools[1]', 'tools[2].rely[0]', 'tools[2].cpu']);
  });
});
