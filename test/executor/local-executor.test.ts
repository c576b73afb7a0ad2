import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AttemptRequest, ToolReport } from '../../shared/executor/executor.js';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const objects = new LocalObjectStore(join(dir, 'objects'));
const executor = new LocalExecutor({ root: join(dir, 'work'), objects, keepaliveSeconds: 0.05, killGraceSeconds: 1 });
afterAll(() => executor.close());
let seq = 0;

function request(cmds: string[], extra: Partial<AttemptRequest> = {}): AttemptRequest {
  return {
    taskId: 'task1',
    tool: `t${++seq}`,
    attempt: 1,
    owner: 'me',
    spec: { name: 'x', cmds, env: {}, outputs: [], image: null },
    values: {},
    inputs: {},
    deps: [],
    resources: { cpuMillicores: 1000, memBytes: 256e6, diskBytes: null, timeSeconds: null },
    ...extra,
  };
}

/** Runs an attempt to its end; returns every report. */
async function run(req: AttemptRequest): Promise<{ reports: ToolReport[]; exit: Extract<ToolReport, { kind: 'exit' }>; workDir: string }> {
  const reports: ToolReport[] = [];
  await new Promise<void>((resolve, reject) => {
    executor
      .start(req, (r) => {
        reports.push(r);
        if (r.kind === 'exit') resolve();
      })
      .catch(reject);
  });
  return { reports, exit: reports.find((r) => r.kind === 'exit') as Extract<ToolReport, { kind: 'exit' }>, workDir: executor.workDirOf(req.taskId, req.tool, req.attempt) };
}

