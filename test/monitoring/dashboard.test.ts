/**
 * Every query of toolflow's Grafana dashboard, run by a real Prometheus (Debian's `prometheus`)
 * scraping a real services-mode toolflow (issue 12 §3): `toolflow dev` on MariaDB, RabbitMQ, etcd
 * and S3 (s3rver behind a proxy that can hang), with a DingTalk-like robot on loopback. The run
 * makes every metric the dashboard reads move, each by the real path:
 *
 * - an upload, a task that succeeds on it, the same task again (a cache hit), one that fails (exit 3; notify tells the robot, which
 *   answers 500 three times first: an event failure), the oom-rerun example (a rerun for oom);
 * - a message on the broker that is not a CloudEvent (a dead letter);
 * - a task whose second tool stages its input while S3 hangs: it never starts (undelivered);
 * - a `toolflow run` SIGKILLed while its tool runs, taken over by `toolflow resume` with
 *   TOOLFLOW_METRICS_PORT: the attempt is lost (keepalives lost), scraped from resume's server.
 *
 * Then each toolflow query of the dashboard, with Grafana's variables interpolated, must parse and
 * return data; each query on kube-state-metrics and cAdvisor must parse (no such exporter runs here:
 * generated.test.ts checks their names and labels against monitoring/exporter-metrics.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as amqpConnect } from 'amqplib';
import type { Dashboard } from '@grafana/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpNames } from '../../shared/events/amqp-binding.js';
import { openStore } from '../../shared/store/open-store.js';
import { EXPORTER_METRICS } from '../../monitoring/exporter-metrics.js';
import { DASHBOARD_JSON } from '../../monitoring/generate.js';
import { ROOT } from '../deploy/manifests.js';
import { freePort } from '../http/helpers.js';
import { startToolflow, toolflow } from '../support/cli.js';
import { startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { AMQP_URL, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';
import { dashboardQueries } from './dashboard-model.js';
import { interpolate } from './promql.js';
import { startPrometheus, waitFor, type Prometheus } from './prometheus-server.js';
import { startServicesDev, type ServicesDev } from './services-run.js';

const ROBOT_TOKEN = 'monitoring0robot0access0token0000000000000000';
const ROBOT_SECRET = 'SECmonitoring0robot0signing0secret000000000000000';
const dashboard = JSON.parse(readFileSync(join(ROOT, DASHBOARD_JSON), 'utf8')) as Dashboard;
const queries = dashboardQueries(dashboard);
/** As Grafana would interpolate them over a 1-hour range with a 1 s scrape interval; All tools. */
const VARIABLES = { rateInterval: '1m', range: '1h', window: '1h', tool: '.*', namespace: 'toolflow' };

