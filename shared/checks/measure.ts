/**
 * What `toolflow check` measures, each a PromQL range query over the period, and how a value is
 * read from it: the **highest** value in the period (and when it was), beside the mean.
 *
 * | check | PromQL (namespace `NS`) | from |
 * | --- | --- | --- |
 * | `pending-pods` | `count((kube_pod_status_phase{namespace="NS",phase="Pending"} == 1) and on(namespace, pod) (time() - kube_pod_created{namespace="NS"} > FOR)) or vector(0)`: Pods Pending and created more than `pendingFor` ago | kube-state-metrics |
 * | `pods` | `sum(kube_pod_status_phase{namespace="NS",phase=~"Pending|Running"}) or vector(0)` | kube-state-metrics |
 * | `cpu` | `sum(rate(container_cpu_usage_seconds_total{namespace="NS",container!="",container!="POD"}[W]))`, cores | cAdvisor (the kubelet) |
 * | `memory` | `sum(container_memory_working_set_bytes{namespace="NS",container!="",container!="POD"})`, bytes | cAdvisor |
 * | `running-tools` | `sum(toolflow_tools_running)` | toolflow's work managers |
 * | `queue-depth` | `max by (queue) (toolflow_queue_depth)`: the deepest queue | toolflow's connectors |
 *
 * cAdvisor's series with `container=""` (the Pod's cgroup, the sum of its containers) and
 * `container="POD"` (the pause container) are left out, so nothing is counted twice.
 *
 * **The step** (`checkRange`): the period / 60, between 1 s and 60 s — unless that makes more than
 * `MAX_POINTS` (5,000) points a series: then the period / 5,000, rounded up to whole minutes
 * (`--period 30d`: 9 minutes, 4,800 points). Prometheus refuses a range query of more than 11,000
 * points a series (`exceeded maximum resolution of 11,000 points per timeseries`: web/api/v1/api.go,
 * prometheus.io/docs/prometheus/latest/querying/api "Range queries"), which the 60 s step reached
 * past 7.6 days. The range ends now and reaches back a whole number of steps, at least the period.
 * With a step longer than 60 s the gauges are read once a step (a peak shorter than a step can fall
 * between two points).
 *
 * The rate's window `W` is the `rateWindow` setting (2 minutes by default: 4 scrapes of
 * Prometheus' default 1-minute interval, as Grafana's `$__rate_interval` advises; a window longer
 * than a series' age reads less than it used), or the step when that is longer, so that no cpu
 * time falls between two points (as `$__rate_interval` does). toolflow's own metrics are not
 * filtered by namespace: their names are toolflow's.
 */
import type { CheckLimits } from './check-settings.js';
import { queryRange, type Series } from './prometheus-api.js';

/** The checks, in the order they are run and shown. */
export const CHECKS = ['pending-pods', 'pods', 'cpu', 'memory', 'running-tools', 'queue-depth'] as const;
export type CheckName = (typeof CHECKS)[number];

/** What one check measured. */
export interface Measurement {
  check: CheckName;
  /** What it counts, for people (`Pods Pending for more than 10m`). */
  what: string;
  unit: 'pods' | 'cores' | 'bytes' | 'tools' | 'messages';
  query: string;
  /** The highest value in the period; null when Prometheus had no series for it. */
  value: number | null;
  /** When it was highest, unix seconds; null with `value`. */
  at: number | null;
  /** The mean of the period's values; null with `value`. */
  mean: number | null;
  /** The labels of the series that was highest (`{queue: "…"}` for queue-depth), when there are several. */
  series?: Record<string, string>;
  /** The limit, in `unit`; undefined when not configured (then never `over`). */
  limit?: number;
  over: boolean;
}

/** The range of one run: unix seconds. */
export interface CheckRange {
  start: number;
  end: number;
  step: number;
}

/** Prometheus' most points a series of a range query (web/api/v1/api.go: `exceeded maximum resolution of 11,000 points per timeseries`). */
export const PROMETHEUS_MAX_POINTS = 11_000;
/** The most steps toolflow asks for in a period: well under Prometheus' limit. */
export const MAX_POINTS = 5_000;

/**
 * The range ending at `nowMs` and reaching `periodSeconds` back, with the module's step (the
 * module's doc: period / 60 between 1 s and 60 s; past `MAX_POINTS` steps, period / 5,000 rounded
 * up to whole minutes). `start` is a whole number of steps before `end`, at least the period, so
 * the last point is `end` and there are at most `MAX_POINTS` + 1 points.
 */
