/**
 * toolflow's Prometheus rules (monitoring/prometheus/toolflow-rules.yml) with Prometheus' own
 * tools, promtool from Debian's `prometheus` package: `promtool check rules`, and `promtool test
 * rules` on monitoring/prometheus/toolflow-rules.test.yml (each alert fires in a case and stays
 * quiet in another). Then the rules' shape (for:, severity, summary, description, runbook), the
 * metric names they read (toolflow's catalogue or the exporter list), the example Prometheus and
 * Alertmanager configurations (promtool check config, amtool check-config), and the Kubernetes
 * forms in knative/monitoring/ against the Prometheus Operator's schemas
 * (@kubernetes-models/prometheus-operator).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXPORTER_METRICS } from '../../monitoring/exporter-metrics.js';
import { loadManifests, ROOT, type Manifest } from '../deploy/manifests.js';
import { tempDir } from '../support/tmp.js';
import { catalogue } from './catalogue.js';
import { labelNames, metricNames } from './promql.js';

const exec = promisify(execFile);
const DIR = join(ROOT, 'monitoring/prometheus');
const RULES = join(DIR, 'toolflow-rules.yml');
const TESTS = join(DIR, 'toolflow-rules.test.yml');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups;
const rules = groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert);

/** Runs promtool; @returns its exit code and output (it exits non-zero on a failed check). */
async function promtool(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await exec('promtool', args, { cwd: DIR });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('the Prometheus rules', () => {
  it('promtool check rules passes', async () => {
    const r = await promtool('check', 'rules', RULES);
    expect(r, r.out).toMatchObject({ code: 0 });
    expect(r.out).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('promtool test rules passes every case of toolflow-rules.test.yml', async () => {
    const r = await promtool('test', 'rules', TESTS);
    expect(r, r.out).toMatchObject({ code: 0 });
    expect(r.out).toContain('SUCCESS');
  });

  it('a case whose expectation is wrong fails promtool test rules (the run above is not vacuous)', async () => {
    const dir = tempDir();
    copyFileSync(RULES, join(dir, 'toolflow-rules.yml'));
    const wrong = readFileSync(TESTS, 'utf8').replace('summary: "toolflow: 50% of the tasks', 'summary: "toolflow: 51% of the tasks');
    writeFileSync(join(dir, 'toolflow-rules.test.yml'), wrong);
    const r = await promtool('test', 'rules', join(dir, 'toolflow-rules.test.yml'));
    expect(r.code).toBe(1);
    expect(r.out).toContain('alertname: ToolflowWorkflowFailureRateHigh, time: 40m');
  });

  it('covers the issue’s list, and every alert has a for: duration, a severity, a summary, a description and a runbook', () => {
    expect(alerts.map((a) => a.alert)).toEqual([
      'ToolflowWorkflowFailureRateHigh',
      'ToolflowToolsUndelivered',
      'ToolflowKeepalivesLost',
      'ToolflowQueueBacklogGrowing',
      'ToolflowDeadLetters',
      'ToolflowPodsStuckPending',
      'ToolflowClusterCpuHigh',
      'ToolflowClusterMemoryHigh',
      'ToolflowComponentDown',
      'ToolflowMetricsAbsent',
    ]);
    for (const a of alerts) {
      expect(a.for, a.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], a.alert).toContain(a.labels?.severity);
      expect(Object.keys(a.annotations ?? {}).sort(), a.alert).toEqual(['description', 'runbook', 'summary']);
      expect(a.annotations!.summary, a.alert).toMatch(/^toolflow: /);
    }
  });

  it('every alert has a case where it fires and one where it does not', () => {
    const tests = (parse(readFileSync(TESTS, 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const a of alerts) {
      expect(cases.some((c) => c.alertname === a.alert && c.exp_alerts.length > 0), `${a.alert} fires in a case`).toBe(true);
      expect(cases.some((c) => c.alertname === a.alert && c.exp_alerts.length === 0), `${a.alert} is quiet in a case`).toBe(true);
    }
  });

  it('reads only metrics of toolflow’s catalogue, up, its own recorded series, and listed exporter metrics with their labels', async () => {
    const CATALOGUE = await catalogue();
    const recorded = new Set(rules.filter((r) => r.record).map((r) => r.record!));
    for (const r of rules) {
      for (const m of metricNames(r.expr)) {
        const known = CATALOGUE.has(m) || m === 'up' || recorded.has(m) || m in EXPORTER_METRICS;
        expect(known, `${r.alert ?? r.record}: ${m}`).toBe(true);
      }
      const exporters = metricNames(r.expr).filter((m) => m in EXPORTER_METRICS);
      if (exporters.length) {
        const allowed = new Set(exporters.flatMap((m) => EXPORTER_METRICS[m]!.labels));
        for (const l of labelNames(r.expr)) expect(allowed.has(l), `${r.alert}: label ${l} of ${exporters.join(', ')}`).toBe(true);
      }
    }
  });
});

describe('the example configurations', () => {
  it('prometheus.example.yml passes promtool check config (and loads the rules)', async () => {
    const r = await promtool('check', 'config', join(DIR, 'prometheus.example.yml'));
    expect(r, r.out).toMatchObject({ code: 0 });
    expect(r.out).toContain('SUCCESS: 1 rule files found');
  });

  it('alertmanager.example.yml passes amtool check-config, with a webhook to notify carrying a bearer token', async () => {
    const file = join(ROOT, 'monitoring/alertmanager/alertmanager.example.yml');
    const r = await exec('amtool', ['check-config', file]);
    expect(r.stdout).toContain('SUCCESS');
    const config = parse(readFileSync(file, 'utf8')) as { receivers: { webhook_configs: { http_config: { authorization: { type: string } } }[] }[] };
    expect(config.receivers[0]!.webhook_configs[0]!.http_config.authorization.type).toBe('Bearer');
  });
});

describe('knative/monitoring/ (the Prometheus Operator’s forms)', () => {
  const manifests = loadManifests('knative/monitoring');
  const strip = ({ where: _where, ...object }: Manifest) => object;

  it('the PrometheusRule validates against the operator’s schema and holds exactly the rules file’s groups', () => {
    const [rule] = manifests.filter((m) => m.kind === 'PrometheusRule');
    expect(rule).toBeDefined();
    expect(() => new PrometheusRule(strip(rule!) as never).validate()).not.toThrow();
    expect((rule as unknown as { spec: { groups: unknown } }).spec.groups).toEqual(groups);
    expect(rule!.metadata).toMatchObject({ name: 'toolflow', namespace: 'toolflow' });
  });

  it('the schema check refuses a broken rule (the validation above is not vacuous)', () => {
    const [rule] = manifests.filter((m) => m.kind === 'PrometheusRule');
    const broken = structuredClone(strip(rule!)) as unknown as { spec: { groups: { rules: { expr: unknown }[] }[] } };
    delete (broken.spec.groups[0]!.rules[1] as { expr?: unknown }).expr;
    expect(() => new PrometheusRule(broken as never).validate()).toThrow(/expr/);
  });

  it('the PodMonitors validate, and give every target job="toolflow" (the rules on up select it)', () => {
    const monitors = manifests.filter((m) => m.kind === 'PodMonitor');
    expect(monitors.map((m) => m.metadata.name)).toEqual(['toolflow-functions', 'toolflow-work-managers', 'toolflow-sidecars']);
    for (const m of monitors) {
      expect(() => new PodMonitor(strip(m) as never).validate(), m.where).not.toThrow();
      const endpoints = (m as unknown as { spec: { podMetricsEndpoints: { path: string; relabelings: { targetLabel: string; replacement?: string }[] }[] } }).spec.podMetricsEndpoints;
      for (const e of endpoints) {
        expect(e.path).toBe('/metrics');
        expect(e.relabelings).toContainEqual({ targetLabel: 'job', replacement: 'toolflow' });
      }
    }
    expect(manifests.every((m) => m.metadata.namespace === 'toolflow')).toBe(true);
  });
});
