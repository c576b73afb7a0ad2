/**
 * The work manager's process in cluster mode serves `/metrics` (issue 12 §1): the whole of cluster
 * mode on the Kubernetes API test double (`test/support/cluster-stack.ts`), where the work-manager
 * Job's Pod runs `toolflow work-manager TASK` with `TOOLFLOW_METRICS_PORT` from its Job
 * (`TOOLFLOW_WORK_MANAGER_METRICS_PORT` of the process that made it, here `127.0.0.1:<free port>`:
 * every Pod of the double shares this machine's network) and declares that port as `metrics`, the
 * port the PodMonitor scrapes. While the task's tool runs, a scrape of that declared port shows the
 * sidecar's gRPC reports and the running tool; no task id appears in it; the tool Pod's sidecar
 * answers on its own declared port (`TOOLFLOW_SIDECAR_METRICS_PORT`). The submitting `toolflow run`
 * is told `off`, so the ports are the Pods'. Counts, not times.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, runInBackground, startClusterStack, type ClusterStack } from '../support/cluster-stack.js';
import { skipped } from '../support/services.js';
import { scrape, type Family } from './scrape.js';

const all = !skipped('mysql') && !skipped('rabbitmq') && !skipped('etcd');
const value = (f: Map<string, Family>, family: string, labels: Record<string, string> = {}) => f.get(family)?.samples.find((s) => s.name === family && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe.skipIf(!all)('toolflow work-manager in cluster mode', () => {
  let stack: ClusterStack;
  let port: number;
  let sidecarPort: number;
  beforeAll(async () => {
    port = await freePort();
    sidecarPort = await freePort();
    stack = await startClusterStack(inject('etcdEndpoints'), {}, { TOOLFLOW_WORK_MANAGER_METRICS_PORT: `127.0.0.1:${port}`, TOOLFLOW_SIDECAR_METRICS_PORT: `127.0.0.1:${sidecarPort}` });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('serves the reports it receives and its running tools on the port its Pod declares as metrics; the sidecar on its own', async () => {
    const run = runInBackground(stack, "name: wm-metrics\ntools:\n  - name: nap\n    cmds: ['sleep 4']\n", [], { TOOLFLOW_METRICS_PORT: 'off' });
    const taskId = await run.taskId();
    const ours = (role: string) => stack.kube.pods('toolflow').find((p) => p.metadata!.labels?.['toolflow.io/task'] === taskId && p.metadata!.labels?.['toolflow.io/role'] === role);
    const declared = (role: string, container: string) => [...(ours(role)?.spec?.initContainers ?? []), ...(ours(role)?.spec?.containers ?? [])].find((c) => c.name === container)?.ports?.find((p) => p.name === 'metrics')?.containerPort;
    await stack.kube.waitFor(() => (ours('work-manager') ? true : undefined), 60_000, 'the work manager’s Pod');
    expect(declared('work-manager', 'work-manager')).toBe(port);
    const url = `http://127.0.0.1:${declared('work-manager', 'work-manager')}/metrics`;
    let families: Map<string, Family> | undefined;
    let text = '';
    for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 100))) {
      const got = await scrape(url).catch(() => undefined);
      if (got && value(got.families, 'toolflow_tools_running') === 1) {
        ({ families, text } = got);
        break;
      }
      if (Date.now() - t0 > 60_000) throw new Error(`the work manager's metrics never showed the tool running\n${stack.dump()}`);
    }
    expect(value(families, 'toolflow_work_manager_reports_total', { kind: 'start' })).toBe(1);
    expect(families.get('toolflow_tool_queue_wait_seconds')?.samples.find((s) => s.name === 'toolflow_tool_queue_wait_seconds_count' && s.labels.tool === 'nap')?.value).toBe(1);
    expect(families.get('toolflow_process_resident_memory_bytes')?.type).toBe('gauge');
    expect(text).not.toContain(taskId);
    // The tool runs (sleep 4): its sidecar serves on the port its Pod declares.
    expect(declared('tool', 'toolflow-sidecar')).toBe(sidecarPort);
    const sidecar = await scrape(`http://127.0.0.1:${sidecarPort}/metrics`);
    expect(sidecar.families.get('toolflow_process_resident_memory_bytes')?.type).toBe('gauge');
    expect(sidecar.text).not.toContain(taskId);
    const done = await run.done;
    expect(done.code, `${done.stderr}\n${stack.dump()}`).toBe(0);
  });
});
