/**
 * `/metrics` on a fastify server (the user API of `toolflow serve`, `toolflow dev` and the `api`
 * function): `GET /metrics`, unauthenticated as Prometheus scrapes, with nothing but metrics (no
 * task id, owner, upload id or file name: `record.ts`); and `toolflow_tasks` counted in the
 * server's store at each scrape. With `TOOLFLOW_METRICS_PORT` set, the metrics move to a server
 * of their own on that port while this one listens (the API's port then has no `/metrics`); with
 * `off`, nothing is served. prom-client is loaded as the server gets ready (`app.ready()`,
 * `listen`), not when the module is imported.
 */
import type { FastifyInstance } from 'fastify';
import type { TaskStatus } from '../scheduler/status.js';
import { addTaskCountSource } from './record.js';
import { loadMetrics, METRICS_PATH, metricsPlan, metricsSetting, startDedicatedMetrics, type MetricsNotices, type MetricsPlan, type ProcessMetrics } from './settings.js';

/** What `toolflow_tasks` reads: the store's counts by status. */
export interface TaskCounter {
  countTasksByStatus(): Promise<Partial<Record<TaskStatus, number>>>;
}

/** A metrics server of its own a fastify app started: its URL (as bound) and the line that says so. */
export interface DedicatedMetrics {
  url: string;
  /** `metrics: serving /metrics on URL` (settings.ts `servingMessage`). */
  message: string;
}

const dedicatedOf = new WeakMap<FastifyInstance, DedicatedMetrics>();

/** The metrics server of its own `app` started (`TOOLFLOW_METRICS_PORT` set), once `app` is ready; undefined when none. */
export function dedicatedMetricsOf(app: FastifyInstance): DedicatedMetrics | undefined {
  return dedicatedOf.get(app);
}

/**
 * Adds `/metrics` to `app` as `plan` says (default: from `TOOLFLOW_METRICS_PORT`, as a process with
 * a server of its own: `metricsPlan('own-server', …)`), with task counts from `store`. A metrics
 * server of its own is logged at info level on `app.log` once it listens (`metrics: serving
 * /metrics on URL`, `metricsUrl`), told to `notices.serving` too, and `dedicatedMetricsOf(app)`.
 * @param notices told, in words for people, when a dedicated metrics port cannot be listened on
 *   (`warn`), and where it listens (`serving`).
 * @throws ConfigError for a malformed `TOOLFLOW_METRICS_PORT` (when `plan` is not given).
 */
export function mountMetrics(app: FastifyInstance, store: TaskCounter, notices: MetricsNotices, plan: MetricsPlan = metricsPlan('own-server', metricsSetting())): void {
  if (!plan.onOwnServer && !plan.dedicated) return;
  let removeSource: (() => void) | undefined;
  let dedicated: ProcessMetrics | undefined;
  // Registered as the instance gets ready: a plugin may be async, a route added in `buildApi` may not.
  void app.register(async (scope) => {
    const metrics = await loadMetrics();
    removeSource = addTaskCountSource(() => store.countTasksByStatus());
    // Up before `listen` resolves (it awaits `ready`): a scrape right after finds it.
    if (plan.dedicated) {
      const told = typeof notices === 'function' ? { warn: notices } : notices;
      dedicated = await startDedicatedMetrics(plan, {
        warn: (m) => told.warn(m),
        serving: (m, url) => {
          app.log.info({ metricsUrl: url }, m);
          dedicatedOf.set(app, { url, message: m });
          told.serving?.(m, url);
        },
      });
    }
    if (!plan.onOwnServer) return;
    scope.get(METRICS_PATH, async (_request, reply) => {
      const { contentType, body } = await metrics.metricsText();
      return reply.code(200).type(contentType).send(body);
    });
  });
  app.addHook('onClose', async () => {
    removeSource?.();
    await dedicated?.close();
  });
}
