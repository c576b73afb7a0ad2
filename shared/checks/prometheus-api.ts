/**
 * The part of Prometheus' HTTP API `toolflow check` uses: range queries
 * (`GET /api/v1/query_range?query=&start=&end=&step=`, prometheus.io/docs/prometheus/latest/querying/api,
 * "Range queries"). A success is `{"status": "success", "data": {"resultType": "matrix", "result":
 * [{"metric": {labels}, "values": [[unix seconds, "value"], …]}]}}`; a query Prometheus refuses is
 * HTTP 400 (or 422 when it cannot be executed) with `{"status": "error", "errorType", "error"}`;
 * 503 while it is starting or overloaded, or when the query timed out (`prometheus-errors.ts`
 * says what toolflow makes of each).
 */
import { maskUrl } from '../mask-url.js';
import { maskSecretsInText } from '../runtime/log.js';
import { prometheusAnswerError, PrometheusUnreachableError } from './prometheus-errors.js';

export { PrometheusQueryError, PrometheusUnreachableError } from './prometheus-errors.js';

/** One series of a range query: its labels and its samples (`[unix seconds, value]`, NaN kept as NaN). */
export interface Series {
  metric: Record<string, string>;
  values: [number, number][];
}

/** How long one query may take, ms. */
export const QUERY_TIMEOUT_MS = 30_000;

/**
 * Runs one range query.
 * @param base Prometheus' base URL (`http://host:9090`, a path prefix kept; `user:password@` becomes basic auth).
 * @param range unix seconds (`start`, `end`) and the step in seconds (at most 11,000 points a
 *   series, Prometheus' limit: `checkRange` keeps to 5,000).
 * @param options `name`: whose query it is, for messages (`the memory check`; default `a check`);
 *   `timeoutMs`: how long to wait for the answer (`QUERY_TIMEOUT_MS`).
 * @returns the series (empty when nothing matched).
 * @throws PrometheusUnreachableError or PrometheusQueryError, naming the URL with its password
 *   masked; an error answer of Prometheus' (400, 422, 503 with `errorType` and `error`) becomes the
 *   message of `prometheusAnswerError`: the check, the query, its range, what to change.
 */
export async function queryRange(base: string, query: string, range: { start: number; end: number; step: number }, options: { name?: string; timeoutMs?: number } = {}): Promise<Series[]> {
  const timeoutMs = options.timeoutMs ?? QUERY_TIMEOUT_MS;
  const shown = maskSecretsInText(maskUrl(base)); // its password and a token in its query (`?access_token=`)
  // Credentials in the URL (`http://user:password@host:9090`) go as HTTP basic auth: fetch takes no URL that holds them.
  const target = new URL(`${base}/api/v1/query_range`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.username || target.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  target.search = new URLSearchParams({ query, start: String(range.start), end: String(range.end), step: String(range.step) }).toString();
  let res: Response;
  let text: string;
  try {
    res = await fetch(target, { headers, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : `${e.cause?.code ?? ''} ${e.cause?.message ?? e.message}`.trim();
    throw new PrometheusUnreachableError(`Prometheus at ${shown} is unreachable: ${why}; check --prometheus (TOOLFLOW_CHECK_PROMETHEUS_URL) and that Prometheus runs`, { cause: err });
  }
  let body: { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: { metric?: Record<string, string>; values?: [number, string][] }[] } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  if (!res.ok && body?.status === 'error') {
    throw prometheusAnswerError({ prometheus: shown, name: options.name ?? 'a check', query, range }, { status: res.status, ...(body.errorType ? { errorType: body.errorType } : {}), ...(body.error ? { error: body.error } : {}) });
  }
  if (!res.ok || body?.status !== 'success' || body.data?.resultType !== 'matrix' || !Array.isArray(body.data.result)) {
    const detail = body?.error ?? text.slice(0, 200);
    throw new PrometheusUnreachableError(`Prometheus at ${shown} answered HTTP ${res.status} to a range query, not its API's answer${detail ? `: ${detail}` : ''}; is ${shown} Prometheus (its base URL, without /api/v1)?`);
  }
  return body.data.result.map((r) => ({ metric: r.metric ?? {}, values: (r.values ?? []).map(([t, v]) => [Number(t), Number(v)] as [number, number]) }));
}
