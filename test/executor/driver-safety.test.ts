// Issue 7, section 1: tools cannot kill their driver through $PPID, and what a SIGKILLed driver left
// running is found (pid file, start time) and stopped before a resume reruns the attempt.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { PID_FILE, readPidFile } from '../../shared/executor/local/leftover.js';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { processStartTime } from '../../shared/process-identity.js';
import type { ToolReport } from '../../shared/executor/executor.js';
import { tempDir } from '../support/tmp.js';
import { alive, request, runAttempt, waitFor } from './helpers.js';

const dir = tempDir();
const objects = new LocalObjectStore(join(dir, 'objects'));
const executor = new LocalExecutor({ root: join(dir, 'work'), objects });
afterAll(() => executor.close());

const readNumber = (path: string) => Number(readFileSync(path, 'utf8'));

/** Starts `leftover-driver.ts` in a process of its own; resolves once its tool runs. */
async function startDriver(root: string, taskId: string, tool: string, memoryLimit?: 'rlimit'): Promise<{ pid: number; mechanism: string; reaped: Promise<void> }> {
  const viteNode = join(import.meta.dirname, '../../node_modules/vite-node/vite-node.mjs');
  const child = spawn(process.execPath, [viteNode, join(import.meta.dirname, 'leftover-driver.ts'), root, taskId, tool, ...(memoryLimit ? [memoryLimit] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const reaped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the driver exited with ${code} before its tool started`)));
  });
  return { pid: child.pid!, mechanism: line.split(' ')[1]!, reaped };
}

describe('a tool cannot kill its driver', () => {
  it('kill -9 $PPID in a command ends neither the run nor the attempt', async () => {
    const { exit } = await runAttempt(executor, request(['echo $PPID > ppid.txt', 'kill -9 $PPID', 'sleep 0.2', 'echo after > after.txt']));
    const workDir = executor.workDirOf('task1', exit.tool, 1);
    expect(exit.exitCode).toBe(0); // the attempt went on past the kill
    expect(readFileSync(join(workDir, 'after.txt'), 'utf8')).toBe('after\n');
    const ppid = readNumber(join(workDir, 'ppid.txt'));
    expect(ppid).not.toBe(process.pid); // it was the worker's keeper, not this driver
    expect(await waitFor(() => !alive(ppid))).toBe(true);
    // The pool goes on: the next attempt gets a worker whose keeper lives.
    const next = await runAttempt(executor, request(['echo $PPID > ppid.txt']));
    const nextPpid = readNumber(join(executor.workDirOf('task1', next.exit.tool, 1), 'ppid.txt'));
    expect(next.exit.exitCode).toBe(0);
    expect(nextPpid).not.toBe(ppid);
    expect(alive(nextPpid)).toBe(true);
  });

  it('cancel still stops a tool that killed its keeper, and everything it started', async () => {
    const req = request(['kill -9 $PPID', 'sleep 30 & echo $! > child.pid', 'wait']);
    const reports: ToolReport[] = [];
    await executor.start(req, (r) => reports.push(r));
    const childPid = join(executor.workDirOf(req.taskId, req.tool, 1), 'child.pid');
    expect(await waitFor(() => existsSync(childPid) && statSync(childPid).size > 0)).toBe(true);
    await executor.cancel(req.taskId, req.tool, 1, 0);
    expect(reports.find((r) => r.kind === 'exit')).toMatchObject({ exitCode: 137 });
    expect(alive(readNumber(childPid))).toBe(false);
  });
});

describe('leftovers of a SIGKILLed driver', () => {
  it('after kill -9 of the driver its tool keeps going, and stopLeftover stops it (process group, cgroup) and says so', async () => {
    const root = join(dir, 'dead-run');
    const { pid, mechanism } = await startDriver(root, 'dead1', 'work');
    const workDir = join(root, 'dead1', 'work', 'attempt-1');
    expect(await waitFor(() => existsSync(join(workDir, 'child.pid')) && existsSync(join(workDir, PID_FILE)))).toBe(true);
    const record = readPidFile(workDir)!;
    expect(record.start).toBe(processStartTime(record.pgid));
    expect(record.boot).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(record.cgroup !== null).toBe(mechanism !== 'rlimit');
    process.kill(pid, 'SIGKILL');
    expect(await waitFor(() => !alive(pid))).toBe(true);
    // The case: the tool goes on beside whatever reruns it.
    const ticks = () => readFileSync(join(workDir, 'ticks.log'), 'utf8').length;
    const before = ticks();
    expect(await waitFor(() => ticks() > before)).toBe(true);
    const child = readNumber(join(workDir, 'child.pid'));
    expect(alive(record.pgid) && alive(child)).toBe(true);

    expect(await executor.stopLeftover('dead1', 'work', 1, root)).toBe(true);
    expect(alive(record.pgid)).toBe(false);
    expect(alive(child)).toBe(false);
    if (record.cgroup) expect(existsSync(record.cgroup)).toBe(false);
    expect(existsSync(join(workDir, PID_FILE))).toBe(false);
    expect(await executor.stopLeftover('dead1', 'work', 1, root)).toBe(false); // nothing left
  });

  it("a new executor's stale-cgroup cleanup also stops a dead driver's tool", async () => {
    const root = join(dir, 'dead-run-2');
    const { pid, mechanism, reaped } = await startDriver(root, 'dead2', 'work');
    expect(mechanism).not.toBe('rlimit'); // this machine runs the tests as root with cgroups
    const workDir = join(root, 'dead2', 'work', 'attempt-1');
    expect(await waitFor(() => existsSync(join(workDir, 'child.pid')) && existsSync(join(workDir, PID_FILE)))).toBe(true);
    const record = readPidFile(workDir)!;
    expect(record.cgroup).not.toBeNull();
    const child = readNumber(join(workDir, 'child.pid'));
    process.kill(pid, 'SIGKILL');
    await reaped;
    const fresh = new LocalExecutor({ root, objects });
    try {
      expect(existsSync(record.cgroup!)).toBe(false);
      expect(await waitFor(() => !alive(record.pgid) && !alive(child))).toBe(true);
      await fresh.stopLeftover('dead2', 'work', 1); // finds the pid file, nothing left to stop
      expect(existsSync(join(workDir, PID_FILE))).toBe(false);
    } finally {
      await fresh.close();
    }
  });

  it('without cgroups (ulimit -v fallback), finds the members of the group by TF_WORKDIR once its shell is gone', async () => {
    const root = join(dir, 'dead-run-3');
    const { pid, mechanism } = await startDriver(root, 'dead3', 'work', 'rlimit');
    expect(mechanism).toBe('rlimit');
    const workDir = join(root, 'dead3', 'work', 'attempt-1');
    expect(await waitFor(() => existsSync(join(workDir, 'child.pid')) && existsSync(join(workDir, PID_FILE)))).toBe(true);
    const record = readPidFile(workDir)!;
    expect(record.cgroup).toBeNull();
    const child = readNumber(join(workDir, 'child.pid'));
    process.kill(pid, 'SIGKILL');
    process.kill(record.pgid, 'SIGKILL'); // the tool's shell ends; its background `sleep 300` goes on
    expect(await waitFor(() => !alive(record.pgid))).toBe(true);
    expect(alive(child)).toBe(true);
    expect(await executor.stopLeftover('dead3', 'work', 1, root)).toBe(true);
    expect(alive(child)).toBe(false);
  });

  it('never signals a pid the system gave to another process (start time differs)', async () => {
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      const workDir = join(dir, 'work', 'reused', 'work', 'attempt-1');
      mkdirSync(workDir, { recursive: true });
      const stat = readFileSync(`/proc/${other.pid}/stat`, 'utf8').trim().split(' ');
      stat[21] = '1'; // another start time: the pid was given to another process since
      writeFileSync(join(workDir, PID_FILE), `-\n\n${stat.join(' ')}\n`);
      expect(await executor.stopLeftover('reused', 'work', 1)).toBe(false);
      expect(alive(other.pid!)).toBe(true);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('stops an attempt this executor runs itself by cancelling it', async () => {
    const req = request(['sleep 30']);
    const reports: ToolReport[] = [];
    await executor.start(req, (r) => reports.push(r));
    expect(await executor.stopLeftover(req.taskId, req.tool, 1)).toBe(true);
    expect(reports.find((r) => r.kind === 'exit')).toMatchObject({ exitCode: 137 });
  });
});
