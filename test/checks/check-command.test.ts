/**
 * `toolflow check` (issue 12 §7) against a real Prometheus (Debian's, on loopback, scraping every
 * second: test/monitoring/prometheus-server.ts) fed by an exporter of known series
 * (fixture-exporter.ts: kube-state-metrics, cAdvisor and toolflow's own names), so the check's
 * range queries run for real: values below their limits exit 0 and send nothing; a limit passed
 * exits 1 and the loopback DingTalk robot gets one signed message (and the webhook its JSON);
 * --dry-run sends nothing; Prometheus down is exit 3; a query Prometheus refuses and bad settings
 * are exit 2. A long period (`--period 30d`, refused by Prometheus at a 60 s step: more than 11,000
 * points) runs at a longer step; Prometheus' error answers (a query it cannot parse, a resolution
 * too fine, `--query.max-samples` passed, a timeout) are messages naming the query and what to
 * change.
 */
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { tempDir } from '../support/tmp.js';
import { freePort } from '../http/helpers.js';
import { startPrometheus, waitFor, type Prometheus } from '../monitoring/prometheus-server.js';
import { startFixtureExporter, type FixtureExporter } from './fixture-exporter.js';
import { checkRange, MAX_POINTS, PROMETHEUS_MAX_POINTS } from '../../shared/checks/measure.js';
import { PrometheusQueryError, PrometheusUnreachableError, queryRange } from '../../shared/checks/prometheus-api.js';
import { prometheusAnswerError } from '../../shared/checks/prometheus-errors.js';

const GiB = 1024 ** 3;
const dir = tempDir('toolflow-check-');
const TOKEN = 'check-robot-token-7f3a';
const ROBOT_SECRET = 'SECcheck0123456789abcdef';

interface Report {
  status: string;
  period: string;
  from: string;
  to: string;
  step: number;
  checks: { check: string; query: string; value: number | null; limit?: number; over: boolean; series?: Record<string, string> }[];
  over: string[];
  warnings: string[];
  notification?: { title: string; sent: boolean | string; error?: string };
}

let exporter: FixtureExporter;
let prometheus: Prometheus;
let robot: DingTalkServer;
let webhook: Server;
const webhookBodies: Record<string, unknown>[] = [];
let webhookUrl: string;

/** The environment of a check: no setting of this machine's, the robot and the webhook, `extra` on top. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^TOOLFLOW_(CHECK|NOTIFY)_/.test(k)) base[k] = v;
  return { ...base, TOOLFLOW_NOTIFY_DINGTALK_URL: robot.robotUrl(TOKEN), TOOLFLOW_NOTIFY_DINGTALK_SECRET: ROBOT_SECRET, TOOLFLOW_NOTIFY_WEBHOOK_URL: webhookUrl, ...extra };
}

/** Limits the fixture's values are all within. */
const WITHIN = { TOOLFLOW_CHECK_RATE_WINDOW: '5s', TOOLFLOW_CHECK_MAX_PENDING_PODS: '1', TOOLFLOW_CHECK_PENDING_FOR: '60s', TOOLFLOW_CHECK_MAX_PODS: '3', TOOLFLOW_CHECK_MAX_CPU: '4', TOOLFLOW_CHECK_MAX_MEMORY: '4Gi', TOOLFLOW_CHECK_MAX_RUNNING_TOOLS: '7', TOOLFLOW_CHECK_MAX_QUEUE_DEPTH: '40' };

async function check(args: string[], extra: Record<string, string> = {}) {
  return toolflow(['check', ...args], env(extra));
}

