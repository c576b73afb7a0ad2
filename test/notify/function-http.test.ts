/**
 * The notify function as the deployments run it, each its own process on loopback: `node
 * dist/functions/notify/index.js` (OpenFaaS's of-watchdog path) and `toolflow function notify`
 * (faas-js-runtime, Knative's), with the loopback robot. Alertmanager's webhook needs its bearer
 * token (401 without it, or with another), CloudEvents need the function secret; both reach the
 * robot; a refusal is 400 for an event (dead-lettered at once) and 422 for Alertmanager (not sent
 * again). Nothing either process prints holds a secret: robot secret, access_token, sign, tokens.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, post, startFunctionProcess, structured, type FunctionProcess, type Message } from '../http/helpers.js';
import { ERRCODES, startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { tempDir } from '../support/tmp.js';
import { taskFailed } from './helpers.js';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/toolflow.js');
const MODULE = join(ROOT, 'dist/functions/notify/index.js');

const ROBOT_SECRET = 'SECf00dfeed0robot0signing0secret0123456789abcdef';
const ACCESS_TOKEN = 'a11ce5500t0ken0of0the0robot0fedcba9876543210';
const ALERTMANAGER_TOKEN = 'am0bearer0token0000111122223333';
const FUNCTION_SECRET = 'fn0secret0of0the0connector0444455556666';
const SECRETS = [ROBOT_SECRET, ACCESS_TOKEN, ALERTMANAGER_TOKEN, FUNCTION_SECRET];

/** Alertmanager's webhook payload, version 4, with 2 firing alerts. */
const alertBody = (name = 'ToolflowTaskFailures') =>
  JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${name}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'toolflow-dingtalk',
    groupLabels: { alertname: name },
    commonLabels: { alertname: name, severity: 'warning' },
    commonAnnotations: { summary: 'tasks fail' },
    externalURL: 'http://alertmanager.example:9093',
    alerts: [0, 1].map((i) => ({
      status: 'firing',
      labels: { alertname: name, severity: 'warning', instance: `node-${i}` },
      annotations: { summary: `failures on node-${i}` },
      startsAt: '2026-05-01T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph',
      fingerprint: `f${i}`,
    })),
  });