export function checkRange(periodSeconds: number, nowMs: number = Date.now()): CheckRange {
  const end = Math.floor(nowMs / 1000);
  let step = Math.min(60, Math.max(1, Math.round(periodSeconds / 60)));
  if (Math.ceil(periodSeconds / step) > MAX_POINTS) step = 60 * Math.ceil(periodSeconds / (60 * MAX_POINTS));
  return { start: end - Math.ceil(periodSeconds / step) * step, end, step };
}

/** The PromQL, unit, description and limit of each check (namespace checked as a DNS label by the settings). */
export function checkQueries(namespace: string, limits: CheckLimits, rateWindowSeconds: number): Record<CheckName, { query: string; what: string; unit: Measurement['unit']; limit?: number }> {
  const ns = `namespace="${namespace}"`;
  const containers = `${ns},container!="",container!="POD"`;
  const window = `${rateWindowSeconds}s`;
  const pendingFor = limits.pendingForSeconds;
  return {
    'pending-pods': {
      query: `count((kube_pod_status_phase{${ns},phase="Pending"} == 1) and on(namespace, pod) (time() - kube_pod_created{${ns}} > ${pendingFor})) or vector(0)`,
      what: `Pods Pending for more than ${formatSeconds(pendingFor)}`,
      unit: 'pods',
      limit: limits.pendingPods,
    },
    pods: { query: `sum(kube_pod_status_phase{${ns},phase=~"Pending|Running"}) or vector(0)`, what: 'Pods Pending or Running', unit: 'pods', ...optional(limits.pods) },
    cpu: { query: `sum(rate(container_cpu_usage_seconds_total{${containers}}[${window}]))`, what: 'cpu used by the Pods’ containers', unit: 'cores', ...optional(limits.cpuMillicores === undefined ? undefined : limits.cpuMillicores / 1000) },
    memory: { query: `sum(container_memory_working_set_bytes{${containers}})`, what: 'memory (working set) of the Pods’ containers', unit: 'bytes', ...optional(limits.memoryBytes) },
    'running-tools': { query: 'sum(toolflow_tools_running)', what: 'tool attempts running', unit: 'tools', ...optional(limits.runningTools) },
    'queue-depth': { query: 'max by (queue) (toolflow_queue_depth)', what: 'messages ready in the deepest broker queue', unit: 'messages', ...optional(limits.queueDepth) },
  };
}

/** Seconds as the settings write them: `10m`, `1h30m`, `45s`. */
export function formatSeconds(seconds: number): string {
  const parts: string[] = [];
  let left = seconds;
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  return parts.join('') || '0s';
}

const optional = (limit: number | undefined) => (limit === undefined ? {} : { limit });

/** The highest value of `series` (NaN skipped), when, in which series, and the mean of every value. */
export function peak(series: Series[]): Pick<Measurement, 'value' | 'at' | 'mean'> & { metric?: Record<string, string> } {
  let best: { value: number; at: number; metric: Record<string, string> } | undefined;
  let sum = 0;
  let n = 0;
  for (const s of series) {
    for (const [t, v] of s.values) {
      if (!Number.isFinite(v)) continue;
      sum += v;
      n++;
      if (!best || v > best.value) best = { value: v, at: t, metric: s.metric };
    }
  }
  if (!best) return { value: null, at: null, mean: null };
  return { value: best.value, at: best.at, mean: sum / n, ...(Object.keys(best.metric).length ? { metric: best.metric } : {}) };
}

/**
 * Runs every check's query over `range` (side by side); cpu's rate window is `rateWindowSeconds`
 * or `range.step`, the longer.
 * @returns one measurement per check, in `CHECKS` order.
 * @throws PrometheusUnreachableError or PrometheusQueryError (the first one met).
 */
export async function measureAll(prometheus: string, namespace: string, limits: CheckLimits, range: CheckRange, rateWindowSeconds: number): Promise<Measurement[]> {
  const queries = checkQueries(namespace, limits, Math.max(rateWindowSeconds, range.step));
  return Promise.all(
    CHECKS.map(async (check): Promise<Measurement> => {
      const q = queries[check];
      const p = peak(await queryRange(prometheus, q.query, range, { name: `the ${check} check` }));
      return {
        check,
        what: q.what,
        unit: q.unit,
        query: q.query,
        value: p.value,
        at: p.at,
        mean: p.mean,
        ...(p.metric ? { series: p.metric } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
        over: q.limit !== undefined && p.value !== null && p.value > q.limit,
      };
    }),
  );
}
