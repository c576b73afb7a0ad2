/**
 * One run of the periodic check (`toolflow check`, a Kubernetes CronJob every 5 minutes): measure
 * every check over the period (`measure.ts`), compare with the limits, and when any is above its
 * limit send one notification through the notify function's sender (`shared/notify/notifier.ts`:
 * the same DingTalk robots, signing, rate limit, digests and webhook) naming each limit passed.
 *
 * The message (markdown, user text escaped, within the notify size limits):
 *   title `toolflow check: 2 limits passed in toolflow`
 *   a line per limit passed: `**memory**: 5.2Gi at 12:03:04 UTC, above the limit 4Gi (…)`
 * The webhook gets `{"kind": "check", "check": CheckReport}` beside the title and markdown.
 */
import type { Logger } from 'pino';
import { maskUrl } from '../mask-url.js';
import { maskSecretsInText } from '../runtime/log.js';
import { escapeInline, fitText, fitTitle, type NotifyMessage } from '../notify/message-format.js';
import type { Notifier, TargetOutcome } from '../notify/notifier.js';
import { formatBytes } from '../spec/resources.js';
import type { CheckSettings } from './check-settings.js';
import { checkRange, formatSeconds, measureAll, type CheckName, type Measurement } from './measure.js';
import { queryRange } from './prometheus-api.js';

/** What a run found and did (what `--json` prints). */
export interface CheckReport {
  /** `over`: at least one limit was passed (exit 1). */
  status: 'ok' | 'over';
  /** Prometheus' URL, its password masked. */
  prometheus: string;
  namespace: string;
  /** `15m`. */
  period: string;
  /** ISO 8601, UTC. */
  from: string;
  to: string;
  /** The step of the range queries, seconds. */
  step: number;
  checks: Measurement[];
  /** The checks above their limits. */
  over: CheckName[];
  /** What the run could not see (a source Prometheus has no series of), for people; never a failure. */
  warnings: string[];
  /** When a limit was passed: the message, and whether it went out. */
  notification?: { title: string; sent: boolean | 'dry-run'; targets?: TargetOutcome[]; error?: string };
}

/** How a value reads in a message: pods and counts whole, cores with 2 decimals, bytes with a unit. */
export function formatValue(value: number, unit: Measurement['unit']): string {
  if (unit === 'bytes') return formatBytes(Math.round(value));
  if (unit === 'cores') return `${Number(value.toFixed(2))} core${value === 1 ? '' : 's'}`;
  return String(Math.round(value * 100) / 100);
}

/** `12:03:04 UTC` of unix seconds. */
const clock = (unixSeconds: number) => `${new Date(unixSeconds * 1000).toISOString().slice(11, 19)} UTC`;

/** The notification for the measurements above their limits. */
export function checkMessage(report: Pick<CheckReport, 'namespace' | 'period' | 'from' | 'to'>, over: Measurement[]): NotifyMessage {
  const n = over.length;
  const head = `${n} limit${n === 1 ? '' : 's'} passed in ${report.namespace}`;
  const blocks = [
    `### toolflow check: ${escapeInline(head)}`,
    `namespace **${escapeInline(report.namespace)}**, the last ${escapeInline(report.period)} (${escapeInline(report.from)} to ${escapeInline(report.to)})`,
    ...over.map((m) => {
      const where = m.series && Object.keys(m.series).length ? ` in ${Object.entries(m.series).map(([k, v]) => `${escapeInline(k, 40)}=${escapeInline(v, 120)}`).join(', ')}` : '';
      return `- **${m.check}**: ${escapeInline(formatValue(m.value!, m.unit))}${where} at ${clock(m.at!)}, above the limit ${escapeInline(formatValue(m.limit!, m.unit))} (${escapeInline(m.what)})`;
    }),
    '_toolflow check --json shows every value measured_',
  ];
  return { title: fitTitle(`toolflow check: ${head}`), text: fitText(blocks), summary: `check: ${escapeInline(over.map((m) => m.check).join(', '))} over the limit in ${escapeInline(report.namespace)}` };
}

/** Options of a run. */
export interface RunOptions {
  /** Measure and compare, send nothing. */
  dryRun?: boolean;
  /** The sender; undefined or not configured: nothing is sent (said in the report). */
  notifier?: Notifier;
  log: Logger;
  /** Now, epoch ms (tests). */
  now?: number;
}

/**
 * Measures, compares and notifies (see the module's doc).
 * @returns the report; its `status` says whether a limit was passed.
 * @throws PrometheusUnreachableError or PrometheusQueryError from the queries (nothing is sent then).
 */
export async function runChecks(settings: CheckSettings, options: RunOptions): Promise<CheckReport> {
  const range = checkRange(settings.periodSeconds, options.now);
  const [checks, pods] = await Promise.all([
    measureAll(settings.prometheus, settings.namespace, settings.limits, range, settings.rateWindowSeconds),
    queryRange(settings.prometheus, `count(kube_pod_status_phase{namespace="${settings.namespace}"})`, range, { name: 'the namespace’s Pod count' }),
  ]);
  const warnings: string[] = [];
  if (!pods.length) warnings.push(`Prometheus has no kube_pod_status_phase series for namespace ${settings.namespace} in the period: the pod checks read 0; is kube-state-metrics scraped, and is the namespace right (TOOLFLOW_CHECK_NAMESPACE)?`);
  const sources: Partial<Record<CheckName, string>> = { cpu: 'cAdvisor (container_cpu_usage_seconds_total)', memory: 'cAdvisor (container_memory_working_set_bytes)', 'running-tools': "toolflow's work managers (toolflow_tools_running)", 'queue-depth': "toolflow's connectors (toolflow_queue_depth)" };
  for (const m of checks) if (m.value === null && m.limit !== undefined) warnings.push(`${m.check}: Prometheus has no series of ${sources[m.check] ?? m.query} in the period, so its limit was not checked; is it scraped?`);
  const over = checks.filter((m) => m.over);
  const report: CheckReport = {
    status: over.length ? 'over' : 'ok',
    prometheus: maskSecretsInText(maskUrl(settings.prometheus)),
    namespace: settings.namespace,
    period: formatSeconds(settings.periodSeconds),
    from: new Date(range.start * 1000).toISOString(),
    to: new Date(range.end * 1000).toISOString(),
    step: range.step,
    checks,
    over: over.map((m) => m.check),
    warnings,
  };
  if (!over.length) return report;
  const message = checkMessage(report, over);
  if (options.dryRun) {
    report.notification = { title: message.title, sent: 'dry-run' };
    return report;
  }
  if (!options.notifier?.configured) {
    report.notification = { title: message.title, sent: false, error: 'no DingTalk robot (TOOLFLOW_NOTIFY_DINGTALK_URL) and no webhook (TOOLFLOW_NOTIFY_WEBHOOK_URL) are configured: nothing was sent' };
    return report;
  }
  const { notification: _n, ...body } = report;
  try {
    const targets = await options.notifier.notify({ key: `check|${settings.namespace}|${report.over.join(',')}|${range.end}`, message, webhook: { source: 'toolflow', kind: 'check', check: body as unknown as Record<string, unknown> } }, options.log);
    report.notification = { title: message.title, sent: true, targets };
  } catch (err) {
    report.notification = { title: message.title, sent: false, error: (err as Error).message };
  }
  return report;
}
