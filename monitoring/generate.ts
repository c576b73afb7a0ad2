/**
 * The generated monitoring files, rendered from their one source each (written by
 * `node scripts/generate-monitoring.mjs` after `npm run build`; test/monitoring/generated.test.ts
 * checks the committed files equal these):
 *
 * | file | source |
 * | --- | --- |
 * | `monitoring/grafana/toolflow-dashboard.json` | `toolflowDashboard()` (monitoring/grafana/dashboard.ts) |
 * | `knative/monitoring/10-grafana-dashboard.yaml` | the same JSON in a ConfigMap labelled `grafana_dashboard` (Grafana's dashboard sidecar, kiwigrid/k8s-sidecar, loads every ConfigMap with that label) |
 * | `knative/monitoring/20-prometheus-rule.yaml` | `monitoring/prometheus/toolflow-rules.yml`'s groups in a PrometheusRule (monitoring.coreos.com/v1) |
 *
 * Output is stable: two-space JSON with a final newline; YAML by the `yaml` package with no line
 * folding (an expression or annotation stays one scalar as written).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { toolflowDashboard } from './grafana/dashboard.js';

/** One generated file: its path relative to the repository root, and its text. */
export interface GeneratedFile {
  path: string;
  text: string;
  /** What it is made from, for the message of an out-of-date file. */
  source: string;
}

export const DASHBOARD_JSON = 'monitoring/grafana/toolflow-dashboard.json';
export const DASHBOARD_CONFIGMAP = 'knative/monitoring/10-grafana-dashboard.yaml';
export const RULES_FILE = 'monitoring/prometheus/toolflow-rules.yml';
export const PROMETHEUS_RULE = 'knative/monitoring/20-prometheus-rule.yaml';

/** The key of the dashboard in the ConfigMap: the sidecar writes it as that file name. */
export const DASHBOARD_KEY = 'toolflow.json';

const HEADER = (source: string, what: string) =>
  `# Generated from ${source} by node scripts/generate-monitoring.mjs (after npm run build): do not edit.\n${what}`;

const yamlText = (value: unknown) => stringify(value, { lineWidth: 0, minContentWidth: 0 });

/** The dashboard's JSON model as committed. */
export function dashboardJson(): string {
  return `${JSON.stringify(toolflowDashboard(), null, 2)}\n`;
}

/** The dashboard as a ConfigMap for Grafana's dashboard sidecar. */
export function dashboardConfigMap(json: string): string {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'toolflow-grafana-dashboard',
      namespace: 'toolflow',
      labels: { grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'toolflow' },
      annotations: { grafana_folder: 'toolflow' },
    },
    data: { [DASHBOARD_KEY]: json },
  };
  return HEADER(
    `${DASHBOARD_JSON} (monitoring/grafana/dashboard.ts)`,
    "# Grafana's dashboard sidecar (kiwigrid/k8s-sidecar, as the Grafana and kube-prometheus-stack Helm charts\n" +
      '# run it) loads every ConfigMap labelled grafana_dashboard from the namespaces it searches (its\n' +
      '# searchNamespace: set it to ALL, or to toolflow, or apply this in its namespace); the folder annotation\n' +
      "# grafana_folder is read when the sidecar's folderAnnotation is set to it. Its datasource is a variable:\n" +
      '# pick the Prometheus data source in the dashboard.\n' +
      yamlText(configMap),
  );
}

/** The rule groups of `rulesText` (a Prometheus rules file) as a PrometheusRule. */
export function prometheusRule(rulesText: string): string {
  const rules = parse(rulesText) as { groups: unknown[] };
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'toolflow', namespace: 'toolflow', labels: { 'app.kubernetes.io/part-of': 'toolflow' } },
    spec: { groups: rules.groups },
  };
  return HEADER(
    RULES_FILE,
    "# The Prometheus Operator loads it when its Prometheus' ruleSelector matches these labels (kube-prometheus-stack:\n" +
      '# release: <its release name>; kube-prometheus: role: alert-rules): add the label yours selects, and\n' +
      '# check ruleNamespaceSelector takes the toolflow namespace.\n' +
      yamlText(manifest),
  );
}

/** Every generated file, rendered from the sources under `root` (the repository). */
export function generatedFiles(root: string): GeneratedFile[] {
  const json = dashboardJson();
  return [
    { path: DASHBOARD_JSON, text: json, source: 'monitoring/grafana/dashboard.ts' },
    { path: DASHBOARD_CONFIGMAP, text: dashboardConfigMap(json), source: 'monitoring/grafana/dashboard.ts' },
    { path: PROMETHEUS_RULE, text: prometheusRule(readFileSync(join(root, RULES_FILE), 'utf8')), source: RULES_FILE },
  ];
}
