/**
 * Issue 12 §2: a whole services-mode deployment on this machine at `TOOLFLOW_LOG_LEVEL=trace`, each
 * part its own process as in a cluster — the four shared functions (`toolflow function NAME`),
 * `toolflow connector` feeding them from RabbitMQ, `toolflow dev --external-functions` (the user
 * API and the task host: work managers, schedule-tool, the local executor) — plus the CLI
 * (`token create`, `upload --server`, `run`, `status`, `logs`), over MariaDB, RabbitMQ, etcd and
 * radosgw, each with credentials of this test's own (`credentials.ts`). Tasks succeed, time out and
 * are rerun, fail (notify sends to a loopback DingTalk robot that signs, and fails once), an
 * Alertmanager webhook comes, and requests with wrong credentials are refused.
 *
 * Then every byte every process wrote, stdout and stderr, is searched for each secret it was given
 * or sent: none is found. And the JSON lines carry what a line about a task, a tool, an attempt or
 * a function should: `taskId`, `tool`, `attempt`, `function` as top-level fields; the services'
 * lines are on stdout, the CLI's on stderr (its stdout is the result).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRgw } from '../support/rgw.js';
import { startDingTalkServer, ERRCODES, type DingTalkServer } from '../support/dingtalk-server.js';
import { deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';
import { freePort } from '../http/helpers.js';
import { etcdWithPassword, mariadbUser, rabbitmqUser, rgwUserBucket, secret } from './credentials.js';
import { Processes, type LogLine } from './processes.js';

const all = !skipped('mysql') && !skipped('rabbitmq') && !skipped('etcd');
const SHARED = ['enqueue', 'handle-status', 'rerun-policy', 'notify'] as const;
const ENDED = ['succeeded', 'failed', 'cancelled'];

describe.skipIf(!all)('secrets never reach the logs of a services-mode run at trace level', () => {
  const procs = new Processes();
  const cleanups: (() => Promise<void>)[] = [];
  const namespace = runPrefix();
  const home = tempDir('toolflow-logs-');
  let env: NodeJS.ProcessEnv;
  let robot: DingTalkServer;
  /** Every secret of the run, by what it is. */
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    await requireRabbitmq();
    const db = await freshMysqlDatabase();
    cleanups.push(() => db.drop());
    const mdb = await mariadbUser(new URL(db.url).pathname.slice(1));
    cleanups.push(() => mdb.remove());
    const amqp = await rabbitmqUser();
    cleanups.push(() => amqp.remove());
    cleanups.push(() => deleteAmqpNamespace(namespace, [...SHARED]));
    const etcd = await etcdWithPassword();
    cleanups.push(() => etcd.remove());
    const s3 = await rgwUserBucket(await ensureRgw(), `tf-logs-${namespace}`);
    cleanups.push(() => s3.remove());
    robot = await startDingTalkServer();
    cleanups.push(() => robot.close());
    const accessToken = secret('dtat');
    const robotSecret = `SEC${randomBytes(16).toString('hex')}`;
    robot.addRobot(accessToken, { secret: robotSecret });
    robot.script(accessToken, ERRCODES.busy); // the first message fails once: notify's retry is logged
    Object.assign(secrets, {
      'MariaDB password': mdb.password,
      'RabbitMQ password': amqp.password,
      'etcd password': etcd.password,
      'S3 secret key': s3.rgw.secretAccessKey,
      'function secret': secret('fnsecret'),
      'DingTalk access_token': accessToken,
      'DingTalk signing secret': robotSecret,
      'Alertmanager token': secret('amtoken'),
      'a wrong bearer token': secret('wrongtok'),
      'a token in a query string': secret('querytok'),
      'a wrong function secret': secret('wrongfn'),
    });
    env = {
      ...process.env,
      TOOLFLOW_HOME: join(home, 'home'),
      TOOLFLOW_DATABASE_URL: mdb.url,
      TOOLFLOW_AMQP_URL: amqp.url,
      TOOLFLOW_ETCD_ENDPOINTS: etcd.endpoints,
      TOOLFLOW_S3_BUCKET: s3.bucket.name,
      TOOLFLOW_S3_ENDPOINT: s3.rgw.endpoint,
      AWS_ACCESS_KEY_ID: s3.rgw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.rgw.secretAccessKey,
      TOOLFLOW_NAMESPACE: namespace,
      TOOLFLOW_FUNCTION_SECRET: secrets['function secret'],
      TOOLFLOW_NOTIFY_DINGTALK_URL: robot.robotUrl(accessToken),
      TOOLFLOW_NOTIFY_DINGTALK_SECRET: robotSecret,
      TOOLFLOW_NOTIFY_EVENTS: 'task.failed,tool.retrying',
      TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN: secrets['Alertmanager token'],
      TOOLFLOW_LOG_LEVEL: 'trace',
      TOOLFLOW_OWNER: 'ann',
      TOOLFLOW_METRICS_PORT: '',
    };
  }, 240_000);

  afterAll(async () => {
    procs.killAll();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('runs tasks that succeed, time out, are rerun and fail, and no process wrote a secret; the lines carry taskId, tool, attempt and function', async () => {
    // The deployment: the shared functions, the connector, dev hosting the tasks and the API.
    const ports: Record<string, number> = {};
    for (const name of SHARED) {
      ports[name] = await freePort();
      await procs.start(`function ${name}`, ['function', name, '--port', String(ports[name])], env, /listening on/);
    }
    const targets = SHARED.flatMap((n) => ['--target', `${n}=http://127.0.0.1:${ports[n]}/`]);
    await procs.start('connector', ['connector', ...targets], { ...env, TOOLFLOW_METRICS_PORT: '127.0.0.1:0' }, /delivering from RabbitMQ/);
    const dev = await procs.start('dev', ['dev', '--port', '0', '--external-functions'], env, /listening on (http:\/\/\S+)/);
    const base = dev.match[1]!;

    const created = await procs.run('token create', ['token', 'create', '--owner', 'ann'], env, false);
    expect(created.code, created.stderr).toBe(0);
    secrets['bearer token'] = created.stdout.trim().split('\n').at(-1)!;
    const ann = { authorization: `Bearer ${secrets['bearer token']}` };

    // An input uploaded over tus into radosgw, with the token from the environment.
    const file = join(home, 'numbers.txt');
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => `${i}\n`).join(''));
    const up = await procs.run('upload', ['upload', '--server', base, file], { ...env, TOOLFLOW_TOKEN: secrets['bearer token'] });
    expect(up.code, up.stderr).toBe(0);
    const uploadId = up.stdout.split('\t')[0]!;

    const submit = async (workflow: string, inputs: Record<string, string> = {}) => {
      const r = await fetch(`${base}/v1/tasks`, { method: 'POST', headers: { ...ann, 'content-type': 'application/json' }, body: JSON.stringify({ workflow, inputs }) });
      const body = (await r.json()) as { taskId: string };
      expect(r.status, JSON.stringify(body)).toBe(202);
      return body.taskId;
    };
    const ok = await submit(
      'name: counts\ninputs:\n  numbers: {type: file, required: true}\ntools:\n  - {name: head, cpu: 100m, mem: 64Mi, outputs: [head.txt], cmds: [\'head -n 10 "$TF_INPUT_numbers" > head.txt\']}\n  - {name: count, cpu: 100m, mem: 64Mi, rely: [head], cmds: [\'wc -l < "$TF_DEP_head/head.txt"\']}\n',
      { numbers: uploadId },
    );
    const slow = await submit('name: slow\ntools:\n  - {name: sleeper, cpu: 100m, mem: 64Mi, time: 1s, retry: {max: 2, on: [timeout]}, cmds: ["sleep 30"]}\n');

    // Requests with credentials that are refused, or carried where they must not be logged.
    expect((await fetch(`${base}/v1/tasks`, { headers: { authorization: `Bearer ${secrets['a wrong bearer token']}` } })).status).toBe(401);
    expect((await fetch(`${base}/v1/tasks?access_token=${secrets['a token in a query string']}`, { headers: ann })).status).toBeLessThan(500);
    const forged = await fetch(`http://127.0.0.1:${ports['handle-status']}/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets['a wrong function secret']}`, 'content-type': 'application/json', 'ce-id': 'x1', 'ce-type': 'io.toolflow.task.failed', 'ce-source': '/x', 'ce-specversion': '1.0' },
      body: JSON.stringify({ taskId: ok, error: 'forged' }),
    });
    expect(forged.status).toBe(401);
    const alert = { version: '4', status: 'firing', receiver: 'toolflow', groupKey: 'k', truncatedAlerts: 0, groupLabels: { alertname: 'LogsTest' }, commonLabels: { alertname: 'LogsTest' }, commonAnnotations: {}, externalURL: 'http://alertmanager.local', alerts: [{ status: 'firing', labels: { alertname: 'LogsTest' }, annotations: { summary: 'a test alert' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus.local/graph', fingerprint: 'f1' }] };
    for (const token of [secrets['Alertmanager token'], secrets['a wrong bearer token']]) {
      await fetch(`http://127.0.0.1:${ports.notify}/`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(alert) });
    }

    const ended = async (taskId: string) => {
      for (const t0 = Date.now(); Date.now() - t0 < 90_000; await new Promise((r) => setTimeout(r, 250))) {
        const task = (await (await fetch(`${base}/v1/tasks/${taskId}`, { headers: ann })).json()) as { status: string };
        if (ENDED.includes(task.status)) return `${task.status}${task.status === 'succeeded' ? '' : ` ${JSON.stringify(task)}`}`;
      }
      throw new Error(`task ${taskId} did not end: ${dev.output.stdout.slice(-3000)}`);
    };
    expect(await ended(ok)).toBe('succeeded');
    expect(await ended(slow)).toMatch(/^failed /);

    // The CLI in services mode: a run (its functions in its own process too), status, logs.
    const wf = join(home, 'fails.yaml');
    writeFileSync(wf, 'name: fails\ntools:\n  - {name: bad, cpu: 100m, mem: 64Mi, cmds: ["echo oops >&2; exit 3"]}\n');
    const run = await procs.run('run', ['run', wf, '--json'], env);
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout) as { taskId: string; status: string };
    expect(result.status).toBe('failed');
    expect((await procs.run('status', ['status', ok, '--json'], env)).code).toBe(0);
    expect((await procs.run('logs', ['logs', ok, 'count'], env)).code).toBe(0);

    // notify: the failed tasks and the rerun reached the robot, signed (it checks), the alert too.
    for (const t0 = Date.now(); robot.messages.filter((m) => m.title.includes('task failed')).length < 2 && Date.now() - t0 < 60_000; ) await new Promise((r) => setTimeout(r, 250));
    expect(robot.messages.filter((m) => m.title.includes('task failed')).map((m) => m.title).sort()).toEqual([`toolflow: task failed: fails (${result.taskId})`, `toolflow: task failed: slow (${slow})`].sort());
    expect(robot.messages.some((m) => m.title.includes('LogsTest'))).toBe(true);
    expect(robot.requests.some((r) => r.errcode === ERRCODES.busy.errcode)).toBe(true);

    await procs.stopAll();
    // What every process wrote, for a failure's reader (TOOLFLOW_TEST_LOGS_DIR keeps it after the run).
    const kept = process.env.TOOLFLOW_TEST_LOGS_DIR ?? join(home, 'outputs');
    mkdirSync(kept, { recursive: true });
    for (const o of procs.outputs) for (const stream of ['stdout', 'stderr'] as const) writeFileSync(join(kept, `${o.name.replace(/\W+/g, '-')}.${stream}`), o[stream], { flag: 'a' });

    // 1. No secret anywhere: every output of every process, stdout and stderr, as written.
    for (const o of procs.outputs) {
      for (const [what, value] of Object.entries(secrets)) {
        for (const form of new Set([value, encodeURIComponent(value)])) {
          expect(o.stdout.includes(form), `${what} in the stdout of ${o.name}`).toBe(false);
          expect(o.stderr.includes(form), `${what} in the stderr of ${o.name}`).toBe(false);
        }
      }
      expect(`${o.stdout}${o.stderr}`, `a DingTalk signature in the output of ${o.name}`).not.toMatch(/[?&]sign=(?!\*\*\*)/);
    }

    // 2. The lines: services on stdout, the CLI's on stderr; TOOLFLOW_LOG_LEVEL=trace let debug lines through.
    const lines = procs.logLines();
    const of = (name: string) => lines.filter((l) => l.process === name);
    for (const name of ['dev', 'connector', ...SHARED.map((n) => `function ${n}`)]) {
      expect(of(name).length, `${name} logged`).toBeGreaterThan(0);
      expect(of(name).filter((l) => l.stream === 'stderr'), `${name}: JSON lines on stderr`).toEqual([]);
    }
    expect(of('run').length).toBeGreaterThan(0);
    expect(of('run').filter((l) => l.stream === 'stdout')).toEqual([]);
    expect(lines.some((l) => l.level === 20)).toBe(true);
    for (const l of lines) expect(typeof l.component, JSON.stringify(l)).toBe('string');
    // A function process's lines all name it.
    for (const name of SHARED) for (const l of of(`function ${name}`)) expect(l.function, JSON.stringify(l)).toBe(name);
    // Ids come together: an attempt with its tool and task, a tool with its task; each field once, typed.
    for (const l of lines) {
      if ('attempt' in l) expect([typeof l.attempt, typeof l.tool, typeof l.taskId], JSON.stringify(l)).toEqual(['number', 'string', 'string']);
      if ('tool' in l) expect(typeof l.taskId, JSON.stringify(l)).toBe('string');
    }
    const has = (name: string, test: (l: LogLine) => boolean) => of(name).some(test) || (console.error(`no such line of ${name}; the outputs are in ${kept}`), false);
    // Each shared function's handling of a tool event names the task, the tool and the attempt.
    expect(has('function handle-status', (l) => l.msg === 'event handled' && l.taskId === slow && l.tool === 'sleeper' && l.attempt === 2)).toBe(true);
    expect(has('function rerun-policy', (l) => l.msg === 'event handled' && l.taskId === slow && l.tool === 'sleeper' && l.attempt === 1)).toBe(true);
    expect(has('function notify', (l) => l.msg === 'notify: sent' && l.taskId === slow)).toBe(true);
    expect(has('function enqueue', (l) => l.msg === 'event handled' && l.taskId === ok)).toBe(true);
    // The task host: schedule-tool per attempt, the work manager's reports and its time limit.
    expect(has('dev', (l) => l.function === 'schedule-tool' && l.taskId === ok && l.tool === 'count' && l.attempt === 1)).toBe(true);
    expect(has('dev', (l) => l.msg === 'exit report received' && l.taskId === ok && l.tool === 'head' && l.attempt === 1)).toBe(true);
    expect(has('dev', (l) => l.msg === 'time limit reached' && l.taskId === slow && l.tool === 'sleeper' && l.attempt === 2)).toBe(true);
    // The CLI's run logs its in-process functions' lines on stderr, with the same fields.
    expect(has('run', (l) => l.msg === 'event handled' && l.taskId === result.taskId && l.tool === 'bad' && l.attempt === 1)).toBe(true);
  }, 300_000);
});
