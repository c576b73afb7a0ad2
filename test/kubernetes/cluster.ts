/**
 * A small cluster for the executor's tests: the Kubernetes API double (its kubelet runs each Pod's
 * containers as local processes: the tool container `/bin/sh -c TOOL_WRAPPER`, the sidecar the
 * built `toolflow sidecar` through a `toolflow` shim on the PATH), a real report server standing
 * for the work manager's (it takes every sidecar report), a local object store shared with the
 * sidecars (`TOOLFLOW_HOME`), and API proxies in front of the double (faults, and what each part
 * calls). Needs `npm run build` (the sidecar runs from dist/).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ToolReport } from '../../shared/executor/executor.js';
import { KubernetesExecutor, type KubernetesExecutorDeps } from '../../shared/executor/kubernetes/kubernetes-executor.js';
import { loadKubeConfig, type KubernetesSettings } from '../../shared/executor/kubernetes/settings.js';
import { KubernetesWorkManagerLauncher } from '../../shared/executor/kubernetes/work-manager-launcher.js';
import { newTaskId } from '../../shared/handlers/validate.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { startReportServer, type ReportServer } from '../../shared/reports/report-server.js';
import { startKubeApi, type KubeDouble } from '../support/kube-double/index.js';
import { BIN } from '../support/cli.js';
import { startApiProxy, type ApiProxy } from './api-proxy.js';
import { requestFor, settingsFrom, TEST_SECRET } from './fixtures.js';

/** The pieces a test uses. */
export interface Cluster {
  double: KubeDouble;
  settings: KubernetesSettings;
  objects: LocalObjectStore;
  /** Every report the sidecars sent, in arrival order. */
  sidecarReports: ToolReport[];
  log: Logger;
  /** A proxy to the double and a client configuration through it. */
  client(): Promise<{ proxy: ApiProxy; kubeConfig: KubeConfig }>;
  /** A Kubernetes executor through its own proxy. */
  executor(watch?: KubernetesExecutorDeps['watch']): Promise<{ executor: KubernetesExecutor; proxy: ApiProxy }>;
  /** A new task with its work-manager Job (whose Pod is held Pending: no work manager runs here). */
  task(): Promise<string>;
  close(): Promise<void>;
}

/** Polls `f` every 50 ms until it returns a truthy value. @throws naming `what` after `timeoutMs`. */
export async function until<T>(f: () => T | undefined | null | false, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A small attempt of `task`: `cmds` in the default tool image, no inputs or dependencies. */
export function attempt(taskId: string, tool: string, cmds: string[], changes: Parameters<typeof requestFor>[0] = {}) {
  return requestFor({
    taskId,
    tool,
    attempt: 1,
    inputs: {},
    deps: [],
    ...changes,
    spec: { name: tool, cmds, outputs: [], image: null, env: {}, ...changes.spec },
    resources: { cpuMillicores: 100, memBytes: 256 * 1024 ** 2, diskBytes: null, timeSeconds: null, ...changes.resources },
  });
}

/** Starts the cluster. */
export async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const home = mkdtempSync(join(tmpdir(), 'tf-kube-home-'));
  const shims = mkdtempSync(join(tmpdir(), 'tf-kube-bin-'));
  const shim = join(shims, 'toolflow');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  const double = await startKubeApi({ namespaces: ['toolflow'], path: `${shims}:${process.env.PATH}`, probeSecondMs: 100, imagePullBackOffMs: 200 });
  const log = pino({ level: process.env.TOOLFLOW_TEST_LOG ?? 'silent' });
  const sidecarReports: ToolReport[] = [];
  const reports: ReportServer = await startReportServer({
    listen: '127.0.0.1:0',
    secret: TEST_SECRET,
    deliver: (r) => {
      sidecarReports.push(r);
      return 'accepted';
    },
    log,
  });
  const settings = settingsFrom(
    {
      TOOLFLOW_HOME: home,
      TOOLFLOW_REPORT_ADDRESS: `127.0.0.1:${reports.port}`,
      TOOLFLOW_TERMINATION_GRACE_SECONDS: '2',
      TOOLFLOW_UNSCHEDULABLE_SECONDS: '1',
      TOOLFLOW_REPORT_WAIT_SECONDS: '20',
      TOOLFLOW_LOG_LEVEL: 'warn',
      ...env,
    },
    { startTimeoutSeconds: 60 },
  );
  const objects = new LocalObjectStore(join(home, 'objects'));
  const proxies: ApiProxy[] = [];
  let n = 0;
  const client = async () => {
    const proxy = await startApiProxy(double.url);
    proxies.push(proxy);
    const path = join(home, `kubeconfig-${++n}.yaml`);
    writeFileSync(path, readFileSync(double.kubeconfigPath, 'utf8').replace(double.url, proxy.url), { mode: 0o600 });
    return { proxy, kubeConfig: await loadKubeConfig({ kubeconfigPath: path }) };
  };
  const executors: KubernetesExecutor[] = [];
  const { kubeConfig: launcherConfig } = await client();
  const launcher = new KubernetesWorkManagerLauncher(settings, { kubeConfig: launcherConfig, log });
  double.holdPending({ 'toolflow.io/role': 'work-manager' });
  return {
    double,
    settings,
    objects,
    sidecarReports,
    log,
    client,
    async executor(watch = { serverTimeoutSeconds: 30, deadlineMarginSeconds: 10, relistSeconds: 30 }) {
      const { proxy, kubeConfig } = await client();
      const executor = new KubernetesExecutor(settings, { kubeConfig, objects, log, watch });
      executors.push(executor);
      return { executor, proxy };
    },
    async task() {
      const id = newTaskId();
      await launcher.launch(id);
      return id;
    },
    async close() {
      for (const e of executors) await e.close();
      await reports.close();
      await double.close();
      for (const p of proxies) await p.close();
      for (const d of [home, shims]) rmSync(d, { recursive: true, force: true });
    },
  };
}
