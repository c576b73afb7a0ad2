/**
 * `toolflow work-manager TASK`: the program of a task's work-manager Job in cluster mode (and of a
 * work manager run as a process of its own elsewhere). It takes the task's lock, rebuilds the task
 * from the store (attempts that outlive it, Kubernetes Jobs, are adopted, not rerun), serves the
 * sidecars' gRPC reports (`TOOLFLOW_REPORT_LISTEN`, default `0.0.0.0:50051`; reports that come
 * before it is ready are answered UNAVAILABLE, so their senders try again), drives the task to its
 * end and exits. It runs no function: the event functions run elsewhere (Knative Services, OpenFaaS,
 * `toolflow serve`).
 *
 * Exit codes: 0 once the task has ended (whatever its result: the Job did its work), 2 for bad
 * configuration or an unknown task, 3 when its lock was lost or it was stopped by SIGTERM before the
 * end (the Job's next Pod, or `toolflow resume`, takes the task over).
 */
import { ConfigError, LeaseLostError } from '../errors.js';
import { isTerminal } from '../scheduler/status.js';
import { loadConfig } from '../runtime/config.js';
import { createRuntime } from '../runtime/runtime.js';
import { makeLogger } from '../runtime/log.js';
import { metricsPlan, metricsSetting, startDedicatedMetrics, type ProcessMetrics } from '../metrics/settings.js';

/**
 * Runs the work manager of `taskId` until the task ends or SIGTERM/SIGINT.
 * @returns the exit code (see the module comment).
 * @throws ConfigError when `TOOLFLOW_REPORT_SECRET` is unset or the configuration is bad;
 *   ServiceUnavailableError for a backend that does not answer.
 */
export async function workManagerCommand(taskId: string): Promise<number> {
  const config = loadConfig();
  const secret = config.reportSecret;
  if (!secret) throw new ConfigError('toolflow work-manager checks each report\'s attempt token: set TOOLFLOW_REPORT_SECRET (the same value schedule-tool has), e.g. to the output of `openssl rand -hex 32`');
  // JSON log lines on stdout (the Job's container log), every one with the task's id.
  const log = makeLogger(config.logLevel, { component: 'work-manager', taskId }, 'stdout');
  const metricsAt = metricsPlan('daemon', metricsSetting()); // TOOLFLOW_METRICS_PORT: default port 9464
  const runtime = await createRuntime(config, { log, routeShared: false });
  const { startReportServer } = await import('../reports/report-server.js');
  let server: Awaited<ReturnType<typeof startReportServer>> | undefined;
  let metrics: ProcessMetrics | undefined;
  const stop = new AbortController();
  const onSignal = () => {
    log.warn('stopping: the task is left to the next work manager');
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const task = await runtime.ports.store.getTask(taskId);
    if (!task) throw new ConfigError(`no task ${taskId}`);
    if (isTerminal(task.status)) {
      process.stderr.write(`toolflow work-manager: task ${taskId} has finished (${task.status}); nothing to do\n`);
      return 0;
    }
    server = await startReportServer({ listen: config.reportListen, secret, deliver: (r) => runtime.deliverReport(r), log });
    process.stderr.write(`toolflow work-manager: task ${taskId}, reports on port ${server.port}\n`);
    // Reports, running tools, durations, queue waits, watchdog verdicts (shared/metrics/).
    metrics = await startDedicatedMetrics(metricsAt, {
      warn: (m) => log.warn(m),
      serving: (m, url) => {
        log.info({ metricsUrl: url }, m);
        process.stderr.write(`toolflow work-manager: ${m}\n`);
      },
    });
    const resumed = await runtime.resume(taskId, { signal: stop.signal, onWait: (m) => process.stderr.write(`${m}\n`), inProcess: true });
    const ended = resumed.finished ? undefined : runtime.waitFor(taskId);
    const stopped = new Promise<'stopped'>((r) => stop.signal.addEventListener('abort', () => r('stopped'), { once: true }));
    const outcome = ended ? await Promise.race([ended, stopped]) : undefined;
    if (outcome === 'stopped') return 3;
    process.stderr.write(`toolflow work-manager: task ${taskId} ended${outcome ? ` (${outcome.type.replace('io.toolflow.task.', '')})` : ''}\n`);
    return 0;
  } catch (err) {
    if (stop.signal.aborted || err instanceof LeaseLostError) {
      process.stderr.write(`toolflow work-manager: ${(err as Error).message}\n`);
      return 3;
    }
    throw err;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await server?.close();
    await metrics?.close();
    await runtime.close();
  }
}
