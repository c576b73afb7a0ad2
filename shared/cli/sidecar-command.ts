/**
 * `toolflow sidecar`: the native sidecar of a tool attempt's Pod in cluster mode (init container
 * `toolflow-sidecar`, `restartPolicy: Always`). Configured by the environment (`sidecar/settings.ts`);
 * opens the object store only (no database, no bus), sends its reports over gRPC with
 * `ReportClient`, and runs `runSidecar` (`sidecar/sidecar.ts`). Once that is done it idles until
 * SIGTERM and then exits 0: a native sidecar that exits while the Pod runs is restarted by the
 * kubelet (Kubernetes docs, "Sidecar containers"), and the kubelet stops it itself once the tool
 * container has ended. Exit code 1 when an upload failed for good (the kubelet's restart resumes the
 * attempt from the folder's files); 2 for bad configuration.
 *
 * Reports give up after: a Keepalive, the keepalive interval (the next one replaces it); Start and
 * Exit, `TOOLFLOW_REPORT_WAIT_SECONDS` (the wrapper waits that long for `reported`). SIGTERM cancels
 * a Start or Keepalive in flight, never an Exit (the kubelet's grace period bounds it).
 */
import { LocalObjectStore } from '../objects/local-object-store.js';
import type { ObjectStore } from '../objects/object-store.js';
import { runSidecar } from '../sidecar/sidecar.js';
import { sidecarSettings } from '../sidecar/settings.js';
import { makeLogger } from '../runtime/log.js';
import { serveProcessMetrics } from '../metrics/settings.js';

/**
 * Runs the sidecar until SIGTERM (see the module comment).
 * @returns 0, or 1 when the sidecar failed (logged).
 * @throws ConfigError for a missing or malformed variable (exit 2 through `main.ts`);
 *   ServiceUnavailableError or ConfigError when the S3 bucket cannot be used.
 */
export async function sidecarCommand(): Promise<number> {
  const settings = sidecarSettings(process.env);
  const { request } = settings;
  // JSON log lines on stdout (the container's log), every one with the attempt's ids; synchronous: the kubelet may kill the container at any time.
  const log = makeLogger(settings.logLevel, { component: 'toolflow-sidecar', taskId: request.taskId, tool: request.tool, attempt: request.attempt }, 'stdout', { sync: true });
  // One per attempt, so none by default (cAdvisor covers its container); TOOLFLOW_METRICS_PORT asks for them.
  const metrics = await serveProcessMetrics('one-shot', { warn: (m) => log.warn(m), serving: (m, url) => log.info({ metricsUrl: url }, m) });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping');
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let objects: ObjectStore;
  if ('s3' in settings.objects) {
    const { S3ObjectStore } = await import('../objects/s3-object-store.js');
    const s3 = new S3ObjectStore(settings.objects.s3);
    await s3.check();
    objects = s3;
  } else objects = new LocalObjectStore(settings.objects.dir);
  const { ReportClient } = await import('../reports/report-client.js');
  const client = new ReportClient({ address: settings.reportAddress, log });
  const waitMs = settings.reportWaitSeconds * 1000;
  let code = 0;
  try {
    await runSidecar({
      podDir: settings.podDir,
      request,
      objects,
      keepaliveSeconds: settings.keepaliveSeconds,
      log,
      signal: stop.signal,
      report: (r) =>
        client.send(r, settings.reportToken, {
          giveUpAfterMs: r.kind === 'keepalive' ? settings.keepaliveSeconds * 1000 : waitMs,
          ...(r.kind === 'exit' ? {} : { signal: stop.signal }),
        }),
    });
    if (!stop.signal.aborted) log.info('done; waiting for SIGTERM');
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) return resolve();
      // A signal listener alone does not keep Node's event loop alive: a timer does.
      const idle = setInterval(() => {}, 1 << 30);
      stop.signal.addEventListener('abort', () => (clearInterval(idle), resolve()), { once: true });
    });
  } catch (err) {
    log.error({ err: (err as Error).message }, 'sidecar failed: exiting 1 (the kubelet restarts it, and it resumes from the shared folder)');
    code = 1;
  } finally {
    client.close();
    await objects.close?.();
    await metrics?.close();
  }
  return code;
}
