/**
 * A Prometheus exporter on loopback serving fixed series in the text exposition format (version
 * 0.0.4), as kube-state-metrics, the kubelet's cAdvisor and toolflow's own processes name them, so
 * a real Prometheus scrapes known values and `toolflow check`'s queries run on them for real.
 *
 * Series (namespace `toolflow`, and one Pod of another namespace that must not count):
 * - `kube_pod_status_phase{namespace, pod, phase}` and `kube_pod_created{namespace, pod}` (unix s)
 *   for each Pod of `pods`;
 * - `container_cpu_usage_seconds_total{namespace, pod, container}`: a counter growing at
 *   `cpuCores` per second for container `work-manager`, and the same again as the Pod's cgroup
 *   (`container=""`) plus a little for `container="POD"` (both must be left out);
 * - `container_memory_working_set_bytes{…}`: `memoryBytes` for `work-manager`, and again for
 *   `container=""`;
 * - `toolflow_tools_running` and `toolflow_queue_depth{queue}`.
 * Every value is read at each scrape from `values`, which a test may change.
 */
import { createServer, type Server } from 'node:http';

/** One Pod: its phase and when it was created (unix seconds). */
export interface FixturePod {
  namespace: string;
  pod: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  created: number;
}

/** What the exporter serves. */
export interface FixtureValues {
  pods: FixturePod[];
  cpuCores: number;
  memoryBytes: number;
  toolsRunning: number;
  queueDepth: Record<string, number>;
}

/** A running exporter. */
export interface FixtureExporter {
  /** `127.0.0.1:PORT`, a scrape target. */
  target: string;
  values: FixtureValues;
  close(): Promise<void>;
}

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

/** Starts the exporter on a free port, serving `values` (kept, and read at every scrape). */
export async function startFixtureExporter(values: FixtureValues): Promise<FixtureExporter> {
  const started = Date.now() / 1000;
  const body = () => {
    const now = Date.now() / 1000;
    const cpu = values.cpuCores * (now - started);
    const lines = ['# TYPE kube_pod_status_phase gauge'];
    for (const p of values.pods) for (const phase of PHASES) lines.push(`kube_pod_status_phase{namespace="${p.namespace}",pod="${p.pod}",phase="${phase}"} ${p.phase === phase ? 1 : 0}`);
    lines.push('# TYPE kube_pod_created gauge');
    for (const p of values.pods) lines.push(`kube_pod_created{namespace="${p.namespace}",pod="${p.pod}"} ${p.created}`);
    lines.push(
      '# TYPE container_cpu_usage_seconds_total counter',
      `container_cpu_usage_seconds_total{namespace="toolflow",pod="wm-1",container="work-manager"} ${cpu}`,
      `container_cpu_usage_seconds_total{namespace="toolflow",pod="wm-1",container=""} ${cpu}`,
      `container_cpu_usage_seconds_total{namespace="toolflow",pod="wm-1",container="POD"} ${cpu / 100}`,
      `container_cpu_usage_seconds_total{namespace="other",pod="x",container="app"} ${cpu * 10}`,
      '# TYPE container_memory_working_set_bytes gauge',
      `container_memory_working_set_bytes{namespace="toolflow",pod="wm-1",container="work-manager"} ${values.memoryBytes}`,
      `container_memory_working_set_bytes{namespace="toolflow",pod="wm-1",container=""} ${values.memoryBytes}`,
      `container_memory_working_set_bytes{namespace="other",pod="x",container="app"} ${values.memoryBytes * 10}`,
      '# TYPE toolflow_tools_running gauge',
      `toolflow_tools_running ${values.toolsRunning}`,
      '# TYPE toolflow_queue_depth gauge',
      ...Object.entries(values.queueDepth).map(([q, n]) => `toolflow_queue_depth{queue="${q}"} ${n}`),
    );
    return `${lines.join('\n')}\n`;
  };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    target: `127.0.0.1:${(server.address() as { port: number }).port}`,
    values,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
