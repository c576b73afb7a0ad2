/**
 * `toolflow check [--prometheus URL] [--config FILE] [--period 15m] [--dry-run] [--json]`: the
 * periodic check (`shared/checks/`): Pods, cpu, memory, running tools and queue depth over the
 * period, from Prometheus, against the configured limits; a notification (DingTalk robots, the
 * webhook: the notify function's settings, `TOOLFLOW_NOTIFY_*`) when any is passed. Meant to run
 * as a Kubernetes CronJob (knative/cluster/60-check-cronjob.yaml).
 *
 * Prints a table of what it measured on stdout (`--json`: the `CheckReport`); warnings and the
 * JSON log lines (`TOOLFLOW_LOG_LEVEL`) on stderr. Exit codes: 0 every value within its limit, 1 a
 * limit passed (notified, unless `--dry-run`), 2 bad configuration (or a query Prometheus refuses
 * or times out: the message names the query and what to change, `checks/prometheus-errors.ts`),
 * 3 Prometheus unreachable (or not running queries now: starting, overloaded).
 */
import { checkSettings, type CheckFlags } from '../checks/check-settings.js';
import { formatValue, runChecks, type CheckReport } from '../checks/periodic-check.js';
import { PrometheusQueryError, PrometheusUnreachableError } from '../checks/prometheus-api.js';
import { ConfigError } from '../errors.js';
import { Notifier } from '../notify/notifier.js';
import { notifySettings } from '../notify/notify-settings.js';
import { logLevelFrom } from '../runtime/config.js';
import { lazyLogger } from '../runtime/lazy-logger.js';

/** Options of `toolflow check`. */
export interface CheckOptions extends CheckFlags {
  dryRun?: boolean;
  json?: boolean;
}

/** The table of a report, for people. */
function table(report: CheckReport): string {
  const rows = report.checks.map((m) => [
    m.check,
    m.value === null ? 'no data' : formatValue(m.value, m.unit),
    m.limit === undefined ? '-' : formatValue(m.limit, m.unit),
    m.over ? 'OVER' : m.limit === undefined ? '' : 'ok',
  ]);
  const all = [['check', 'highest', 'limit', ''], ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd());
  return `toolflow check: namespace ${report.namespace}, the last ${report.period} (Prometheus ${report.prometheus})\n${lines.join('\n')}\n`;
}

/**
 * Runs one check.
 * @returns the exit code (see the module's doc).
 * @throws ConfigError for bad settings (exit 2 through main.ts, which prints it, as JSON with --json).
 */
export async function checkCommand(opts: CheckOptions): Promise<number> {
  const settings = checkSettings(opts);
  const log = lazyLogger(logLevelFrom(process.env), { component: 'toolflow-check' });
  const notifier = opts.dryRun ? undefined : new Notifier({ settings: notifySettings(process.env), log });
  let report: CheckReport;
  try {
    report = await runChecks(settings, { log, ...(opts.dryRun ? { dryRun: true } : {}), ...(notifier ? { notifier } : {}) });
  } catch (err) {
    if (err instanceof PrometheusQueryError) throw new ConfigError(err.message);
    if (!(err instanceof PrometheusUnreachableError)) throw err;
    process.stderr.write(`toolflow check: ${err.message}\n`);
    if (opts.json) process.stdout.write(`${JSON.stringify({ status: 'unreachable', error: err.message })}\n`);
    return 3;
  } finally {
    await notifier?.close();
  }
  for (const w of report.warnings) process.stderr.write(`toolflow check: warning: ${w}\n`);
  const n = report.notification;
  if (n && n.sent === true) process.stderr.write(`toolflow check: notified: ${n.title}\n`);
  else if (n && n.sent === false) process.stderr.write(`toolflow check: not notified: ${n.error}\n`);
  else if (n) process.stderr.write(`toolflow check: --dry-run: would notify: ${n.title}\n`);
  process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : table(report));
  return report.status === 'over' ? 1 : 0;
}
