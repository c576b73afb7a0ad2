/**
 * Cluster mode's Pods can be scraped (shared/executor/kubernetes/pod-metrics.ts): the work-manager
 * Job's Pod declares the container port `metrics` (9464) and its container gets
 * `TOOLFLOW_METRICS_PORT` set to it; each tool Job's native sidecar the same on 9465 (the tool
 * shares its network); and the PodMonitors of knative/monitoring/30-pod-monitor.yaml (validated
 * with @kubernetes-models/prometheus-operator) select those Pods by their labels and scrape that
 * port by name — the Prometheus Operator drops a target whose port the Pod does not declare, which
 * is what the work managers' PodMonitor met before (no port declared: it selected nothing).
 */
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { Job } from 'kubernetes-models/batch/v1';
import { describe, expect, it } from 'vitest';
import type { V1Container, V1Job } from '@kubernetes/client-node';
import { toolJob, workManagerJob, WORK_MANAGER_CONTAINER } from '../../shared/executor/kubernetes/manifests.js';
import { SIDECAR_CONTAINER, TOOL_CONTAINER } from '../../shared/sidecar/pod-layout.js';
import { loadManifests, type Manifest } from '../deploy/manifests.js';
import { requestFor, settingsFrom } from './fixtures.js';

interface Monitor {
  metadata: { name: string };
  spec: { selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] }; podMetricsEndpoints: { port?: string; portNumber?: number; path: string; relabelings: { targetLabel: string; replacement?: string }[] }[] };
}

