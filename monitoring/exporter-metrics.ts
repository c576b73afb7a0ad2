/**
 * The metrics of standard exporters that toolflow's dashboard and rules query, with the labels
 * each has, written down from the exporters' own sources (no such exporter runs in the tests, so
 * test/monitoring checks every query on them against this list instead):
 *
 * - kube-state-metrics, docs/metrics/workload/pod-metrics.md and docs/metrics/cluster/node-metrics.md
 *   (github.com/kubernetes/kube-state-metrics): `kube_pod_status_phase` (STABLE; `phase` is
 *   Pending|Running|Succeeded|Failed|Unknown), `kube_pod_container_resource_requests` (STABLE; cpu in
 *   cores, memory in bytes), `kube_node_status_allocatable` (STABLE).
 * - cAdvisor, metrics/prometheus.go (github.com/google/cadvisor): `container_cpu_usage_seconds_total`
 *   (counter, seconds; label `cpu`) and `container_memory_working_set_bytes` (gauge, bytes), with the
 *   base labels `id`, `name`, `image`; the kubelet, which serves them at /metrics/cadvisor, adds
 *   `pod`, `namespace` and `container` (kubernetes/kubernetes pkg/kubelet/server/server.go,
 *   `containerPrometheusLabelsFunc`; `container` is empty for a Pod's own cgroup).
 *
 * Scrape labels (`job`, `instance`, and what a ServiceMonitor adds) are not listed: a query may use
 * them on any metric.
 */

/** One exporter metric: who exposes it and the labels it carries. */
export interface ExporterMetric {
  exporter: 'kube-state-metrics' | 'cadvisor';
  type: 'gauge' | 'counter';
  labels: readonly string[];
}

/** The exporter metrics toolflow uses, by name. */
export const EXPORTER_METRICS: Readonly<Record<string, ExporterMetric>> = {
  kube_pod_status_phase: { exporter: 'kube-state-metrics', type: 'gauge', labels: ['namespace', 'pod', 'uid', 'phase'] },
  kube_pod_container_resource_requests: { exporter: 'kube-state-metrics', type: 'gauge', labels: ['namespace', 'pod', 'uid', 'container', 'node', 'resource', 'unit'] },
  kube_node_status_allocatable: { exporter: 'kube-state-metrics', type: 'gauge', labels: ['node', 'resource', 'unit'] },
  container_cpu_usage_seconds_total: { exporter: 'cadvisor', type: 'counter', labels: ['id', 'name', 'image', 'cpu', 'namespace', 'pod', 'container'] },
  container_memory_working_set_bytes: { exporter: 'cadvisor', type: 'gauge', labels: ['id', 'name', 'image', 'namespace', 'pod', 'container'] },
};

/** Labels Prometheus (or the Prometheus Operator's service discovery) puts on every scraped series. */
export const SCRAPE_LABELS: readonly string[] = ['job', 'instance', 'namespace', 'pod', 'service', 'endpoint', 'node', 'metrics_path'];