describe.skipIf(skipped('mysql') || skipped('rabbitmq') || skipped('etcd'))('the dashboard’s queries on a real Prometheus scraping a real services-mode run', () => {
  let robot: DingTalkServer;
  let dev: ServicesDev;
  let prometheus: Prometheus;
  let resumePort: number;
  const dir = tempDir();

  beforeAll(async () => {
    robot = await startDingTalkServer();
    robot.addRobot(ROBOT_TOKEN, { secret: ROBOT_SECRET, keywords: ['toolflow'] });
    dev = await startServicesDev(
      {
        TOOLFLOW_NOTIFY_DINGTALK_URL: robot.robotUrl(ROBOT_TOKEN),
        TOOLFLOW_NOTIFY_DINGTALK_SECRET: ROBOT_SECRET,
        // A tool whose input cannot be staged is undelivered after 10 s, not 120.
        TOOLFLOW_START_TIMEOUT_SECONDS: '10',
        TOOLFLOW_LOCK_TTL_SECONDS: '2',
      },
      { s3: true },
    );
    resumePort = await freePort();
    prometheus = await startPrometheus({
      jobs: [
        { job: 'toolflow', targets: [dev.target], labels: { component: 'dev' } },
        { job: 'toolflow-resume', targets: [`127.0.0.1:${resumePort}`], labels: { component: 'resume' } },
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await robot?.close();
  });

  it('runs the tasks and faults that move every metric, and Prometheus scrapes them', async () => {
    const ann = await dev.auth('ann');
    // An upload, and a task that reads it.
    const up = await fetch(`${dev.base}/v1/uploads?name=data.txt`, { method: 'POST', headers: ann, body: 'some bytes to count\n'.repeat(1000) });
    expect(up.status, await up.clone().text()).toBe(201);
    const { uploadId } = (await up.json()) as { uploadId: string };
    const reader = 'name: reader\ninputs:\n  data: {type: file, required: true}\ntools:\n  - {name: count, cpu: 100m, mem: 16Mi, cmds: [\'wc -c < "$TF_INPUT_data" > n.txt\']}\n';
    const submitWith = async (yaml: string) => {
      const r = await fetch(`${dev.base}/v1/tasks?input=data=${uploadId}`, { method: 'POST', headers: { ...ann, 'content-type': 'application/yaml' }, body: yaml });
      expect(r.status, await r.clone().text()).toBe(202);
      return ((await r.json()) as { taskId: string }).taskId;
    };
    expect((await dev.ended(ann, await submitWith(reader))).status).toBe('succeeded');
    // The same again: a cache hit (counted apart from attempts, in toolflow_tool_cache_hits_total).
    expect((await dev.ended(ann, await submitWith(reader))).status).toBe('succeeded');

    // A failure: notify tells the robot, which refuses three times first (notify's tries in place),
    // so notify's handler fails once and the event is delivered again.
    robot.script(ROBOT_TOKEN, { status: 500 }, { status: 500 }, { status: 500 });
    const failing = await dev.submit(ann, 'name: failing\ntools:\n  - {name: broken, cpu: 100m, mem: 16Mi, cmds: ["exit 3"]}\n');
    const failed = await dev.ended(ann, failing);
    expect(failed.tools[0]!.attempts.at(-1)).toMatchObject({ status: 'failed', reason: 'exit' });
    await waitFor(async () => robot.messages.find((m) => m.title.includes(failing)), 30_000, 'the robot to get the failed task');

    // Out of memory at 64M, rerun with more.
    const oom = await dev.ended(ann, await dev.submit(ann, readFileSync(join(ROOT, 'examples/oom-rerun/workflow.yaml'), 'utf8')));
    expect(oom.tools[0]!.attempts.map((a) => a.reason)).toContain('oom');

    // A message that is not a CloudEvent, where notify's queue takes task.failed: dead-lettered at once.
    const c = await amqpConnect(AMQP_URL);
    const ch = await c.createConfirmChannel();
    ch.publish(amqpNames(dev.namespace).exchange, 'io.toolflow.task.failed.000000000000', Buffer.from('not a CloudEvent'), { contentType: 'text/plain' });
    await ch.waitForConfirms();
    await c.close();

    // Undelivered: S3 hangs while the tool's input is staged (downloaded for the task's first attempt).
    dev.s3!.hang = true;
    // (not the reader's command: that one is cached for this input, and a cache hit stages nothing)
    const staged = await submitWith('name: staged\ninputs:\n  data: {type: file, required: true}\ntools:\n  - {name: lines, cpu: 100m, mem: 16Mi, retry: {max: 1}, cmds: [\'wc -l < "$TF_INPUT_data" > lines.txt\']}\n');
    const undelivered = await dev.ended(ann, staged);
    dev.s3!.hang = false;
    expect(undelivered.tools[0]!.attempts[0]).toMatchObject({ status: 'failed', reason: 'undelivered' });

    // Lost: a run killed while its tool runs, taken over by resume (which serves /metrics meanwhile).
    const wf = join(dir, 'lost.yaml');
    writeFileSync(wf, 'name: lost\ntools:\n  - {name: sleeper, cpu: 100m, mem: 16Mi, cmds: [\'if [ "$TF_ATTEMPT" = 1 ]; then sleep 60; else sleep 4; fi\']}\n');
    const run = startToolflow(['run', wf, '--json', '--no-cache'], dev.env);
    const store = await openStore(dev.env.TOOLFLOW_DATABASE_URL!);
    try {
      const taskId = await waitFor(
        async () => {
          const [task] = await store.listTasks(1);
          return task?.name === 'lost' && (await store.listToolRuns(task.id)).some((r) => r.status === 'running') ? task.id : undefined;
        },
        30_000,
        'the run’s tool to start',
      );
      run.child.kill('SIGKILL');
      await run.exitCode;
      const resumed = await toolflow(['resume', taskId, '--json'], { ...dev.env, TOOLFLOW_METRICS_PORT: `127.0.0.1:${resumePort}` });
      expect(resumed.code, resumed.stderr).toBe(0);
      const runs = (await store.listToolRuns(taskId)).map((r) => `${r.attempt}/${r.status}/${r.reason}`);
      expect([runs[0], runs.at(-1)]).toEqual(['1/failed/lost', `${runs.length}/succeeded/null`]);
    } finally {
      await store.close();
    }

    // Prometheus has scraped each of them (the resume's server is gone by now: its last samples count).
    for (const expr of [
      'toolflow_uploads_total{status="successful"}',
      'toolflow_tool_cache_hits_total{tool="count"} == 1',
      'toolflow_tool_reruns_total{reason="oom"}',
      'toolflow_event_failures_total{function="notify"}',
      'toolflow_events_dead_lettered_total',
      'toolflow_tools_undelivered_total{tool="lines"}',
      'toolflow_notifications_total{channel="dingtalk", outcome="sent"}',
      'max_over_time(toolflow_keepalives_lost_total{tool="sleeper", job="toolflow-resume"}[10m])',
    ]) {
      await waitFor(async () => ((await prometheus.query(expr)).data?.result as unknown[] | undefined)?.length || undefined, 30_000, `Prometheus to have ${expr}`);
    }
  }, 300_000);

  it.each(queries.filter((q) => q.source === 'toolflow').map((q) => [`${q.panel} ${q.refId}`, q] as const))('%s parses and returns data', async (_name, q) => {
    const expr = interpolate(q.expr, VARIABLES);
    const answer = await prometheus.query(expr);
    expect(answer, expr).toMatchObject({ status: 'success' });
    expect(answer.data!.resultType, expr).toBe('vector');
    expect((answer.data!.result as unknown[]).length, `${expr} returned no data`).toBeGreaterThan(0);
  });

  it.each(queries.filter((q) => q.source === 'exporter').map((q) => [`${q.panel} ${q.refId}`, q] as const))('%s (kube-state-metrics, cAdvisor) parses', async (_name, q) => {
    const expr = interpolate(q.expr, VARIABLES);
    expect(await prometheus.query(expr), expr).toMatchObject({ status: 'success', data: { resultType: 'vector' } });
  });

  it('the variables’ label_values queries: toolflow’s returns the tools that ran; the exporter’s names a listed metric and label', async () => {
    const variables = (dashboard.templating?.list ?? []).filter((v) => v.type === 'query');
    expect(variables.map((v) => v.name)).toEqual(['tool', 'namespace']);
    for (const v of variables) {
      const [, metric, label] = /^label_values\((\w+), (\w+)\)$/.exec((v.query as { query: string }).query)!;
      if (metric!.startsWith('toolflow_')) {
        const r = (await (await fetch(`${prometheus.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': metric! })}`)).json()) as { data: string[] };
        expect(r.data).toEqual(expect.arrayContaining(['count', 'broken', 'hold_in_memory', 'lines', 'sleeper']));
      } else {
        expect(EXPORTER_METRICS[metric!]?.labels, `${metric} ${label}`).toContain(label);
      }
    }
  });

  it('a query that does not parse is an error from Prometheus (the checks above are not vacuous)', async () => {
    expect(await prometheus.query('sum by (tool (rate(toolflow_tool_attempts_total[1m]))')).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(((await prometheus.query('toolflow_tool_attempts_totl')).data!.result as unknown[]).length).toBe(0);
  });
});