const ctx = { token: 'the-attempt-token-abcdefghijklmnopqrstuvwxyz0123456', ownerUid: '6a1e0a7e-0000-4000-8000-000000000001', reportAddress: 'tf-0123456789ab-wm.toolflow.svc:50051' };
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const monitors = loadManifests('knative/monitoring').filter((m) => m.kind === 'PodMonitor') as (Manifest & Monitor)[];
const monitor = (name: string) => monitors.find((m) => m.metadata.name === name)!;
const selects = (m: Monitor, labels: Record<string, string>) => !m.spec.selector.matchExpressions && Object.entries(m.spec.selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
const containers = (job: V1Job): V1Container[] => [...(job.spec!.template.spec!.initContainers ?? []), ...job.spec!.template.spec!.containers];
const envOf = (c: V1Container, name: string) => c.env?.find((e) => e.name === name)?.value;

/**
 * What a PodMonitor scrapes in the Pod of `job`, as the Prometheus Operator and Prometheus' pod
 * discovery find it: the container (init containers included) declaring the endpoint's port name.
 */
function scraped(m: Monitor, job: V1Job): { container: string; port: number; listen: string | undefined }[] {
  const labels = job.spec!.template.metadata!.labels!;
  if (!selects(m, labels)) return [];
  return m.spec.podMetricsEndpoints.flatMap((e) =>
    containers(job).flatMap((c) => (c.ports ?? []).filter((p) => p.name === e.port).map((p) => ({ container: c.name, port: p.containerPort, listen: envOf(c, 'TOOLFLOW_METRICS_PORT') }))),
  );
}

describe('cluster mode’s Pods and the PodMonitors that scrape them', () => {
  const settings = settingsFrom();
  const wm = workManagerJob('0123456789ab', settings);
  const tool = toolJob(requestFor(), settings, ctx);

  it('the Jobs validate with their metrics ports, and the PodMonitors against the Prometheus Operator’s schema', () => {
    for (const job of [wm, tool]) expect(() => new Job(plain(job) as never).validate()).not.toThrow();
    expect(monitors.map((m) => m.metadata.name)).toEqual(['toolflow-functions', 'toolflow-work-managers', 'toolflow-sidecars']);
    for (const m of monitors) {
      const { where: _w, ...object } = m;
      expect(() => new PodMonitor(object as never).validate(), m.where).not.toThrow();
    }
  });

  it('the work manager’s Pod declares port metrics 9464 and its container listens there (TOOLFLOW_METRICS_PORT)', () => {
    const c = wm.spec!.template.spec!.containers.find((x) => x.name === WORK_MANAGER_CONTAINER)!;
    expect(c.ports).toContainEqual({ name: 'metrics', containerPort: 9464, protocol: 'TCP' });
    expect(envOf(c, 'TOOLFLOW_METRICS_PORT')).toBe('9464');
    expect(wm.spec!.template.metadata!.labels).toMatchObject({ 'toolflow.io/role': 'work-manager', 'app.kubernetes.io/managed-by': 'toolflow' });
  });

  it('the tool Pod’s sidecar declares port metrics 9465 and listens there; the tool container has neither', () => {
    const pod = tool.spec!.template.spec!;
    const sidecar = pod.initContainers!.find((x) => x.name === SIDECAR_CONTAINER)!;
    expect(sidecar.ports).toEqual([{ name: 'metrics', containerPort: 9465, protocol: 'TCP' }]);
    expect(envOf(sidecar, 'TOOLFLOW_METRICS_PORT')).toBe('9465');
    const toolContainer = pod.containers.find((x) => x.name === TOOL_CONTAINER)!;
    expect(toolContainer.ports).toBeUndefined();
    expect(envOf(toolContainer, 'TOOLFLOW_METRICS_PORT')).toBeUndefined();
    // Port names are unique in a Pod.
    const names = containers(tool).flatMap((c) => (c.ports ?? []).map((p) => p.name));
    expect(new Set(names).size).toBe(names.length);
  });

  it('toolflow-work-managers scrapes the work manager (and no tool Pod), toolflow-sidecars each sidecar (and no work manager), on the port each listens on', () => {
    expect(scraped(monitor('toolflow-work-managers'), wm)).toEqual([{ container: WORK_MANAGER_CONTAINER, port: 9464, listen: '9464' }]);
    expect(scraped(monitor('toolflow-work-managers'), tool)).toEqual([]);
    expect(scraped(monitor('toolflow-sidecars'), tool)).toEqual([{ container: SIDECAR_CONTAINER, port: 9465, listen: '9465' }]);
    expect(scraped(monitor('toolflow-sidecars'), wm)).toEqual([]);
    // The functions' PodMonitor takes neither (they are not app.kubernetes.io/part-of: toolflow).
    for (const job of [wm, tool]) expect(scraped(monitor('toolflow-functions'), job)).toEqual([]);
    for (const [name, component] of [['toolflow-work-managers', 'work-manager'], ['toolflow-sidecars', 'sidecar']] as const) {
      const [endpoint] = monitor(name).spec.podMetricsEndpoints;
      expect(endpoint).toMatchObject({ port: 'metrics', path: '/metrics' });
      expect(endpoint!.portNumber).toBeUndefined();
      expect(endpoint!.relabelings).toEqual([{ targetLabel: 'job', replacement: 'toolflow' }, { targetLabel: 'component', replacement: component }]);
    }
  });

  it('TOOLFLOW_WORK_MANAGER_METRICS_PORT and TOOLFLOW_SIDECAR_METRICS_PORT move the ports (HOST:PORT kept as given) or turn them off', () => {
    const moved = settingsFrom({ TOOLFLOW_WORK_MANAGER_METRICS_PORT: '9100', TOOLFLOW_SIDECAR_METRICS_PORT: '127.0.0.1:9200' });
    expect(scraped(monitor('toolflow-work-managers'), workManagerJob('0123456789ab', moved))).toEqual([{ container: WORK_MANAGER_CONTAINER, port: 9100, listen: '9100' }]);
    expect(scraped(monitor('toolflow-sidecars'), toolJob(requestFor(), moved, ctx))).toEqual([{ container: SIDECAR_CONTAINER, port: 9200, listen: '127.0.0.1:9200' }]);
    const off = settingsFrom({ TOOLFLOW_WORK_MANAGER_METRICS_PORT: 'off', TOOLFLOW_SIDECAR_METRICS_PORT: 'OFF' });
    const wmOff = workManagerJob('0123456789ab', off);
    const toolOff = toolJob(requestFor(), off, ctx);
    expect(wmOff.spec!.template.spec!.containers[0]!.ports).toEqual([{ name: 'grpc-reports', containerPort: 50051, protocol: 'TCP' }]);
    expect(envOf(wmOff.spec!.template.spec!.containers[0]!, 'TOOLFLOW_METRICS_PORT')).toBe('off');
    expect(toolOff.spec!.template.spec!.initContainers![0]!.ports).toBeUndefined();
    expect(envOf(toolOff.spec!.template.spec!.initContainers![0]!, 'TOOLFLOW_METRICS_PORT')).toBe('off');
    for (const job of [wmOff, toolOff]) expect(() => new Job(plain(job) as never).validate()).not.toThrow();
    for (const [variable, value] of [['TOOLFLOW_WORK_MANAGER_METRICS_PORT', '0'], ['TOOLFLOW_WORK_MANAGER_METRICS_PORT', 'metrics'], ['TOOLFLOW_SIDECAR_METRICS_PORT', '70000'], ['TOOLFLOW_SIDECAR_METRICS_PORT', 'host:']] as const) {
      const fallback = variable === 'TOOLFLOW_SIDECAR_METRICS_PORT' ? 9465 : 9464;
      expect(() => settingsFrom({ [variable]: value }), `${variable}=${value}`).toThrow(`${variable}=${value}: give a port from 1 to 65535 (${fallback}), HOST:PORT or off`);
    }
  });
});
