/**
 * The generated monitoring files are up to date with their sources (monitoring/generate.ts), and
 * the dashboard is what issue 12 §3 asks: a datasource variable every panel uses, the panels
 * listed, queries that read toolflow's catalogue or listed exporter metrics, a layout Grafana
 * takes; its ConfigMap form is a valid ConfigMap labelled for Grafana's sidecar, small enough for
 * `kubectl apply`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboard, Panel } from '@grafana/schema';
import { ConfigMap } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { EXPORTER_METRICS, SCRAPE_LABELS } from '../../monitoring/exporter-metrics.js';
import { DASHBOARD_CONFIGMAP, DASHBOARD_JSON, DASHBOARD_KEY, generatedFiles } from '../../monitoring/generate.js';
import { countOver } from '../../monitoring/grafana/dashboard.js';
import { loadManifests, ROOT } from '../deploy/manifests.js';
import { catalogue } from './catalogue.js';
import { allPanels, dashboardQueries } from './dashboard-model.js';
import { labelNames, metricNames } from './promql.js';

const dashboard = JSON.parse(readFileSync(join(ROOT, DASHBOARD_JSON), 'utf8')) as Dashboard;

describe('generated monitoring files', () => {
  it.each(generatedFiles(ROOT).map((f) => [f.path, f] as const))('%s is the one its source makes (node scripts/generate-monitoring.mjs)', (path, f) => {
    expect(readFileSync(join(ROOT, path), 'utf8'), `${path} is out of date with ${f.source}: run npm run build && node scripts/generate-monitoring.mjs`).toBe(f.text);
  });

  it('the ConfigMap validates, carries the grafana_dashboard label, and holds the dashboard JSON as it is', () => {
    const [cm] = loadManifests('knative/monitoring').filter((m) => m.kind === 'ConfigMap');
    const { where: _where, ...object } = cm!;
    expect(() => new ConfigMap(object as never).validate()).not.toThrow();
    expect(cm!.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect((cm as unknown as { data: Record<string, string> }).data[DASHBOARD_KEY]).toBe(readFileSync(join(ROOT, DASHBOARD_JSON), 'utf8'));
    // kubectl apply (client-side) keeps the whole object in an annotation, whose limit is 256 KiB.
    expect(readFileSync(join(ROOT, DASHBOARD_CONFIGMAP)).length).toBeLessThan(256 * 1024);
  });
});

describe('the dashboard', () => {
  const panels = allPanels(dashboard).filter((p) => p.type !== 'row') as Panel[];

  it('has a datasource variable of Prometheus data sources, and every panel and query uses it', () => {
    const variable = dashboard.templating?.list?.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets ?? []) expect(t.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
    for (const v of dashboard.templating!.list!.filter((v) => v.type === 'query')) expect(v.datasource, v.name).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('has the panels issue 12 lists: throughput, failures by reason, reruns, durations, queue wait and depth, running tools, dead letters, pod counts, cluster usage', () => {
    const titles = panels.map((p) => p.title);
    for (const t of ['Throughput', 'Failures by reason', 'Reruns by reason', 'Tool duration', 'Queue wait', 'Queue depth', 'Running tools', 'Dead letters', 'Pods by phase', 'CPU used and requested', 'Memory used and requested', "The cluster's usage"]) {
      expect(titles).toContain(t);
    }
  });

  it('lays panels on the 24-column grid without overlaps, with unique ids', () => {
    const all = allPanels(dashboard);
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    const cells = new Set<string>();
    for (const p of all) {
      const g = p.gridPos!;
      expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('reads only toolflow’s catalogue and up, or listed exporter metrics with labels they have', async () => {
    const names = await catalogue();
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(40);
    for (const q of queries.filter((x) => x.source === 'toolflow')) for (const m of q.metrics) expect(names.has(m) || m === 'up', `${q.panel}: ${m}`).toBe(true);
    const exporterQueries = queries.filter((x) => x.source === 'exporter');
    expect(exporterQueries.length).toBeGreaterThanOrEqual(8);
    for (const q of exporterQueries) {
      const allowed = new Set([...q.metrics.flatMap((m) => EXPORTER_METRICS[m]!.labels), ...SCRAPE_LABELS]);
      for (const l of labelNames(q.expr)) expect(allowed.has(l), `${q.panel}: label ${l} on ${q.metrics.join(', ')}`).toBe(true);
    }
  });
});

describe('reading PromQL (the tests’ helpers)', () => {
  it('finds metric names, not functions, keywords, labels, durations or strings', () => {
    expect(metricNames('sum by (tool, le) (rate(toolflow_tool_duration_seconds_bucket{tool=~"a|up"}[5m])) / on (tool) group_left () up offset 30m > bool 0.5')).toEqual(['toolflow_tool_duration_seconds_bucket', 'up']);
    expect(metricNames(countOver('toolflow_tools_undelivered_total', 'tool=~"$tool"', '$__range', ['tool']))).toEqual(['toolflow_tools_undelivered_total']);
    expect(labelNames('sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="x{y}", container!=""}[1m]))')).toEqual(['container', 'namespace', 'pod']);
  });
});
