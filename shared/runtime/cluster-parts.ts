/**
 * The parts cluster mode adds to a process's ports (`TOOLFLOW_EXECUTOR=kubernetes`): the Kubernetes
 * executor (attempts as Jobs, any process may start them), the work-manager launcher (a Job and a
 * Service per task) and the way reports reach a task's work manager from a process that does not
 * run it (gRPC to its Service, each report carrying its attempt's token). Imported only in cluster
 * mode, so the other modes never load `@kubernetes/client-node` or `@grpc/grpc-js`.
 */
import type { Logger } from 'pino';
import type { Executor, ReportSink } from '../executor/executor.js';
import type { KubernetesSettings } from '../executor/kubernetes/settings.js';
import type { ObjectStore } from '../objects/object-store.js';
import type { WorkManagerLauncher } from './ports.js';

/** What cluster mode adds. */
export interface ClusterParts {
  executor: Executor;
  workManagers: WorkManagerLauncher;
  /** Where reports about a task's attempts go from a process that does not drive it: its work manager's gRPC endpoint. */
  remoteReports(taskId: string): ReportSink;
  /** Closes the report clients (the executor is closed by its owner). */
  close(): void;
}

/**
 * Opens the cluster parts.
 * @throws ConfigError when no kubeconfig (file or in-cluster service account) can be loaded.
 */
export async function openClusterParts(settings: KubernetesSettings, objects: ObjectStore, log: Logger): Promise<ClusterParts> {
  const [{ KubernetesExecutor }, { KubernetesWorkManagerLauncher }, { loadKubeConfig, reportAddressOf }, { remoteReportSink }] = await Promise.all([
    import('../executor/kubernetes/kubernetes-executor.js'),
    import('../executor/kubernetes/work-manager-launcher.js'),
    import('../executor/kubernetes/settings.js'),
    import('../reports/report-client.js'),
  ]);
  const kubeConfig = await loadKubeConfig(settings);
  const executor = new KubernetesExecutor(settings, { kubeConfig, objects, log });
  const workManagers = new KubernetesWorkManagerLauncher(settings, { kubeConfig, log });
  const sinks = new Map<string, ReturnType<typeof remoteReportSink>>();
  return {
    executor,
    workManagers,
    remoteReports(taskId) {
      const address = reportAddressOf(settings.reportAddress, taskId, settings.namespace);
      let sink = sinks.get(address);
      if (!sink) {
        sink = remoteReportSink(address, settings.reportSecret, log);
        sinks.set(address, sink);
      }
      return sink;
    },
    close() {
      for (const s of sinks.values()) s.close();
      sinks.clear();
    },
  };
}
