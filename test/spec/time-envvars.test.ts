// Issue 7: the per-tool time limit (`time`, `retry.cap.time`, `timeout` in `retry.on`) and the
// environment pass-through (`envvars`, section 6), spec side.
import { describe, expect, it } from 'vitest';
import { SpecError, type SpecIssue } from '../../shared/errors.js';
import { DEFAULT_RETRY, parseWorkflow, passEnvProblem } from '../../shared/spec/load.js';

function issuesOf(text: string): SpecIssue[] {
  try {
    parseWorkflow('wf.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).issues;
  }
  throw new Error('expected a SpecError');
}

const tool = (extra: string) => `name: w\ntools:\n  - name: t\n    cmds: [x]\n${extra}`;

describe('time', () => {
  it('is null when absent, and the cap defaults to 7 days', () => {
    const t = parseWorkflow('wf.yaml', tool('')).spec.tools[0]!;
    expect(t.timeSeconds).toBeNull();
    expect(t.retry.capTimeSeconds).toBe(7 * 86_400);
    expect(DEFAULT_RETRY.capTimeSeconds).toBe(604_800);
  });

  it.each([
    ['2h', 7200],
    ['3600', 3600],
    ['1h30m', 5400],
    ['90s', 90],
    ['1d', 86_400],
  ])('reads time: %s', (time, seconds) => {
    expect(parseWorkflow('wf.yaml', tool(`    time: ${time}\n`)).spec.tools[0]!.timeSeconds).toBe(seconds);
  });

  it.each([
    ['0', 'time "0" must be more than 0 seconds'],
    ['-5', 'time "-5" must be more than 0 seconds'],
    ['lots', '"lots" is not a time: write seconds (3600) or numbers with the units d, h, m, s'],
    ['[1]', 'must be number or string'],
  ])('refuses time: %s at the field', (time, message) => {
    const issues = issuesOf(tool(`    time: ${time}\n`));
    expect(issues).toEqual([expect.objectContaining({ path: 'tools[0].time', line: 5, column: 11, message: expect.stringContaining(message) })]);
  });

  it('reads retry.cap.time and takes timeout in retry.on', () => {
    const t = parseWorkflow('wf.yaml', tool('    time: 1h\n    retry: {on: [timeout, oom], cap: {time: 4h}}\n')).spec.tools[0]!;
    expect(t.retry).toMatchObject({ on: ['timeout', 'oom'], capTimeSeconds: 4 * 3600 });
  });

  it('keeps timeout out of the default retry.on', () => {
    expect(parseWorkflow('wf.yaml', tool('    time: 1h\n')).spec.tools[0]!.retry.on).not.toContain('timeout');
  });

  it('refuses a cap below the tool time, and a bad cap', () => {
    expect(issuesOf(tool('    time: 2h\n    retry: {cap: {time: 1h}}\n'))).toEqual([
      expect.objectContaining({ path: 'tools[0].retry.cap.time', message: "the cap (1h) is below the tool's time (2h); raise retry.cap.time or lower time" }),
    ]);
    expect(issuesOf(tool('    time: 8d\n'))).toEqual([expect.objectContaining({ path: 'tools[0].retry.cap.time', message: "the cap (7d) is below the tool's time (8d); raise retry.cap.time or lower time" })]);
    expect(issuesOf(tool('    retry: {cap: {time: soon}}\n'))[0]).toMatchObject({ path: 'tools[0].retry.cap.time', message: expect.stringContaining('"soon" is not a time') });
  });

  it('refuses an unknown retry reason with the list that includes timeout', () => {
    expect(issuesOf(tool('    retry: {on: [slow]}\n'))[0]!.message).toBe('"slow" must be one of oom, disk, timeout, lost, undelivered, exit');
  });
});

describe('envvars', () => {
  it('merges the workflow list, then the tool list, without duplicates', () => {
    const { spec } = parseWorkflow(
      'wf.yaml',
      `name: w
envvars: [LD_LIBRARY_PATH, CONDA_PREFIX, LD_LIBRARY_PATH]
tools:
  - {name: a, cmds: [x]}
  - {name: b, cmds: [x], envvars: [JAVA_HOME, CONDA_PREFIX, http_proxy]}
`,
    );
    expect(spec.tools.map((t) => t.passEnv)).toEqual([
      ['LD_LIBRARY_PATH', 'CONDA_PREFIX'],
      ['LD_LIBRARY_PATH', 'CONDA_PREFIX', 'JAVA_HOME', 'http_proxy'],
    ]);
  });

  it('is empty by default', () => {
    expect(parseWorkflow('wf.yaml', tool('')).spec.tools[0]!.passEnv).toEqual([]);
  });

  it('lets a tool env value win over a workflow pass-through, and refuses the same name in a tool env and its own envvars', () => {
    const { spec } = parseWorkflow('wf.yaml', 'name: w\nenvvars: [PYTHONPATH, OMP_NUM_THREADS]\ntools:\n  - {name: t, cmds: [x], env: {PYTHONPATH: /opt/lib}}\n');
    expect(spec.tools[0]!.passEnv).toEqual(['OMP_NUM_THREADS']);
    expect(issuesOf(tool('    env: [JAVA_HOME=/opt/java]\n    envvars: [JAVA_HOME]\n'))).toEqual([
      expect.objectContaining({ path: 'tools[0].envvars[0]', message: '"JAVA_HOME" is both set in env and passed through; keep one (a value in env is passed literally)' }),
    ]);
  });

  it.each([
    ['TF_OPT_x', 'names starting with TF_ are set by toolflow for each attempt'],
    ['tf_x', 'names starting with TF_ are set by toolflow'],
    ['TOOLFLOW_DATABASE_URL', 'TOOLFLOW_ variables configure toolflow itself'],
    ['AWS_SECRET_ACCESS_KEY', "AWS_ variables hold toolflow's own S3 credentials"],
    ['AWS_REGION', "AWS_ variables hold toolflow's own S3 credentials"],
    ['GITHUB_TOKEN', 'looks like it holds a secret (its name contains TOKEN)'],
    ['db_password', 'looks like it holds a secret (its name contains PASSWORD)'],
    ['MY_SECRET', 'its name contains SECRET'],
    ['GOOGLE_APPLICATION_CREDENTIALS', 'its name contains CREDENTIAL'],
  ])('refuses %s with why', (name, why) => {
    for (const text of [`name: w\nenvvars: [${name}]\ntools:\n  - {name: t, cmds: [x]}\n`, tool(`    envvars: [${name}]\n`)]) {
      const issues = issuesOf(text);
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toMatch(/^(tools\[0\]\.)?envvars\[0\]$/);
      expect(issues[0]!.message).toContain(`"${name}"`);
      expect(issues[0]!.message).toContain(why);
    }
    expect(passEnvProblem(name)).toContain(why);
  });

  it.each(['2BAD', 'A-B', 'A B', ''])('refuses %j, which is not a shell variable name', (name) => {
    const issues = issuesOf(`name: w\nenvvars: ["${name}"]\ntools:\n  - {name: t, cmds: [x]}\n`);
    expect(issues).toEqual([expect.objectContaining({ path: 'envvars[0]', line: 2, message: `${JSON.stringify(name)} is not valid: a shell variable name` })]);
    expect(passEnvProblem(name)).toContain('is not a shell variable name');
  });

  it('accepts the names conda and module users need', () => {
    for (const name of ['LD_LIBRARY_PATH', 'CONDA_PREFIX', 'JAVA_HOME', 'PYTHONPATH', 'http_proxy', 'HTTPS_PROXY', 'NO_PROXY', 'OMP_NUM_THREADS', 'MODULEPATH']) {
      expect(passEnvProblem(name)).toBeUndefined();
    }
  });
});
