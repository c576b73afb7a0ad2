/**
 * An alert from end to end (issue 12 §4), every part a real program on loopback: a services-mode
 * `toolflow dev` whose tasks fail; Prometheus (Debian's `prometheus`) scraping it and evaluating
 * toolflow's rules; Alertmanager (Debian's `prometheus-alertmanager`) posting the alert to the
 * notify function's webhook with its bearer token; notify (`toolflow function notify`) signing a
 * message to a DingTalk-like robot (test/support/dingtalk-server.ts), which checks the signature as
 * DingTalk does.
 *
 * The rules are monitoring/prometheus/toolflow-rules.yml with every `for:` cut to 1 s (a test does
 * not wait 5 minutes); the expressions are the file's own, unchanged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT } from '../deploy/manifests.js';
import { startFunctionProcess, type FunctionProcess } from '../http/helpers.js';
import { BIN } from '../support/cli.js';
import { startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';
import { startAlertmanager, startPrometheus, waitFor, type Alertmanager, type Prometheus } from './prometheus-server.js';
import { startServicesDev, type ServicesDev } from './services-run.js';

const ROBOT_TOKEN = 'alerts0robot0access0token000000000000000000000';
const ROBOT_SECRET = 'SECalerts0robot0signing0secret00000000000000000000';
const ALERTMANAGER_TOKEN = 'alertmanager0bearer0token0of0the0alerts0test';

interface RulesFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; for?: string }[] }[];
}

describe.skipIf(skipped('mysql') || skipped('rabbitmq') || skipped('etcd'))('a failing run fires ToolflowWorkflowFailureRateHigh, and the alert reaches a DingTalk robot through Alertmanager and notify', () => {
  const dir = tempDir();
  let robot: DingTalkServer;
  let notify: FunctionProcess;
  let dev: ServicesDev;
  let alertmanager: Alertmanager;
  let prometheus: Prometheus;
  const real = parse(readFileSync(join(ROOT, 'monitoring/prometheus/toolflow-rules.yml'), 'utf8')) as RulesFile;

  beforeAll(async () => {
    robot = await startDingTalkServer();
    robot.addRobot(ROBOT_TOKEN, { secret: ROBOT_SECRET, keywords: ['toolflow'] });
    notify = await startFunctionProcess((port) => [BIN, 'function', 'notify', '--port', String(port)], {
      TOOLFLOW_HOME: join(dir, 'notify-home'),
      TOOLFLOW_NOTIFY_DINGTALK_URL: robot.robotUrl(ROBOT_TOKEN),
      TOOLFLOW_NOTIFY_DINGTALK_SECRET: ROBOT_SECRET,
      TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN: ALERTMANAGER_TOKEN,
    });
    writeFileSync(join(dir, 'notify-token'), ALERTMANAGER_TOKEN);
    alertmanager = await startAlertmanager({
      route: { receiver: 'toolflow', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
      receivers: [
        {
          name: 'toolflow',
          webhook_configs: [{ url: `${notify.url}/`, send_resolved: true, max_alerts: 20, http_config: { authorization: { type: 'Bearer', credentials_file: join(dir, 'notify-token') } } }],
        },
      ],
    });
    dev = await startServicesDev({});
    // The real rules, each `for:` cut to 1 s.
    const fast: RulesFile = structuredClone(real);
    for (const g of fast.groups) for (const r of g.rules) if (r.for) r.for = '1s';
    writeFileSync(join(dir, 'toolflow-rules.yml'), stringify(fast, { lineWidth: 0 }));
    prometheus = await startPrometheus({ jobs: [{ job: 'toolflow', targets: [dev.target] }], ruleFiles: [join(dir, 'toolflow-rules.yml')], alertmanager: alertmanager.url });
  }, 120_000);
  afterAll(async () => {
    notify?.child.kill('SIGTERM');
    await robot?.close();
  });

  it('the rules under test are the real ones but for their for: durations', () => {
    const fast = parse(readFileSync(join(dir, 'toolflow-rules.yml'), 'utf8')) as RulesFile;
    const strip = (f: RulesFile) => f.groups.flatMap((g) => g.rules.map(({ for: _for, ...rest }) => rest));
    expect(strip(fast)).toEqual(strip(real));
    expect(fast.groups[0]!.rules.filter((r) => r.alert).every((r) => r.for === '1s')).toBe(true);
  });

  it('three failed tasks: Prometheus fires the alert, Alertmanager posts it to notify, and the robot gets it, signed', async () => {
    const ann = await dev.auth('ann');
    for (let i = 0; i < 3; i++) {
      const taskId = await dev.submit(ann, `name: broken-${i}\ntools:\n  - {name: fails, cpu: 100m, mem: 16Mi, cmds: ["echo no input >&2; exit 3"]}\n`);
      expect((await dev.ended(ann, taskId)).status).toBe('failed');
    }
    // Prometheus: the recorded count, then the alert firing.
    await waitFor(
      async () => {
        const r = await prometheus.query('namespace_status:toolflow_tasks_finished:increase30m{status="failed"}');
        return (r.data?.result as { value: [number, string] }[] | undefined)?.[0]?.value[1] === '3' ? true : undefined;
      },
      60_000,
      'three failed tasks in the recorded count',
    );
    const firing = await waitFor(
      async () => {
        const r = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
        return r.data.alerts.find((a) => a.labels.alertname === 'ToolflowWorkflowFailureRateHigh' && a.state === 'firing');
      },
      60_000,
      'Prometheus to fire ToolflowWorkflowFailureRateHigh',
    );
    expect(firing.labels).toMatchObject({ severity: 'warning' });
    // Alertmanager has it, and notify has passed it on.
    const inAlertmanager = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
    expect(inAlertmanager.map((a) => a.labels.alertname)).toContain('ToolflowWorkflowFailureRateHigh');
    const message = await waitFor(async () => robot.messages.find((m) => m.title === 'toolflow alert: [FIRING:1] ToolflowWorkflowFailureRateHigh'), 60_000, 'the robot to get the alert');
    expect(message.token).toBe(ROBOT_TOKEN);
    expect(message.text).toContain('toolflow: 100% of the tasks that ended in the last 30 minutes failed');
    expect(message.text).toContain('severity');
    // The robot refused nothing: signed with its secret, a fresh timestamp, the keyword in it, well formed.
    const sent = robot.requests.filter((r) => r.body.includes('ToolflowWorkflowFailureRateHigh'));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.status === 200 && r.errcode === 0 && /[?&]sign=/.test(r.rawQuery) && /[?&]timestamp=\d{13}(&|$)/.test(r.rawQuery))).toBe(true);
    expect(robot.violations).toEqual([]);
    // Alertmanager's log shows no failed notification (a 401 or a 4xx from notify would be there).
    expect(alertmanager.log()).not.toMatch(/level=error.*Notify/i);
    expect(notify.stderr()).not.toContain(ALERTMANAGER_TOKEN);
  }, 240_000);
});