/** True while a process exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('local executor', () => {
  it('runs commands in the work dir, logs stdout and stderr, reports start and exit', async () => {
    const { reports, exit, workDir } = await run(request(['echo out', 'echo err >&2', 'pwd > where.txt']));
    expect(reports[0]!.kind).toBe('start');
    expect(exit).toMatchObject({ exitCode: 0, signal: null, oomKilled: false, missingOutputs: [] });
    expect(readFileSync(join(workDir, 'stdout.log'), 'utf8')).toBe('out\n');
    expect(readFileSync(join(workDir, 'stderr.log'), 'utf8')).toBe('err\n');
    expect(readFileSync(join(workDir, 'where.txt'), 'utf8').trim()).toBe(workDir);
    expect(readFileSync(join(workDir, 'command.sh'), 'utf8')).toContain('set -euo pipefail');
  });

  it('starts an attempt once: a second start of it (a redelivery) does nothing', async () => {
    const req = request(['echo run >> runs.log']);
    const reports: ToolReport[] = [];
    await Promise.all([executor.start(req, (r) => reports.push(r)), executor.start(req, (r) => reports.push(r))]);
    while (!reports.some((r) => r.kind === 'exit')) await new Promise((r) => setTimeout(r, 10));
    await executor.start(req, (r) => reports.push(r));
    await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(join(executor.workDirOf(req.taskId, req.tool, 1), 'runs.log'), 'utf8')).toBe('run\n');
    expect(reports.map((r) => r.kind)).toEqual(['start', 'exit']);
  });

  it('passes option values as data: nothing in them runs', async () => {
    const values = { semi: 'x; touch pwned', sub: '$(touch pwned2)', tick: '`touch pwned3`', quotes: 'a\'b"c', newline: 'line1\ntouch pwned4' };
    const cmds = Object.keys(values).map((k) => `printf '%s\\n' "$TF_OPT_${k}" >> values.txt`);
    cmds.push('echo $TF_OPT_semi > unquoted.txt');
    const { exit, workDir } = await run(request(cmds, { values }));
    expect(exit.exitCode).toBe(0);
    expect(readFileSync(join(workDir, 'values.txt'), 'utf8')).toBe(Object.values(values).join('\n') + '\n');
    expect(readFileSync(join(workDir, 'unquoted.txt'), 'utf8')).toBe('x; touch pwned\n');
    for (const f of ['pwned', 'pwned2', 'pwned3', 'pwned4']) expect(existsSync(join(workDir, f))).toBe(false);
  });

  it('fails a tool when a pipeline stage fails (pipefail) and stops at the first failing command', async () => {
    const { exit, workDir } = await run(request(['false | cat', 'touch not-reached']));
    expect(exit.exitCode).toBe(1);
    expect(existsSync(join(workDir, 'not-reached'))).toBe(false);
    const unset = await run(request(['echo "$UNDEFINED_VARIABLE"']));
    expect(unset.exit.exitCode).not.toBe(0);
    expect(unset.exit.stderrTail).toMatch(/unbound variable/);
  });

  it('gives tools a minimal environment: no secrets from the parent', async () => {
    process.env.TOOLFLOW_TEST_SECRET = 'hunter2';
    process.env.AWS_SECRET_ACCESS_KEY = 'hunter3';
    try {
      const { workDir } = await run(request(['env > env.txt'], { spec: { name: 'x', cmds: ['env > env.txt'], env: { MINE: 'yes' }, outputs: [], image: null } }));
      const env = readFileSync(join(workDir, 'env.txt'), 'utf8');
      expect(env).not.toContain('hunter');
      expect(env).toContain('MINE=yes');
      expect(env).toContain('TF_MEM_BYTES=256000000');
      expect(env).toContain('TF_CPUS=1');
    } finally {
      delete process.env.TOOLFLOW_TEST_SECRET;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('reports declared outputs that are missing after exit 0', async () => {
    const { exit } = await run(request(['touch a.txt'], { spec: { name: 'x', cmds: ['touch a.txt'], env: {}, outputs: ['a.txt', 'sub/b.txt'], image: null } }));
    expect(exit.missingOutputs).toEqual(['sub/b.txt']);
  });

  it('stages inputs from the object store and exposes dependencies', async () => {
    const src = join(dir, 'reads.fq');
    writeFileSync(src, 'ACGT\n');
    await objects.putFile('me/u1/reads.fq', src);
    const first = await run(request(['echo dep > d.txt']));
    const dep = `t${seq}`;
    const cmds = [`cat "$TF_INPUT_reads" "$TF_DEP_${dep}/d.txt" > both.txt`];
    const { exit, workDir } = await run(
      request(cmds, { inputs: { reads: { key: 'me/u1/reads.fq', fileName: 'reads.fq' } }, deps: [{ tool: dep, attempt: 1 }] }),
    );
    expect(exit.exitCode).toBe(0);
    expect(first.exit.exitCode).toBe(0);
    expect(readFileSync(join(workDir, 'both.txt'), 'utf8')).toBe('ACGT\ndep\n');
  });

  it('enforces the memory limit and says so', async () => {
    const { exit } = await run(request(['perl -e \'$x = "a" x (200 * 1000 * 1000); print length($x)\''], { resources: { cpuMillicores: 1000, memBytes: 64e6, diskBytes: null, timeSeconds: null } }));
    expect(exit.exitCode).not.toBe(0);
    if (executor.limiter.mechanism === 'rlimit') expect(exit.stderrTail).toMatch(/Out of memory/);
    else {
      expect(exit.oomKilled).toBe(true);
      expect(exit.peakMemBytes).toBeGreaterThan(60e6);
    }
  });

  it('sends keepalives while a tool runs', async () => {
    const { reports } = await run(request(['sleep 0.3']));
    expect(reports.filter((r) => r.kind === 'keepalive').length).toBeGreaterThanOrEqual(2);
  });

  it('cancels a tool and everything it started', async () => {
    const req = request(['sleep 30 & echo $! > child.pid', 'wait']);
    const reports: ToolReport[] = [];
    await executor.start(req, (r) => reports.push(r));
    const workDir = executor.workDirOf(req.taskId, req.tool, 1);
    for (let i = 0; i < 100 && !existsSync(join(workDir, 'child.pid')); i++) await new Promise((r) => setTimeout(r, 20));
    const childPid = Number(readFileSync(join(workDir, 'child.pid'), 'utf8'));
    await executor.cancel(req.taskId, req.tool, 1);
    const exit = reports.find((r) => r.kind === 'exit') as Extract<ToolReport, { kind: 'exit' }>;
    expect(exit.signal ?? exit.exitCode).toBeTruthy();
    expect(alive(childPid)).toBe(false);
  });

  it('kills what a tool left running in the background when it exits', async () => {
    const { exit, workDir } = await run(request(['sleep 30 & echo $! > bg.pid']));
    expect(exit.exitCode).toBe(0);
    const pid = Number(readFileSync(join(workDir, 'bg.pid'), 'utf8'));
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
  });

  it('kills at once with a grace of 0, even a tool that ignores SIGTERM', async () => {
    const req = request(["trap '' TERM", 'sleep 30']);
    const reports: ToolReport[] = [];
    await executor.start(req, (r) => reports.push(r));
    await new Promise((r) => setTimeout(r, 100));
    await executor.cancel(req.taskId, req.tool, 1, 0);
    const exit = reports.find((r) => r.kind === 'exit') as Extract<ToolReport, { kind: 'exit' }>;
    expect(exit.exitCode).toBe(137); // SIGKILL at once: SIGTERM would have been ignored
  });

  it("does not read the user's ~/.bashrc into tools", async () => {
    const home = tempDir('toolflow-home-');
    writeFileSync(join(home, '.bashrc'), 'export LEAKED_FROM_BASHRC=1\n');
    const saved = process.env.HOME;
    process.env.HOME = home;
    const own = new LocalExecutor({ root: join(dir, 'work-rc'), objects });
    try {
      const reqEnv = request(['env > env.txt']);
      const reports: ToolReport[] = [];
      await new Promise<void>((resolve) => void own.start(reqEnv, (r) => (reports.push(r), r.kind === 'exit' && resolve())));
      const env = readFileSync(join(own.workDirOf(reqEnv.taskId, reqEnv.tool, 1), 'env.txt'), 'utf8');
      expect(env).toContain(`HOME=${home}`);
      expect(env).not.toContain('LEAKED_FROM_BASHRC');
    } finally {
      process.env.HOME = saved;
      await own.close();
    }
  });

  it('stages inputs apart from tool work dirs, even for a tool named "inputs"', async () => {
    const src = join(dir, 'data.txt');
    writeFileSync(src, 'x\n');
    await objects.putFile('me/u2/data.txt', src);
    const req = request(['cat "$TF_INPUT_attempt_1" > copy.txt; echo "$TF_INPUT_attempt_1" > where.txt'], { tool: 'inputs', inputs: { 'attempt-1': { key: 'me/u2/data.txt', fileName: 'data.txt' } } });
    const { exit, workDir } = await run(req);
    expect(exit.exitCode).toBe(0);
    expect(readFileSync(join(workDir, 'where.txt'), 'utf8')).toContain('/_inputs/attempt-1/data.txt');
    expect(readFileSync(join(workDir, 'command.sh'), 'utf8')).toContain('set -euo pipefail');
  });

  it('removes the cgroups of toolflow processes that died without cleaning up', async () => {
    if (executor.limiter.mechanism === 'rlimit') return; // no cgroups on this machine: nothing to leave behind
    const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => (executor.limiter.mechanism === 'cgroup1' ? /:memory:/.test(l) : l.startsWith('0::')))!;
    const base = join(executor.limiter.mechanism === 'cgroup1' ? '/sys/fs/cgroup/memory' : '/sys/fs/cgroup', line.split(':')[2]!);
    const stale = join(base, 'toolflow-999999999-abcdef');
    mkdirSync(join(stale, 'a1'), { recursive: true });
    const fresh = new LocalExecutor({ root: join(dir, 'work-stale'), objects });
    await fresh.close();
    expect(existsSync(stale)).toBe(false);
  });
});
