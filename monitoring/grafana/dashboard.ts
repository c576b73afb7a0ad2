/**
 * toolflow's Grafana dashboard (issue 12 §3), as typed data: `toolflowDashboard()` is the JSON
 * model Grafana imports (`monitoring/grafana/toolflow-dashboard.json` is it, written by
 * `node scripts/generate-monitoring.mjs`; test/monitoring/dashboard.test.ts checks the file is
 * up to date and runs every query against a real Prometheus scraping a real run).
 *
 * Metrics: the catalogue of /work/notes/design12-metrics.md (toolflow's, `toolflow_*`, and the
 * process metrics prom-client adds with that prefix), Prometheus' `up`, kube-state-metrics'
 * `kube_*` and cAdvisor's `container_*` as the kubelet serves them (`monitoring/exporter-metrics.ts`
 * lists the names and labels used, with their sources).
 *
 * Variables: `datasource` (a Prometheus data source), `tool` (template tool names, several or
 * All), `window` (the span of the duration quantiles and per-window counts: tools are sparse, so a
 * rate over Grafana's `$__rate_interval` is mostly empty for them), `namespace` (the Kubernetes
 * namespace of the cluster panels; toolflow's manifests use `toolflow`).
 *
 * Counts over the dashboard's range use `countOver`: a counter series born inside the range
 * (a process that started, a label value seen for the first time) counts its whole value, which a
 * plain `increase()` would miss (the same rule as monitoring/prometheus/toolflow-rules.yml).
 */
import { VariableHide, VariableRefresh, VariableSort, type Dashboard, type VariableModel } from '@grafana/schema';
import { DATASOURCE, Layout, stat, table, timeseries } from './panels.js';

/** The dashboard's uid: its URL is `/d/toolflow`; provisioning it twice replaces it. */
export const DASHBOARD_UID = 'toolflow';

/**
 * The JSON model's schema version. Grafana migrates an older model when it loads it, and cannot
 * migrate a newer one back; 39 (older than @grafana/schema 13's current 42) lets Grafana versions
 * older than 13 load it as their own, and the fields used here are the same in both models.
 */
export const SCHEMA_VERSION = 39;

/** cAdvisor series of real containers: not the Pod's own cgroup (`container=""`) nor the pause container. */
const CONTAINERS = 'container!="", container!="POD"';

/**
 * How many events a counter counted in `window` (a Grafana range such as `$__range`), per `by`:
 * a series born inside the window counts its whole value, an older one its increase.
 */
export function countOver(metric: string, selector: string, window: string, by: string[]): string {
  const m = `${metric}{${selector}}`;
  return `sum${by.length ? ` by (${by.join(', ')})` : ''} ((max_over_time(${m}[${window}]) unless ${m} offset ${window}) or increase(${m}[${window}]))`;
}

