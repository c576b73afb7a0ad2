/**
 * `toolflow run` (embedded mode) with a DingTalk robot configured: a task that fails is notified
 * (its failed tool named, read from the store), and a notification the robot refuses changes
 * nothing about the task: it ends failed with its own error, not "cannot progress", and the run's
 * exit code is the task's. A robot that never answers does not hold the run: its result is
 * printed, and the process ends without the retries that would take minutes. The secret and the
 * access_token appear nowhere in what it prints.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { ERRCODES, startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { tempDir } from '../support/tmp.js';

const SECRET = 'SECe2e0run0secret0f0the0robot0abcdef0123456789';
const TOKEN = 'e2e0access0token0abcdef0123456789';

describe('toolflow run with notifications', () => {
  const dir = tempDir('toolflow-notify-run-');
  const wf = join(dir, 'wf.yaml');
  let robot: DingTalkServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    robot = await startDingTalkServer();
    robot.addRobot(TOKEN, { secret: SECRET, keywords: ['toolflow'] });
    writeFileSync(wf, 'name: notify-e2e\ntools:\n  - {name: fine, cmds: ["true"]}\n  - {name: broken, cmds: ["echo no such input >&2; exit 3"]}\n');
    env = { TOOLFLOW_HOME: join(dir, 'home'), TOOLFLOW_NOTIFY_DINGTALK_URL: robot.robotUrl(TOKEN), TOOLFLOW_NOTIFY_DINGTALK_SECRET: SECRET, TOOLFLOW_LOG_LEVEL: 'info' };
  });
  afterAll(() => robot.close());

  const secretFree = (text: string) => {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toMatch(/[?&]sign=/);
  };

  it('a failed task is notified once, with the tool that failed', async () => {
    const r = await toolflow(['run', wf, '--json'], env);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { taskId: string; status: string };
    expect(out.status).toBe('failed');
    const mine = robot.messages.filter((m) => m.text.includes(out.taskId));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.title).toBe(`toolflow: task failed: notify-e2e (${out.taskId})`);
    expect(mine[0]!.text).toContain('- **broken** (attempt 1): exit · exited with code 3');
    secretFree(r.stderr + r.stdout);
  });

  it('a notification the robot refuses (310000) leaves the task failed with its own error, and the run exits 1 as for any failed task', async () => {
    robot.script(TOKEN, ERRCODES.signNotMatch);
    const r = await toolflow(['run', wf, '--json'], env);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { taskId: string; status: string };
    expect(out.status).toBe('failed');
    expect(r.stderr).toContain('errcode 310000');
    expect(robot.messages.filter((m) => m.text.includes(out.taskId))).toEqual([]);
    const status = JSON.parse((await toolflow(['status', out.taskId, '--json'], env)).stdout) as { status: string; error: string };
    expect(status.status).toBe('failed');
    expect(status.error).not.toContain('cannot progress');
    expect(status.error).not.toContain('notify');
    secretFree(r.stderr + r.stdout);
  });

  it('a robot that never answers does not hold the run: the result is printed, the request is abandoned at exit, nothing is tried again', async () => {
    robot.script(TOKEN, { hang: true }, { hang: true }, { hang: true });
    const before = robot.requests.length;
    const r = await toolflow(['run', wf, '--json'], env);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { taskId: string; status: string };
    expect(out.status).toBe('failed');
    // One request, held by the robot; the process ended (the connection closed) without a second try.
    await expect.poll(() => robot.requests.slice(before).map((q) => [q.status, q.clientGone === true])).toEqual([[-1, true]]);
    expect(r.stderr).toContain('the process is closing');
    expect(r.stderr).toContain('closing: the event was not handled');
    const status = JSON.parse((await toolflow(['status', out.taskId, '--json'], env)).stdout) as { status: string; error: string };
    expect(status.status).toBe('failed');
    expect(status.error).not.toContain('notify');
    secretFree(r.stderr + r.stdout);
  });

  it('a robot nothing listens on: the run still exits with its task\'s code (1 failed, 0 succeeded), not 13', async () => {
    const free = await import('node:net').then(({ createServer }) => new Promise<number>((r) => { const srv = createServer().listen(0, '127.0.0.1', () => { const port = (srv.address() as { port: number }).port; srv.close(() => r(port)); }); }));
    const closedEnv = { ...env, TOOLFLOW_NOTIFY_DINGTALK_URL: `http://127.0.0.1:${free}/robot/send?access_token=${TOKEN}`, TOOLFLOW_NOTIFY_EVENTS: 'task.failed,task.succeeded' };
    const failed = await toolflow(['run', wf, '--json'], closedEnv);
    expect(failed.code).toBe(1);
    expect((JSON.parse(failed.stdout) as { status: string }).status).toBe('failed');
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, 'name: notify-ok\ntools:\n  - {name: fine, cmds: ["true"]}\n');
    const succeeded = await toolflow(['run', ok, '--json'], closedEnv);
    expect(succeeded.code).toBe(0);
    expect((JSON.parse(succeeded.stdout) as { status: string }).status).toBe('succeeded');
    secretFree(failed.stderr + failed.stdout + succeeded.stderr + succeeded.stdout);
  });

  it('bad notify settings refuse the run before it starts (exit 2), naming the variable', async () => {
    const r = await toolflow(['run', wf], { ...env, TOOLFLOW_NOTIFY_DINGTALK_URL: `ftp://x/robot/send?access_token=${TOKEN}` });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TOOLFLOW_NOTIFY_DINGTALK_URL: the URL of robot 1 must be an http:// or https:// URL');
    expect(r.stderr).not.toContain('"taskId"');
    secretFree(r.stderr + r.stdout);
  });
});
