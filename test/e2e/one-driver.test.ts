/**
 * One driver per task (issue 7, section 1), through the CLI in embedded mode: a live run's task is
 * not resumed beside it, the task keeps its work dir, `cancel` works from another terminal, and
 * dead drivers are seen.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileText, startToolflow, toolflow, until } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir();
const env = { TOOLFLOW_HOME: home };

function workflow(name: string, text: string): string {
  const path = join(home, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** The only task folder under a work dir. */
async function taskIn(workDir: string): Promise<string> {
  await until(() => {
    try {
      return readdirSync(workDir).length > 0;
    } catch {
      return false;
    }
  });
  return readdirSync(workDir)[0]!;
}

interface RunJson {
  taskId: string;
  status: string;
  tools: { name: string; status: string; attempts: { status: string; deliveredAt: string | null }[] }[];
}

describe('one driver per task', () => {
  it('resume of a task a live run drives is refused at once, naming that process; the run goes on and succeeds', async () => {
    const wd = join(home, 'dual');
    const file = workflow('dual', 'name: dual\ntools:\n  - {name: work, cmds: ["echo start >> ../../log; echo $$ > pid; sleep 4; echo end >> ../../log"]}\n  - {name: next, cmds: ["true"], rely: [work]}\n');
    const run = startToolflow(['run', file, '--workdir', wd, '--json'], env);
    const taskId = await taskIn(wd);
    await fileText(join(wd, taskId, 'work/attempt-1/pid'));
    const resumed = await toolflow(['resume', taskId], env);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain(`task ${taskId} is driven by a live process ${run.child.pid} on`);
    expect(resumed.stderr).toContain('(toolflow run)');
    expect(await run.exitCode).toBe(0);
    expect((JSON.parse(run.stdout()) as RunJson).tools.map((t) => [t.name, t.status, t.attempts.filter((a) => a.deliveredAt !== null).length])).toEqual([
      ['work', 'succeeded', 1],
      ['next', 'succeeded', 1],
    ]);
    expect(readdirSync(join(wd, taskId, 'work'))).toEqual(['attempt-1']);
  });

  it('the task remembers its work dir: resume without --workdir finds the dependencies\' outputs', async () => {
    const wd = join(home, 'A');
    const file = workflow('wd', 'name: wd\ntools:\n  - {name: a, cmds: ["echo hello > a.txt"]}\n  - {name: b, cmds: ["echo $$ > pid; sleep 3; cat $TF_DEP_a/a.txt"], rely: [a]}\n');
    const run = startToolflow(['run', file, '--workdir', wd, '--json'], env);
    const taskId = await taskIn(wd);
    await fileText(join(wd, taskId, 'b/attempt-1/pid'));
    run.child.kill('SIGKILL');
    await run.exitCode;
    const resumed = await toolflow(['resume', taskId, '--json'], env);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect((JSON.parse(resumed.stdout) as RunJson).tools.map((t) => [t.name, t.status, t.attempts.filter((a) => a.deliveredAt !== null).length])).toEqual([
      ['a', 'succeeded', 1],
      ['b', 'succeeded', 2],
    ]);
    expect(await fileText(join(wd, taskId, 'b/attempt-2/stdout.log'))).toBe('hello\n');
  });

  it('a tool a SIGKILLed run left running is stopped by resume before its attempt is rerun; status shows the dead driver', async () => {
    const wd = join(home, 'orphan');
    const file = workflow('orphan', 'name: orphan\ntools:\n  - {name: side, cmds: ["echo $$ > pid; sleep 3; echo \\"side effect $TF_ATTEMPT\\" >> ../../effects"]}\n');
    const run = startToolflow(['run', file, '--workdir', wd], env);
    const taskId = await taskIn(wd);
    const pid = Number(await fileText(join(wd, taskId, 'side/attempt-1/pid')));
    run.child.kill('SIGKILL');
    await run.exitCode;
    expect(() => process.kill(pid, 0)).not.toThrow(); // the orphan lives on
    const status = await toolflow(['status', taskId], env);
    expect(status.stdout).toContain(`no live process drives it any more (its process died): take it over with toolflow resume ${taskId}`);
    const statusJson = JSON.parse((await toolflow(['status', taskId, '--json'], env)).stdout) as { status: string; driver: string };
    expect(statusJson).toMatchObject({ status: 'processing', driver: 'gone' });
    const resumed = await toolflow(['resume', taskId, '--json'], env);
    expect(resumed.code).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await fileText(join(wd, taskId, 'effects'))).toBe('side effect 2\n');
  });

  it('resume with a --workdir that does not hold the task is refused, naming where it ran', async () => {
    const wd = join(home, 'B');
    const file = workflow('wd2', 'name: wd2\ntools:\n  - {name: a, cmds: ["true"]}\n  - {name: b, cmds: ["echo $$ > pid; sleep 30"], rely: [a]}\n');
    const run = startToolflow(['run', file, '--workdir', wd], env);
    const taskId = await taskIn(wd);
    await fileText(join(wd, taskId, 'b/attempt-1/pid'));
    run.child.kill('SIGKILL');
    await run.exitCode;
    const elsewhere = await toolflow(['resume', taskId, '--workdir', join(home, 'nowhere')], env);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(`task ${taskId} ran in ${wd}, and ${join(home, 'nowhere', taskId)} does not exist`);
    // The dead task is cancelled from here (its driver is gone), and what it left running is stopped.
    const cancelled = await toolflow(['cancel', taskId, '--json'], env);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toEqual({ taskId, status: 'cancelled' });
    const status = await toolflow(['status', taskId, '--json'], env);
    expect((JSON.parse(status.stdout) as RunJson).status).toBe('cancelled');
  });

  it('toolflow cancel from another terminal stops a live run: its tools end cancelled', async () => {
    const wd = join(home, 'C');
    const file = workflow('long', 'name: long\ntools:\n  - {name: slow, cmds: ["echo $$ > pid; sleep 60"]}\n  - {name: after, cmds: ["true"], rely: [slow]}\n');
    const run = startToolflow(['run', file, '--workdir', wd, '--json'], env);
    const taskId = await taskIn(wd);
    const pid = Number(await fileText(join(wd, taskId, 'slow/attempt-1/pid')));
    const cancelled = await toolflow(['cancel', taskId], env);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stderr).toContain(`cancel requested: task ${taskId} is driven by process ${run.child.pid}`);
    expect(cancelled.stderr).toContain(`task ${taskId}: cancelled`);
    expect(await run.exitCode).toBe(1);
    const result = JSON.parse(run.stdout()) as RunJson;
    expect(result.status).toBe('cancelled');
    expect(result.tools.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    expect(() => process.kill(pid, 0)).toThrow();
    const again = await toolflow(['cancel', taskId], env);
    expect(again.stderr).toContain('has already finished (cancelled)');
    const unknown = await toolflow(['cancel', 'nosuchtask'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no task nosuchtask');
  });
});