/** `histogram_quantile(q, …)` of a toolflow histogram over `window`, per `by` (plus `le`). */
function quantile(q: number, histogram: string, selector: string, window: string, by: string[]): string {
  return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (rate(${histogram}_bucket{${selector}}[${window}])))`;
}

const TOOL = 'tool=~"$tool"';

/** The dashboard's variables. */
function variables(): VariableModel[] {
  return [
    {
      name: 'datasource',
      label: 'Data source',
      type: 'datasource',
      query: 'prometheus',
      hide: VariableHide.dontHide,
      refresh: VariableRefresh.onDashboardLoad,
      regex: '',
      options: [],
    },
    {
      name: 'tool',
      label: 'Tool',
      description: 'Template tool names (an instance align[S1] counts as align).',
      type: 'query',
      datasource: DATASOURCE,
      query: { query: 'label_values(toolflow_tool_attempts_total, tool)', refId: 'PrometheusVariableQueryEditor-VariableQuery' },
      multi: true,
      includeAll: true,
      allValue: '.*',
      current: { text: 'All', value: '$__all' },
      refresh: VariableRefresh.onTimeRangeChanged,
      sort: VariableSort.alphabeticalAsc,
      hide: VariableHide.dontHide,
      regex: '',
      options: [],
    },
    {
      name: 'window',
      label: 'Window',
      description: 'The span of the duration quantiles and of the per-window counts.',
      type: 'custom',
      query: '5m,15m,1h,6h,1d',
      current: { text: '1h', value: '1h' },
      options: ['5m', '15m', '1h', '6h', '1d'].map((v) => ({ text: v, value: v, selected: v === '1h' })),
      hide: VariableHide.dontHide,
      multi: false,
      includeAll: false,
    },
    {
      name: 'namespace',
      label: 'Namespace',
      description: 'The Kubernetes namespace of the cluster panels (kube-state-metrics and cAdvisor).',
      type: 'query',
      datasource: DATASOURCE,
      query: { query: 'label_values(kube_pod_status_phase, namespace)', refId: 'PrometheusVariableQueryEditor-VariableQuery' },
      current: { text: 'toolflow', value: 'toolflow' },
      refresh: VariableRefresh.onTimeRangeChanged,
      sort: VariableSort.alphabeticalAsc,
      hide: VariableHide.dontHide,
      multi: false,
      includeAll: false,
      regex: '',
      options: [],
    },
  ];
}

/** The panels, row by row. */
function panels(): Layout {
  const l = new Layout();

  l.row('Over the time range');
  stat(l, { title: 'Tasks submitted', description: 'Tasks accepted in the time range.', queries: [[countOver('toolflow_tasks_submitted_total', '', '$__range', []), 'submitted']], w: 4 });
  stat(l, { title: 'Tasks failed', description: 'Tasks that ended failed in the time range.', queries: [[countOver('toolflow_tasks_finished_total', 'status="failed"', '$__range', []), 'failed']], w: 4 });
  stat(l, {
    title: 'Workflow failure ratio',
    description: 'Failed tasks over all tasks that ended in the time range (the alert ToolflowWorkflowFailureRateHigh watches 30 minutes).',
    unit: 'percentunit',
    queries: [[`${countOver('toolflow_tasks_finished_total', 'status="failed"', '$__range', [])} / ${countOver('toolflow_tasks_finished_total', '', '$__range', [])}`, 'failure ratio']],
    w: 4,
  });
  stat(l, { title: 'Reruns', description: 'Attempts the rerun policy added after a failure (oom, disk, lost, undelivered…).', queries: [[countOver('toolflow_tool_reruns_total', TOOL, '$__range', []), 'reruns']], w: 4 });
  stat(l, { title: 'Dead letters', description: 'Events a function gave up on: their tasks may wait for ever (alert ToolflowDeadLetters).', queries: [[countOver('toolflow_events_dead_lettered_total', '', '$__range', []), 'dead letters']], w: 4 });
  stat(l, { title: 'Undelivered / lost', description: 'Attempts that never started (undelivered) and started ones whose keepalives stopped (lost).', queries: [[countOver('toolflow_tools_undelivered_total', TOOL, '$__range', []), 'undelivered'], [countOver('toolflow_keepalives_lost_total', TOOL, '$__range', []), 'lost']], w: 4 });

  l.row('Tasks and tools');
  stat(l, { title: 'Tasks by status', description: 'Tasks in the store by current status (max over the processes that count them: each counts the same store).', queries: [['max by (status) (toolflow_tasks)', '{{status}}']], w: 6, h: 8 });
  timeseries(l, {
    title: 'Throughput',
    description: 'Tasks accepted, and tasks that ended by status, per minute.',
    unit: 'opm',
    queries: [
      ['60 * sum(rate(toolflow_tasks_submitted_total[$__rate_interval]))', 'submitted'],
      ['60 * sum by (status) (rate(toolflow_tasks_finished_total[$__rate_interval]))', '{{status}}'],
    ],
    w: 9,
  });
  timeseries(l, {
    title: 'Attempts ended',
    description: 'Tool attempts that ran and ended, by status, per minute; apart, cache hits: attempts that reused an earlier attempt\'s outputs and did not run (not in the statuses, the failures or the durations).',
    unit: 'opm',
    queries: [
      [`60 * sum by (status) (rate(toolflow_tool_attempts_total{${TOOL}}[$__rate_interval]))`, '{{status}}'],
      [`60 * sum(rate(toolflow_tool_cache_hits_total{${TOOL}}[$__rate_interval]))`, 'cache hits (not run)'],
    ],
    w: 9,
  });
  timeseries(
    l,
    { title: 'Failures by reason', description: 'Failed attempts per window, by reason (oom, disk, timeout, lost, undelivered, config, exit, cancelled).', queries: [[`sum by (reason) (increase(toolflow_tool_attempts_total{status="failed", ${TOOL}}[$window]))`, '{{reason}}']], w: 8 },
    { stacked: true },
  );
  table(l, { title: 'Failures by tool and reason', description: 'Failed attempts in the time range, by template tool and reason.', queries: [[countOver('toolflow_tool_attempts_total', `status="failed", ${TOOL}`, '$__range', ['tool', 'reason']), '']], w: 8 });
  timeseries(l, { title: 'Reruns by reason', description: 'Attempts rerun by the rerun policy per window, by the failure that caused them.', queries: [[`sum by (reason) (increase(toolflow_tool_reruns_total{${TOOL}}[$window]))`, '{{reason}}']], w: 8 }, { stacked: true });
  timeseries(l, { title: 'Running tools', description: 'Attempts started and not ended, summed over the work managers.', queries: [['sum(toolflow_tools_running)', 'running']], w: 8 });
  timeseries(
    l,
    {
      title: 'Undelivered and lost by tool',
      description: 'Attempts that never started within TOOLFLOW_START_TIMEOUT_SECONDS, and started ones with no report for TOOLFLOW_LOST_AFTER_SECONDS, per window.',
      queries: [
        [`sum by (tool) (increase(toolflow_tools_undelivered_total{${TOOL}}[$window]))`, 'undelivered {{tool}}'],
        [`sum by (tool) (increase(toolflow_keepalives_lost_total{${TOOL}}[$window]))`, 'lost {{tool}}'],
      ],
      w: 8,
    },
    { stacked: true },
  );
  timeseries(l, { title: 'Work manager reports', description: 'Start, keepalive and exit reports the work managers received, per second.', unit: 'reqps', queries: [['sum by (kind) (rate(toolflow_work_manager_reports_total[$__rate_interval]))', '{{kind}}']], w: 8 });

  l.row('Durations and queues');
  timeseries(l, {
    title: 'Tool duration',
    description: 'Attempt wall time (start report to exit report): quantiles over the window. Cache hits, which do not run, are not in it.',
    unit: 's',
    queries: [0.5, 0.9, 0.99].map((q) => [quantile(q, 'toolflow_tool_duration_seconds', TOOL, '$window', []), `p${q * 100}`]),
    w: 8,
  });
  table(l, {
    title: 'Tool duration by tool',
    description: 'p90 of attempt wall time over the window, by template tool.',
    unit: 's',
    queries: [[quantile(0.9, 'toolflow_tool_duration_seconds', TOOL, '$window', ['tool']), '']],
    w: 8,
  });
  timeseries(l, {
    title: 'Queue wait',
    description: 'From tool.ready (delivered) to the start report: quantiles over the window. Long waits: the executor or the cluster has no room.',
    unit: 's',
    queries: [0.5, 0.9, 0.99].map((q) => [quantile(q, 'toolflow_tool_queue_wait_seconds', TOOL, '$window', []), `p${q * 100}`]),
    w: 8,
  });
  timeseries(l, { title: 'Queue depth', description: 'Messages ready in each broker queue a connector consumes (max over connectors).', queries: [['max by (queue) (toolflow_queue_depth)', '{{queue}}']], w: 12 });
  timeseries(l, {
    title: 'Event handling p99',
    description: 'Time a function took to handle one event (each try), p99 by function.',
    unit: 's',
    queries: [[quantile(0.99, 'toolflow_event_handling_seconds', '', '$__rate_interval', ['function']), '{{function}}']],
    w: 12,
  });
  timeseries(l, { title: 'Events handled', description: 'Tries to handle an event, per second, by function.', unit: 'reqps', queries: [['sum by (function) (rate(toolflow_event_handling_seconds_count[$__rate_interval]))', '{{function}}']], w: 8 });
  timeseries(l, { title: 'Event failures', description: 'Tries that failed (the event is delivered again, or dead-lettered past the limit), per window, by function.', queries: [['sum by (function) (increase(toolflow_event_failures_total[$window]))', '{{function}}']], w: 8 }, { stacked: true });
  timeseries(l, { title: 'Dead letters by function', description: 'Events dead-lettered per window, by the function that gave up on them.', queries: [['sum by (function) (increase(toolflow_events_dead_lettered_total[$window]))', '{{function}}']], w: 8 }, { stacked: true });

  l.row('Uploads and notifications');
  timeseries(l, { title: 'Upload throughput', description: 'Bytes stored by uploads, per second.', unit: 'Bps', queries: [['sum(rate(toolflow_upload_bytes_total[$__rate_interval]))', 'bytes']], w: 6 });
  timeseries(l, { title: 'Uploads', description: 'Uploads that ended, per window, by status.', queries: [['sum by (status) (increase(toolflow_uploads_total[$window]))', '{{status}}']], w: 6 }, { stacked: true });
  timeseries(l, { title: 'Upload duration p90', description: 'Creation to successful, p90 over the window.', unit: 's', queries: [[quantile(0.9, 'toolflow_upload_duration_seconds', '', '$window', []), 'p90']], w: 6 });
  timeseries(l, { title: 'Notifications', description: 'Messages notify handed to DingTalk robots and the webhook, per window, by outcome (sent, failed, folded into a digest).', queries: [['sum by (channel, outcome) (increase(toolflow_notifications_total[$window]))', '{{channel}} {{outcome}}']], w: 6 }, { stacked: true });

  l.row('Processes');
  table(l, { title: 'Components up', description: 'Each toolflow target Prometheus scrapes: 1 up, 0 down (alert ToolflowComponentDown).', queries: [['up{job=~"toolflow.*"}', '']], w: 6 });
  timeseries(l, { title: 'Resident memory', description: 'Resident memory of each toolflow process.', unit: 'bytes', queries: [['toolflow_process_resident_memory_bytes', '{{instance}}']], w: 6 });
  timeseries(l, { title: 'Process CPU', description: 'CPU of each toolflow process, cores.', queries: [['rate(toolflow_process_cpu_seconds_total[$__rate_interval])', '{{instance}}']], w: 6 });
  timeseries(l, { title: 'Event loop lag p99', description: "Node.js event loop delay of each toolflow process, p99 (prom-client's monitorEventLoopDelay).", unit: 's', queries: [['toolflow_nodejs_eventloop_lag_p99_seconds', '{{instance}}']], w: 6 });

  l.row('Cluster (kube-state-metrics and cAdvisor)');
  timeseries(l, { title: 'Pods by phase', description: 'Pods of the namespace by phase (kube-state-metrics).', queries: [['sum by (phase) (kube_pod_status_phase{namespace="$namespace"})', '{{phase}}']], w: 8 });
  stat(l, { title: 'Pods Pending', description: 'Pods of the namespace not running yet (alert ToolflowPodsStuckPending past 15 minutes).', queries: [['sum(kube_pod_status_phase{namespace="$namespace", phase="Pending"})', 'Pending']], w: 4, h: 8 });
  timeseries(l, {
    title: 'CPU used and requested',
    description: "The namespace's containers: CPU used (cAdvisor) and requested (kube-state-metrics), cores.",
    queries: [
      [`sum(rate(container_cpu_usage_seconds_total{namespace="$namespace", ${CONTAINERS}}[$__rate_interval]))`, 'used'],
      ['sum(kube_pod_container_resource_requests{namespace="$namespace", resource="cpu"})', 'requested'],
    ],
    w: 6,
  });
  timeseries(l, {
    title: 'Memory used and requested',
    description: "The namespace's containers: working set (cAdvisor) and memory requested (kube-state-metrics).",
    unit: 'bytes',
    queries: [
      [`sum(container_memory_working_set_bytes{namespace="$namespace", ${CONTAINERS}})`, 'working set'],
      ['sum(kube_pod_container_resource_requests{namespace="$namespace", resource="memory"})', 'requested'],
    ],
    w: 6,
  });
  timeseries(l, { title: 'CPU by Pod', description: 'The 10 Pods of the namespace using the most CPU, cores.', queries: [[`topk(10, sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="$namespace", ${CONTAINERS}}[$__rate_interval])))`, '{{pod}}']], w: 8 });
  timeseries(l, { title: 'Memory by Pod', description: 'The 10 Pods of the namespace with the largest working set.', unit: 'bytes', queries: [[`topk(10, sum by (pod) (container_memory_working_set_bytes{namespace="$namespace", ${CONTAINERS}}))`, '{{pod}}']], w: 8 });
  timeseries(l, {
    title: "The cluster's usage",
    description: "All containers' CPU and working set over what the nodes can give Pods (allocatable): alerts ToolflowClusterCpuHigh and ToolflowClusterMemoryHigh past 90% for 30 minutes.",
    unit: 'percentunit',
    queries: [
      [`sum(rate(container_cpu_usage_seconds_total{${CONTAINERS}}[$__rate_interval])) / sum(kube_node_status_allocatable{resource="cpu"})`, 'cpu'],
      [`sum(container_memory_working_set_bytes{${CONTAINERS}}) / sum(kube_node_status_allocatable{resource="memory"})`, 'memory'],
    ],
    w: 8,
  });
  return l;
}

/** The dashboard's JSON model. */
export function toolflowDashboard(): Dashboard {
  return {
    uid: DASHBOARD_UID,
    title: 'toolflow',
    description: 'toolflow: tasks, tools, failures, reruns, durations, queues, events, uploads, notifications, processes, and the cluster it runs on.',
    tags: ['toolflow'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    refresh: '30s',
    fiscalYearStartMonth: 0,
    links: [],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: { list: variables() },
    panels: panels().panels,
  };
}
