/**
 * The errors of `toolflow check`'s Prometheus queries, and the words that say what to change.
 *
 * Prometheus' HTTP API answers a query it does not run with `{"status": "error", "errorType",
 * "error"}` (prometheus.io/docs/prometheus/latest/querying/api, "Format overview"; the codes are
 * web/api/v1/api.go's `returnAPIError`):
 *
 * | HTTP | errorType | e.g. | toolflow | exit |
 * | --- | --- | --- | --- | --- |
 * | 400 | `bad_data` | `exceeded maximum resolution of 11,000 points per timeseries` (a range query's points), a parse error | `PrometheusQueryError` | 2 |
 * | 422 | `execution` | `query processing would load too many samples into memory` (`--query.max-samples`) | `PrometheusQueryError` | 2 |
 * | 503 | `timeout` | `query timed out in expression evaluation` (`--query.timeout`) | `PrometheusQueryError` | 2 |
 * | 503 | `canceled`, `unavailable` | Prometheus starting, stopping or overloaded | `PrometheusUnreachableError` | 3 |
 * | 500 | `internal` | | `PrometheusUnreachableError` | 3 |
 *
 * Each message names the check whose query it was, the query, its range and step, Prometheus'
 * own words, and what to change (`--period`, Prometheus' flag, or trying again).
 */
import { ToolflowError } from '../errors.js';

/** Prometheus could not be asked: no answer, a timeout, a 5xx or an answer that is not its API's. Exit 3. */
export class PrometheusUnreachableError extends ToolflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROMETHEUS_UNREACHABLE', message, options);
  }
}

/** Prometheus refused a query (400, 422) or gave up on it (503 `timeout`): the message says what to change. Exit 2. */
export class PrometheusQueryError extends ToolflowError {
  constructor(message: string) {
    super('PROMETHEUS_QUERY_REFUSED', message);
  }
}

/** What was asked: for the message. */
export interface AskedQuery {
  /** Prometheus' base URL, its password masked. */
  prometheus: string;
  /** Whose query it is, for people (`the memory check`). */
  name: string;
  query: string;
  /** Unix seconds, and the step in seconds. */
  range: { start: number; end: number; step: number };
}

/** Prometheus' error answer: its HTTP status and body fields. */
export interface ErrorAnswer {
  status: number;
  errorType?: string;
  error?: string;
}

const PERIOD = '--period (TOOLFLOW_CHECK_PERIOD, period: in the --config file)';

/** What to change for `answer`, and whether it is a refusal (exit 2) or Prometheus unable to answer now (exit 3). */
function advice(answer: ErrorAnswer): { refused: boolean; change: string } {
  const why = answer.error ?? '';
  if (/maximum resolution of [\d,]+ points/.test(why)) return { refused: true, change: `the range has too many points for Prometheus (11,000 a series at most): give a shorter ${PERIOD}` };
  if (/too many samples/.test(why)) return { refused: true, change: `the query reads more samples than Prometheus' --query.max-samples allows: give a shorter ${PERIOD}, or raise --query.max-samples on Prometheus` };
  if (answer.errorType === 'timeout') return { refused: true, change: `Prometheus gave up after its --query.timeout (2m by default): give a shorter ${PERIOD}, or raise --query.timeout on Prometheus` };
  if (answer.errorType === 'bad_data' || answer.status === 400) return { refused: true, change: `this Prometheus cannot parse the query or its range (is the URL Prometheus' own API, not a look-alike that lacks some PromQL?); if ${PERIOD} and TOOLFLOW_CHECK_RATE_WINDOW are right, report the query as a toolflow bug` };
  if (answer.errorType === 'execution' || answer.status === 422) return { refused: true, change: `Prometheus could not evaluate the query over this range: give a shorter ${PERIOD}` };
  if (answer.errorType === 'canceled' || answer.errorType === 'unavailable' || answer.status === 503) return { refused: false, change: 'Prometheus is starting, stopping or overloaded (--query.max-concurrency): try again later' };
  return { refused: false, change: "see Prometheus' log; try again later" };
}

/** Unix seconds as ISO 8601 (UTC). */
const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

/**
 * The error for Prometheus' error answer to `asked` (the module's table).
 * @returns a PrometheusQueryError (exit 2) for what settings can change, else a PrometheusUnreachableError (exit 3).
 */
export function prometheusAnswerError(asked: AskedQuery, answer: ErrorAnswer): PrometheusQueryError | PrometheusUnreachableError {
  const { refused, change } = advice(answer);
  const points = Math.floor((asked.range.end - asked.range.start) / asked.range.step) + 1;
  const said = `HTTP ${answer.status}${answer.errorType ? ` ${answer.errorType}` : ''}: ${answer.error ?? '(no message)'}`;
  const message =
    `Prometheus at ${asked.prometheus} ${refused ? 'refused' : 'did not run'} the query of ${asked.name} (${said}); ${change}. ` +
    `The query: ${asked.query} from ${iso(asked.range.start)} to ${iso(asked.range.end)} at a step of ${asked.range.step} s (${points} points)`;
  return refused ? new PrometheusQueryError(message) : new PrometheusUnreachableError(message);
}