beforeAll(async () => {
  const now = Math.floor(Date.now() / 1000);
  exporter = await startFixtureExporter({
    pods: [
      { namespace: 'toolflow', pod: 'wm-1', phase: 'Running', created: now - 7200 },
      { namespace: 'toolflow', pod: 'tool-1', phase: 'Pending', created: now - 3600 }, // Pending for an hour: counts
      { namespace: 'toolflow', pod: 'tool-2', phase: 'Pending', created: now }, // just made: does not
      { namespace: 'other', pod: 'x', phase: 'Pending', created: now - 3600 }, // another namespace: never counts
    ],
    cpuCores: 2.5,
    memoryBytes: 3 * GiB,
    toolsRunning: 7,
    queueDepth: { 'toolflow.enqueue': 12, 'toolflow.handle-status': 40 },
  });
  prometheus = await startPrometheus({ jobs: [{ job: 'fixtures', targets: [exporter.target] }] });
  robot = await startDingTalkServer();
  robot.addRobot(TOKEN, { secret: ROBOT_SECRET });
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      webhookBodies.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as { port: number }).port}/hooks/check`;
  // Enough samples for a rate: ten scrapes.
  await waitFor(async () => {
    const a = await prometheus.query('count_over_time(toolflow_tools_running[1m])');
    const result = a.data?.result as { value: [number, string] }[] | undefined;
    return result?.length && Number(result[0]!.value[1]) >= 10 ? true : undefined;
  }, 60_000, 'ten scrapes of the fixture');
}, 90_000);

afterAll(async () => {
  await exporter?.close();
  await robot?.close();
  await new Promise((r) => webhook?.close(r));
});

describe('toolflow check against a real Prometheus', () => {
  it('within every limit: exit 0, the values measured, nothing sent (cAdvisor’s Pod-level series and other namespaces left out)', async () => {
    const r = await check(['--prometheus', prometheus.url, '--period', '30s', '--json'], WITHIN);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const value = (c: string) => report.checks.find((m) => m.check === c)!;
    expect(report).toMatchObject({ status: 'ok', period: '30s', step: 1, over: [], warnings: [] });
    expect(value('pending-pods').value).toBe(1);
    expect(value('pods').value).toBe(3);
    expect(value('cpu').value).toBeGreaterThan(2.2);
    expect(value('cpu').value).toBeLessThan(2.8);
    expect(value('memory').value).toBe(3 * GiB);
    expect(value('running-tools').value).toBe(7);
    expect(value('queue-depth')).toMatchObject({ value: 40, series: { queue: 'toolflow.handle-status' } });
    expect(report.checks.every((m) => !m.over)).toBe(true);
    expect(report.notification).toBeUndefined();
    expect(robot.requests).toHaveLength(0);
    // The table for people.
    const table = await check(['--prometheus', prometheus.url, '--period', '30s'], WITHIN);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^memory\s+3Gi\s+4Gi\s+ok$/m);
    expect(table.stdout).toMatch(/^pending-pods\s+1\s+1\s+ok$/m);
  });

  it('limits passed: exit 1, one signed DingTalk message naming each, the webhook’s JSON of kind check', async () => {
    const before = robot.messages.length;
    const r = await check(['--prometheus', prometheus.url, '--period', '30s', '--json'], { ...WITHIN, TOOLFLOW_CHECK_MAX_MEMORY: '2Gi', TOOLFLOW_CHECK_MAX_QUEUE_DEPTH: '20', TOOLFLOW_CHECK_MAX_PENDING_PODS: '0' });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.over).toEqual(['pending-pods', 'memory', 'queue-depth']);
    expect(report.notification).toMatchObject({ title: 'toolflow check: 3 limits passed in toolflow', sent: true });
    expect(robot.messages.length - before).toBe(1); // the robot checked the signature
    const text = robot.messages.at(-1)!.text;
    expect(text).toContain('**memory**: 3Gi at');
    expect(text).toContain('above the limit 2Gi');
    expect(text).toContain('**queue-depth**: 40 in queue=toolflow.handle-status at');
    expect(text).toContain('**pending-pods**: 1 at');
    expect(r.stderr).toContain('toolflow check: notified: toolflow check: 3 limits passed in toolflow');
    const hook = webhookBodies.at(-1)!;
    expect(hook).toMatchObject({ source: 'toolflow', kind: 'check', title: 'toolflow check: 3 limits passed in toolflow', check: { status: 'over', over: ['pending-pods', 'memory', 'queue-depth'] } });
  });

  it('--dry-run: exit 1 when a limit is passed, and nothing is sent', async () => {
    const before = robot.requests.length;
    const hooks = webhookBodies.length;
    const r = await check(['--prometheus', prometheus.url, '--period', '30s', '--dry-run', '--json'], { ...WITHIN, TOOLFLOW_CHECK_MAX_CPU: '2' });
    expect(r.code, r.stderr).toBe(1);
    expect((JSON.parse(r.stdout) as Report).notification).toEqual({ title: 'toolflow check: 1 limit passed in toolflow', sent: 'dry-run' });
    expect(robot.requests.length).toBe(before);
    expect(webhookBodies.length).toBe(hooks);
  });

  it('settings from a --config file, the environment winning over it; the flag over both', async () => {
    const file = join(dir, 'check.yaml');
    writeFileSync(file, `prometheus: http://127.0.0.1:1\nnamespace: toolflow\nperiod: 30s\nrateWindow: 5s\nlimits:\n  pods: 2\n  memory: 4Gi\n`);
    const r = await check(['--config', file, '--prometheus', prometheus.url, '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.over).toEqual(['pending-pods', 'pods']);
    expect(report.checks.find((m) => m.check === 'memory')).toMatchObject({ limit: 4 * GiB, over: false });
    const overridden = await check(['--config', file, '--prometheus', prometheus.url, '--dry-run', '--json'], { TOOLFLOW_CHECK_MAX_PODS: '3', TOOLFLOW_CHECK_MAX_PENDING_PODS: '1' });
    expect(overridden.code, overridden.stderr).toBe(0);
  });

  it('an empty namespace: the pod checks read 0 with a warning, and cpu with a limit but no series is told', async () => {
    const r = await check(['--prometheus', prometheus.url, '--period', '30s', '--json'], { ...WITHIN, TOOLFLOW_CHECK_NAMESPACE: 'nobody-here' });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.checks.find((m) => m.check === 'pods')!.value).toBe(0);
    expect(report.checks.find((m) => m.check === 'cpu')!.value).toBeNull();
    expect(report.warnings).toEqual([
      expect.stringContaining('no kube_pod_status_phase series for namespace nobody-here'),
      expect.stringContaining('cpu: Prometheus has no series of cAdvisor (container_cpu_usage_seconds_total)'),
      expect.stringContaining('memory: Prometheus has no series of cAdvisor (container_memory_working_set_bytes)'),
    ]);
    expect(r.stderr).toContain('toolflow check: warning: Prometheus has no kube_pod_status_phase series');
  });

  it('Prometheus down or not Prometheus: exit 3 with a clear message', async () => {
    const port = await freePort();
    const down = await check(['--prometheus', `http://user:hunter2@127.0.0.1:${port}`, '--json']);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`toolflow check: Prometheus at http://user:***@127.0.0.1:${port} is unreachable: ECONNREFUSED`);
    expect(down.stderr + down.stdout).not.toContain('hunter2');
    expect(JSON.parse(down.stdout)).toMatchObject({ status: 'unreachable' });
    const notProm = await check(['--prometheus', `http://${exporter.target}`]);
    expect(notProm.code).toBe(3);
    expect(notProm.stderr).toContain(`answered HTTP 404 to a range query, not its API's answer: not found; is http://${exporter.target} Prometheus`);
  });

  it('--period 30d (refused by Prometheus at a 60 s step: 43,200 points): a 9-minute step, the values read', async () => {
    const r = await check(['--prometheus', prometheus.url, '--period', '30d', '--json'], WITHIN);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report).toMatchObject({ status: 'ok', period: '30d', step: 540, over: [], warnings: [] });
    const seconds = (Date.parse(report.to) - Date.parse(report.from)) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(30 * 86_400);
    expect(seconds / report.step).toBe(4800);
    const value = (c: string) => report.checks.find((m) => m.check === c)!;
    // The last point is now: the fixture's minutes of data are read.
    expect(value('memory').value).toBe(3 * GiB);
    expect(value('pending-pods').value).toBe(1);
    expect(value('queue-depth')).toMatchObject({ value: 40, series: { queue: 'toolflow.handle-status' } });
    // cpu's rate window is the step (5s asked): no cpu time between two points.
    expect(value('cpu').query).toContain('[540s]');
    expect(value('cpu').value).toBeGreaterThan(0);
  });

  it('the step keeps every period well under Prometheus’ 11,000 points; the short periods keep theirs', () => {
    const now = Date.UTC(2025, 0, 1) + 123_456;
    for (const [period, step] of [[30, 1], [900, 15], [3600, 60], [3 * 86_400, 60], [662_400, 180], [30 * 86_400, 540], [365 * 86_400, 6360]] as const) {
      const r = checkRange(period, now);
      expect([period, r.step]).toEqual([period, step]);
      expect(r.end).toBe(Math.floor(now / 1000));
      expect(r.end - r.start).toBeGreaterThanOrEqual(period);
      expect(r.end - r.start).toBeLessThan(period + r.step);
      expect((r.end - r.start) % r.step).toBe(0);
      expect((r.end - r.start) / r.step).toBeLessThanOrEqual(MAX_POINTS);
    }
    expect(MAX_POINTS * 2).toBeLessThan(PROMETHEUS_MAX_POINTS);
  });

  it('Prometheus’ error answers name the query and what to change: a query it cannot parse, a range too fine', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad = await queryRange(prometheus.url, 'sum(container_memory_working_set_bytes', { start: now - 60, end: now, step: 1 }, { name: 'the memory check' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(PrometheusQueryError);
    expect((bad as Error).message).toBe(
      `Prometheus at ${prometheus.url} refused the query of the memory check (HTTP 400 bad_data: 1:39: parse error: unclosed left parenthesis); ` +
        "this Prometheus cannot parse the query or its range (is the URL Prometheus' own API, not a look-alike that lacks some PromQL?); if --period (TOOLFLOW_CHECK_PERIOD, period: in the --config file) and TOOLFLOW_CHECK_RATE_WINDOW are right, report the query as a toolflow bug. " +
        `The query: sum(container_memory_working_set_bytes from ${new Date((now - 60) * 1000).toISOString()} to ${new Date(now * 1000).toISOString()} at a step of 1 s (61 points)`,
    );
    // What the 60 s step of a 30-day period did before.
    const fine = await queryRange(prometheus.url, 'sum(toolflow_tools_running)', { start: now - 30 * 86_400, end: now, step: 60 }, { name: 'the running-tools check' }).catch((e: unknown) => e);
    expect(fine).toBeInstanceOf(PrometheusQueryError);
    expect((fine as Error).message).toContain('refused the query of the running-tools check (HTTP 400 bad_data: exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)); the range has too many points for Prometheus (11,000 a series at most): give a shorter --period');
    expect((fine as Error).message).toContain('at a step of 60 s (43201 points)');
  });

  it('a Prometheus whose --query.max-samples the queries pass (422): exit 2, the check, its query and what to change', async () => {
    const small = await startPrometheus({ jobs: [{ job: 'fixtures', targets: [exporter.target] }], flags: ['--query.max-samples=10'] });
    const r = await check(['--prometheus', small.url, '--period', '30s', '--json'], WITHIN);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^toolflow: Prometheus at ${small.url} refused the query of (the [a-z-]+ check|the namespace’s Pod count) \\(HTTP 422 execution: query processing would load too many samples into memory in query execution\\); ` +
          "the query reads more samples than Prometheus' --query.max-samples allows: give a shorter --period \\(TOOLFLOW_CHECK_PERIOD, period: in the --config file\\), or raise --query.max-samples on Prometheus\\. The query: .+ at a step of 1 s \\(31 points\\)$",
        'm',
      ),
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'invalid', error: expect.stringContaining('--query.max-samples') });
  });

  it('a query Prometheus timed out (503 timeout) is a refusal to act on; 503 unavailable is Prometheus not answering now', () => {
    const asked = { prometheus: 'http://prometheus:9090', name: 'the cpu check', query: 'sum(rate(x[2m]))', range: { start: 0, end: 600, step: 60 } };
    const timeout = prometheusAnswerError(asked, { status: 503, errorType: 'timeout', error: 'query timed out in expression evaluation' });
    expect(timeout).toBeInstanceOf(PrometheusQueryError);
    expect(timeout.message).toBe(
      "Prometheus at http://prometheus:9090 refused the query of the cpu check (HTTP 503 timeout: query timed out in expression evaluation); Prometheus gave up after its --query.timeout (2m by default): give a shorter --period (TOOLFLOW_CHECK_PERIOD, period: in the --config file), or raise --query.timeout on Prometheus. The query: sum(rate(x[2m])) from 1970-01-01T00:00:00.000Z to 1970-01-01T00:10:00.000Z at a step of 60 s (11 points)",
    );
    const busy = prometheusAnswerError(asked, { status: 503, errorType: 'unavailable', error: 'too many queries' });
    expect(busy).toBeInstanceOf(PrometheusUnreachableError);
    expect(busy.message).toContain('did not run the query of the cpu check (HTTP 503 unavailable: too many queries); Prometheus is starting, stopping or overloaded (--query.max-concurrency): try again later.');
  });

  it('a token in the Prometheus URL\'s query is masked in what check prints', async () => {
    const r = await check(['--prometheus', `${prometheus.url}/?access_token=QTOK1234secret`, '--json']);
    expect(r.stdout + r.stderr).toContain('access_token=***');
    expect(r.stdout + r.stderr).not.toContain('QTOK1234secret');
  });

  it('bad settings: exit 2 naming the flag, variable or key', async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [[], {}, 'toolflow check needs Prometheus: give --prometheus URL, TOOLFLOW_CHECK_PROMETHEUS_URL'],
      [['--prometheus', 'ftp://x'], {}, '--prometheus: the Prometheus URL must be http:// or https://'],
      [['--prometheus', prometheus.url, '--period', 'lots'], {}, '--period: "lots" is not'],
      [['--prometheus', prometheus.url, '--period', '999999999999999'], {}, '--period: a period of at most 365d (one year) is checked; got 999999999999999'],
      [['--prometheus', prometheus.url], { TOOLFLOW_CHECK_MAX_MEMORY: '4GG' }, 'TOOLFLOW_CHECK_MAX_MEMORY: "4GG" is not a size'],
      [['--prometheus', prometheus.url], { TOOLFLOW_CHECK_MAX_PODS: '-1' }, 'TOOLFLOW_CHECK_MAX_PODS: expected a whole number (0 or more), got "-1"'],
      [['--prometheus', prometheus.url], { TOOLFLOW_CHECK_NAMESPACE: 'Bad_NS"' }, 'TOOLFLOW_CHECK_NAMESPACE: "Bad_NS\\"" is not a Kubernetes namespace name'],
      [['--prometheus', prometheus.url], { TOOLFLOW_NOTIFY_EVENTS: 'task.exploded' }, 'TOOLFLOW_NOTIFY_EVENTS: "task.exploded" is not an event that notifies'],
    ];
    for (const [args, extra, message] of cases) {
      const r = await check(args, extra);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringContaining(message)]);
    }
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'prometheus: http://127.0.0.1:9090\nlimits:\n  podz: 3\n');
    const r = await check(['--config', file]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(`--config ${file}: unknown limit "podz"; the limits are pendingPods, pendingFor, pods, cpu, memory, runningTools, queueDepth`)]);
    const json = await check(['--config', join(dir, 'missing.yaml'), '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'invalid', error: expect.stringContaining('cannot be read') });
  });
});
