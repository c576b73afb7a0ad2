/**
 * Where cluster mode's Pods serve `/metrics`, so that the PodMonitors of
 * knative/monitoring/30-pod-monitor.yaml find them: each toolflow container that serves metrics is
 * given `TOOLFLOW_METRICS_PORT` (its `env`, which wins over the deployment's ConfigMap in
 * `envFrom`: Kubernetes docs, "Define Environment Variables for a Container") and declares the
 * port by the name `metrics`, which the PodMonitors scrape (`port: metrics`) in the Pods their
 * labels select (`toolflow.io/role`, `app.kubernetes.io/managed-by: toolflow`).
 *
 * | Pod (label `toolflow.io/role`) | container | port `metrics` | variable (of the process that makes the Jobs) |
 * | --- | --- | --- | --- |
 * | a task's work manager (`work-manager`) | `work-manager` | 9464 | `TOOLFLOW_WORK_MANAGER_METRICS_PORT` |
 * | a tool attempt (`tool`) | `toolflow-sidecar` (the native sidecar) | 9465 | `TOOLFLOW_SIDECAR_METRICS_PORT` |
 *
 * The sidecar shares its Pod's network with the tool, so it keeps off 9464 (the port OpenTelemetry's
 * Prometheus exporter, which a tool may use, listens on). Each variable takes a port (`9464`),
 * `HOST:PORT` (listened on as given; the Pod declares PORT: for Pods that share this machine's
 * network, as in tests) or `off` (`TOOLFLOW_METRICS_PORT=off`: no metrics, no port declared).
 */
import type { V1ContainerPort, V1EnvVar } from '@kubernetes/client-node';
import { ConfigError } from '../../errors.js';
import { DEFAULT_METRICS_PORT, metricsSetting } from '../../metrics/settings.js';

/** The name of the metrics port of toolflow's containers, which the PodMonitors scrape. */
export const METRICS_PORT_NAME = 'metrics';
/** The work manager's metrics port by default: every long-lived process's (`DEFAULT_METRICS_PORT`). */
export const WORK_MANAGER_METRICS_PORT = DEFAULT_METRICS_PORT;
/** The sidecar's metrics port by default: beside, not on, 9464 (the tool shares its network). */
export const SIDECAR_METRICS_PORT = 9465;

/** Where one container serves metrics: `TOOLFLOW_METRICS_PORT`'s value and the port its Pod declares; or off. */
export type PodMetrics = { listen: string; port: number } | 'off';

/**
 * Reads `variable` of `env`: unset or empty is `fallback`, else a port from 1 to 65535,
 * `HOST:PORT` or `off`.
 * @throws ConfigError naming the variable and the forms it takes (port 0 too: a Pod declares a fixed port).
 */
export function podMetricsFrom(env: NodeJS.ProcessEnv, variable: string, fallback: number): PodMetrics {
  const raw = (env[variable] ?? '').trim();
  const refuse = () => new ConfigError(`${variable}=${raw}: give a port from 1 to 65535 (${fallback}), HOST:PORT or off`);
  let setting: ReturnType<typeof metricsSetting>;
  try {
    setting = metricsSetting({ TOOLFLOW_METRICS_PORT: raw });
  } catch {
    throw refuse();
  }
  if (setting.mode === 'off') return 'off';
  if (setting.mode === 'default') return { listen: String(fallback), port: fallback };
  if (setting.port === 0) throw refuse();
  return { listen: raw, port: setting.port };
}

/** The container's `TOOLFLOW_METRICS_PORT` (`off` when off: the ConfigMap's value never applies). */
export function metricsEnv(metrics: PodMetrics): V1EnvVar[] {
  return [{ name: 'TOOLFLOW_METRICS_PORT', value: metrics === 'off' ? 'off' : metrics.listen }];
}

/** The container's port `metrics`, none when off. */
export function metricsPorts(metrics: PodMetrics): V1ContainerPort[] {
  return metrics === 'off' ? [] : [{ name: METRICS_PORT_NAME, containerPort: metrics.port, protocol: 'TCP' }];
}