const alertmanager = (body: string, token?: string): Message => ({ headers: { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.27.0', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
const withSecret = (m: Message): Message => ({ headers: { ...m.headers, authorization: `Bearer ${FUNCTION_SECRET}` }, body: m.body });

describe('the notify function over HTTP', () => {
  const home = tempDir('toolflow-notify-fn-');
  let robot: DingTalkServer;
  const procs: FunctionProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    robot = await startDingTalkServer();
    robot.addRobot(ACCESS_TOKEN, { secret: ROBOT_SECRET, keywords: ['toolflow'] });
    env = {
      TOOLFLOW_HOME: home,
      TOOLFLOW_LOG_LEVEL: 'debug',
      TOOLFLOW_NOTIFY_DINGTALK_URL: robot.robotUrl(ACCESS_TOKEN),
      TOOLFLOW_NOTIFY_DINGTALK_SECRET: ROBOT_SECRET,
      TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN: ALERTMANAGER_TOKEN,
      TOOLFLOW_FUNCTION_SECRET: FUNCTION_SECRET,
    };
  });
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await robot.close();
  });

  const start = async (args: (port: number) => string[]) => {
    const p = await startFunctionProcess(args, env);
    procs.push(p);
    return p;
  };

  describe.each([
    ['node dist/functions/notify/index.js', (_port: number) => [MODULE], '/alertmanager'],
    ['toolflow function notify', (port: number) => [BIN, 'function', 'notify', '--port', String(port)], '/'],
  ])('%s', (_name, args, path) => {
    let fn: FunctionProcess;
    beforeAll(async () => {
      fn = await start(args);
    });

    it('refuses an Alertmanager webhook without the token, or with another, 401; takes it with the token: 200, and the robot got it', async () => {
      const none = await post(`${fn.url}${path}`, alertmanager(alertBody()));
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('no bearer token') });
      const wrong = await post(`${fn.url}${path}`, alertmanager(alertBody(), `${ALERTMANAGER_TOKEN}x`));
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('a wrong bearer token') });
      // The function secret is not Alertmanager's token.
      expect((await post(`${fn.url}${path}`, alertmanager(alertBody(), FUNCTION_SECRET))).status).toBe(401);
      const before = robot.messages.length;
      const name = `Alert${Math.random().toString(36).slice(2, 8)}`;
      const ok = await post(`${fn.url}${path}`, alertmanager(alertBody(name), ALERTMANAGER_TOKEN));
      expect([ok.status, ok.body]).toEqual([200, { status: 'sent', targets: [{ target: 'robot 1', outcome: 'sent' }] }]);
      expect(robot.messages.length).toBe(before + 1);
      expect(robot.messages.at(-1)!.title).toBe(`toolflow alert: [FIRING:2] ${name}`);
      // Alertmanager sending the same body again (its retry) is not a second message.
      const again = await post(`${fn.url}${path}`, alertmanager(alertBody(name), ALERTMANAGER_TOKEN));
      expect([again.status, again.body]).toEqual([200, { status: 'sent', targets: [{ target: 'robot 1', outcome: 'already' }] }]);
      expect(robot.messages.length).toBe(before + 1);
    });

    it('refuses what is not Alertmanager’s payload version 4: 400', async () => {
      // Under faas-js-runtime its own JSON parser refuses such a body before the function runs (its 400 format).
      const notJson = await post(`${fn.url}${path}`, alertmanager('{"version": "4", ', ALERTMANAGER_TOKEN));
      expect(notJson.status).toBe(400);
      if (path !== '/') expect((notJson.body as { code: string }).code).toBe('BAD_REQUEST');
      const v3 = await post(`${fn.url}${path}`, alertmanager(JSON.stringify({ version: '3', status: 'firing', alerts: [] }), ALERTMANAGER_TOKEN));
      expect(v3.status).toBe(400);
      expect((v3.body as { message: string }).message).toContain('version "3" is not taken');
    });

    it('takes a task.failed CloudEvent with the function secret only: 401 without, 202 with, in binary and structured mode', async () => {
      const e = taskFailed(Math.random().toString(16).slice(2, 14).padEnd(12, '0'), 'the task failed');
      expect((await post(fn.url, binary(e))).status).toBe(401);
      const before = robot.messages.length;
      const r = await post(fn.url, withSecret(binary(e)));
      expect([r.status, r.text]).toEqual([202, '']);
      expect(robot.messages.length).toBe(before + 1);
      expect(robot.messages.at(-1)!.title).toBe(`toolflow: task failed: ${e.data.taskId}`);
      // A redelivery of the same event (structured mode this time) sends nothing more.
      expect((await post(fn.url, withSecret(structured(e)))).status).toBe(202);
      expect(robot.messages.length).toBe(before + 1);
    });

    it('a refusal by the robot is 400 NOTIFICATION_REFUSED for an event (dead-letter it) and 422 for Alertmanager (do not send again)', async () => {
      robot.script(ACCESS_TOKEN, ERRCODES.signNotMatch, ERRCODES.keywordsNotInContent);
      const r = await post(fn.url, withSecret(binary(taskFailed('0000000000ff', 'x'))));
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'NOTIFICATION_REFUSED', message: expect.stringContaining('errcode 310000 sign not match') });
      const a = await post(`${fn.url}${path}`, alertmanager(alertBody('Refused'), ALERTMANAGER_TOKEN));
      expect(a.status).toBe(422);
      expect(a.body).toMatchObject({ code: 'NOTIFICATION_REFUSED', message: expect.stringContaining('keywords not in content') });
    });

    it('is ready without any backend but its store, and nothing it printed holds a secret', async () => {
      expect((await fetch(`${fn.url}/health/readiness`)).status).toBe(200);
      const out = fn.stderr();
      expect(out.length).toBeGreaterThan(0);
      for (const s of SECRETS) expect(out).not.toContain(s);
      expect(out).not.toMatch(/[?&]sign=/);
      expect(out).toContain('access_token=***');
    });
  });

  it('bad settings refuse the start (exit 2), naming the variable', async () => {
    const r = await exec('node', [MODULE], { env: { ...process.env, ...env, TOOLFLOW_NOTIFY_EVENTS: 'task.exploded', http_port: '0' } }).catch((e: unknown) => e as { code: number; stderr: string });
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stderr: string }).stderr).toContain('TOOLFLOW_NOTIFY_EVENTS: "task.exploded" is not an event that notifies; use some of task.failed, task.succeeded, task.cancelled, tool.failed, tool.retrying, or none');
    const short = await exec('node', [MODULE], { env: { ...process.env, ...env, TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN: 'short', http_port: '0' } }).catch((e: unknown) => e as { code: number; stderr: string });
    expect((short as { stderr: string }).stderr).toContain('TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN must be at least 16 characters');
  });
});
