// The new-user trial of issue 7 ("Hardening the core"), spec/values/env area: each case on the trial's own input.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError, type SpecIssue } from '../../shared/errors.js';
import { passEnvProblem as loaderRule, parseWorkflow } from '../../shared/spec/load.js';
import { MAX_TOOL_ENV_BYTES, passEnvProblem, toolEnvBytes } from '../../shared/spec/tool-env.js';
import { parseSetArgs, readParamsFile, resolveValues } from '../../shared/spec/values.js';
import { YamlSource } from '../../shared/spec/yaml-source.js';
import { tempDir } from '../support/tmp.js';

function issuesOf(text: string, file = 'wf.yaml'): SpecIssue[] {
  try {
    parseWorkflow(file, text);
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

const lines = (issues: SpecIssue[]) => issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);

describe('a duplicate key no longer stops validation', () => {
  it('dup2.yaml: reports both duplicates (with both positions) and mem: 100', () => {
    const dup2 = `name: dup2
tools:
  - name: t
    cmds: [echo a]
    cmds: [echo b]
    mem: 100
  - name: u
    cmds: [echo u]
    cpu: lots
    cpu: 2
`;
    expect(lines(issuesOf(dup2, 'dup2.yaml'))).toEqual([
      '5:5 tools[0].cmds: duplicate key "cmds" (first at line 4, column 5): a key may appear once in a mapping',
      '6:10 tools[0].mem: 100 bytes is too little to run anything; a size without a unit is bytes: write 100M or 100Mi',
      '10:5 tools[1].cpu: duplicate key "cpu" (first at line 9, column 5): a key may appear once in a mapping',
    ]);
    expect(issuesOf(dup2, 'dup2.yaml').every((i) => i.file === 'dup2.yaml')).toBe(true);
  });

  it('a duplicate in an option mapping does not hide relly, mem: 100, cpu: lots, a cycle and a self-dependency', () => {
    const text = `name: dup3
tools:
  - name: a
    relly: b
    mem: 100
    rely: [b]
    cmds: [x]
    options:
      - {name: n, default: 10, desc: d, default: 20}
  - name: b
    cpu: lots
    rely: [a, b]
    cmds: [y]
`;
    expect(lines(issuesOf(text))).toEqual([
      '4:5 tools[0].relly: unknown field "relly" (did you mean "rely"?)',
      '5:10 tools[0].mem: 100 bytes is too little to run anything; a size without a unit is bytes: write 100M or 100Mi',
      '9:41 tools[0].options[0].default: duplicate key "default" (first at line 9, column 19): a key may appear once in a mapping',
      '11:10 tools[1].cpu: "lots" is not a cpu amount: write cores (2, 0.5) or millicores (500m)',
      '12:11 tools[1].rely: dependency cycle: b -> a -> b',
      '12:15 tools[1].rely[1]: tool "b" relies on itself',
    ]);
  });

  it('lists every repeat of every key, each against the first place', () => {
    const text = 'name: w\nname: v\ntools:\n  - name: t\n    cmds: [x]\n    cpu: 1\n    cpu: 2\n    cpu: 3\n';
    expect(lines(issuesOf(text))).toEqual([
      '2:1 name: duplicate key "name" (first at line 1, column 1): a key may appear once in a mapping',
      '7:5 tools[0].cpu: duplicate key "cpu" (first at line 6, column 5): a key may appear once in a mapping',
      '8:5 tools[0].cpu: duplicate key "cpu" (first at line 6, column 5): a key may appear once in a mapping',
    ]);
  });

  it('checks the last value of a repeated key, and places its error at that value', () => {
    const text = 'name: w\ntools:\n  - name: t\n    cmds: [x]\n    cpu: 2\n    cpu: lots\n';
    expect(lines(issuesOf(text))).toEqual([
      '6:5 tools[0].cpu: duplicate key "cpu" (first at line 5, column 5): a key may appear once in a mapping',
      '6:10 tools[0].cpu: "lots" is not a cpu amount: write cores (2, 0.5) or millicores (500m)',
    ]);
  });

  it('compares keys as written, as the data is read: 01 and 1 differ, True and true differ, a merged key is not a duplicate', () => {
    const { source, issues } = YamlSource.parse('f.yaml', 'b: &b {x: 1}\nm: {<<: *b, x: 2}\na: {01: p, 1: q, True: r, true: s, k: 1, k: 2}\n');
    expect(lines(issues)).toEqual(['3:42 a.k: duplicate key "k" (first at line 3, column 36): a key may appear once in a mapping']);
    expect(source?.data).toEqual({ b: { x: '1' }, m: { x: '2' }, a: { '01': 'p', '1': 'q', True: 'r', true: 's', k: '2' } });
  });

  it('reports a syntax error after a duplicate, and the duplicate', () => {
    expect(lines(issuesOf('name: w\nname: v\ntools: [\n'))).toEqual([
      '2:1 name: duplicate key "name" (first at line 1, column 1): a key may appear once in a mapping',
      expect.stringMatching(/^4:1 : YAML syntax: /),
    ]);
  });

  it('lists every duplicate of a params file too', async () => {
    const file = join(tempDir(), 'p.yaml');
    writeFileSync(file, 't:\n  n: 1\n  n: 2\nu:\n  m: a\n  m: b\n');
    const err = (await readParamsFile(file).catch((e: unknown) => e)) as SpecError;
    expect(err).toBeInstanceOf(SpecError);
    expect(err.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([
      '3:3 t.n: duplicate key "n" (first at line 2, column 3): a key may appear once in a mapping',
      '6:3 u.m: duplicate key "m" (first at line 5, column 3): a key may appear once in a mapping',
    ]);
  });
});

describe("the whole environment must fit in Linux's ARG_MAX, not only each variable", () => {
  const forty = Array.from({ length: 40 }, (_, k) => `      V${k}: ${'x'.repeat(100_000)}`).join('\n');

  it('refuses a tool whose env holds 40 values of 100,000 bytes, naming the limit and why', () => {
    const issues = issuesOf(`name: w\ntools:\n  - name: t\n    cmds: [/bin/true]\n    env:\n${forty}\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 6, column: 7, path: 'tools[0].env' });
    const message = issues[0]!.message;
    expect(message).toContain('the environment of tool "t" would take about');
    expect(message).toContain(`more than the ${MAX_TOOL_ENV_BYTES}-byte limit`);
    expect(MAX_TOOL_ENV_BYTES).toBe(1024 * 1024);
    expect(message).toContain('ARG_MAX');
    expect(message).toContain('"Argument list too long"');
    expect(message).toContain('--input NAME=PATH');
  });

  it('the refused environment really fails on this machine with E2BIG, and an accepted one at the limit runs', () => {
    const env = Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`V${k}`, 'x'.repeat(100_000)]));
    expect(spawnSync('/bin/true', { env: { PATH: '/usr/bin:/bin', ...env } }).error).toMatchObject({ code: 'E2BIG' });
    // Nine values of 100,000 bytes: just under the limit once the margins are counted.
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, k) => [`V${k}`, 'x'.repeat(100_000)]));
    const { total } = toolEnvBytes({ name: 't', env: nine, rely: [] }, {}, []);
    expect(total).toBeLessThanOrEqual(MAX_TOOL_ENV_BYTES);
    expect(total + 100_000).toBeGreaterThan(MAX_TOOL_ENV_BYTES);
    const { spec } = parseWorkflow('wf.yaml', `name: w\ntools:\n  - name: t\n    cmds: [/bin/true]\n    env:\n${Object.entries(nine).map(([k, v]) => `      ${k}: ${v}`).join('\n')}\n`);
    const run = spawnSync('/bin/sh', ['-c', '/bin/true'], { env: { PATH: '/usr/bin:/bin', ...spec.tools[0]!.env } });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
  });

  it('refuses at submit option values that fit one by one but not together (TF_OPT_*), with the env counted', () => {
    const options = Array.from({ length: 10 }, (_, k) => `      - {name: o${k}}`).join('\n');
    const { spec } = parseWorkflow('wf.yaml', `name: w\ntools:\n  - name: t\n    cmds: [/bin/true]\n    env: {A: b}\n    options:\n${options}\n`);
    const sets = Array.from({ length: 10 }, (_, k) => `t.o${k}=${'y'.repeat(120_000)}`);
    const issues = valueIssues(() => resolveValues(spec, parseSetArgs(sets), 'wf.yaml'));
    expect(issues).toEqual([{ file: 'wf.yaml', path: 't', message: expect.stringContaining('option values as TF_OPT_* 1200') }]);
    expect(issues[0]!.message).toContain(`more than the ${MAX_TOOL_ENV_BYTES}-byte limit`);
    expect(resolveValues(spec, parseSetArgs(sets.slice(0, 7)), 'wf.yaml').t).toHaveProperty('o6');
  });

  it('refuses defaults that together are too large at validation', () => {
    const options = Array.from({ length: 10 }, (_, k) => `      - {name: o${k}, default: ${'z'.repeat(120_000)}}`).join('\n');
    const issues = issuesOf(`name: w\ntools:\n  - name: t\n    cmds: [x]\n    options:\n${options}\n`);
    expect(issues).toEqual([expect.objectContaining({ path: 'tools[0].options', message: expect.stringContaining('the environment of tool "t"') })]);
  });
});

describe('one rule for names that are never passed through, in any case', () => {
  it('the loader and the executor use the same function', () => {
    expect(loaderRule).toBe(passEnvProblem);
  });

  it.each(['tf_x', 'aws_x', 'toolflow_x', 'Aws_Region'])('refuses %s in envvars', (name) => {
    expect(issuesOf(`name: w\nenvvars: [${name}]\ntools:\n  - {name: t, cmds: [x]}\n`)).toEqual([expect.objectContaining({ path: 'envvars[0]', message: expect.stringContaining(`"${name}"`) })]);
  });

  it("refuses tf_x and Tf_Y in a tool's env (list and mapping), as TF_X", () => {
    expect(lines(issuesOf('name: w\ntools:\n  - {name: t, cmds: [x], env: [tf_x=1, TF_X=2, Tf_Y=3, OK=4]}\n'))).toEqual([
      '3:32 tools[0].env[0]: "tf_x": names starting with TF_ (in any case) are reserved for toolflow',
      '3:40 tools[0].env[1]: "TF_X": names starting with TF_ (in any case) are reserved for toolflow',
      '3:48 tools[0].env[2]: "Tf_Y": names starting with TF_ (in any case) are reserved for toolflow',
    ]);
    expect(issuesOf('name: w\ntools:\n  - {name: t, cmds: [x], env: {tf_x: 1}}\n')).toEqual([expect.objectContaining({ path: 'tools[0].env.tf_x' })]);
  });
});

describe('--set: a repeat is refused, and every bad --set is reported at once', () => {
  const { spec } = parseWorkflow('wf.yaml', 'name: w\ntools:\n  - name: t\n    cmds: [x]\n    options:\n      - {name: n, type: int}\n');

  it('refuses --set t.n=1.0 --set t.n=2, naming both', () => {
    expect(valueIssues(() => resolveValues(spec, parseSetArgs(['t.n=1.0', 't.n=2']), 'wf.yaml'))).toEqual([
      { file: '--set t.n=2', path: 't.n', message: 'option t.n is given twice (--set t.n=1.0, then --set t.n=2); give each option once' },
    ]);
  });

  it('still lets --set win over a params file (different sources)', async () => {
    const file = join(tempDir(), 'p.yaml');
    writeFileSync(file, 't:\n  n: 1\n');
    expect(resolveValues(spec, [...(await readParamsFile(file)), ...parseSetArgs(['t.n=2'])], 'wf.yaml').t).toEqual({ n: 2 });
  });

  it('--set bad does not hide the other --set errors', () => {
    expect(valueIssues(() => resolveValues(spec, parseSetArgs(['bad', 't.n=abc', 'u.x=1', 't.n=3']), 'wf.yaml'))).toEqual([
      { file: '--set bad', path: '', message: '"bad" must look like TOOL.OPTION=VALUE' },
      { file: '--set t.n=3', path: 't.n', message: 'option t.n is given twice (--set t.n=abc, then --set t.n=3); give each option once' },
      { file: '--set t.n=abc', path: 't.n', message: 'int option: "abc" is not a number' },
      { file: '--set u.x=1', path: 'u.x', message: 'unknown tool "u" (did you mean "t"?)' },
    ]);
  });
});
