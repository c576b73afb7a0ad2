/**
 * The generic JSON webhook of the notify function (`TOOLFLOW_NOTIFY_WEBHOOK_URL`): every
 * notification is one `POST` of `application/json`:
 *
 * ```json
 * {"source": "toolflow", "kind": "event" | "alertmanager" | "check",
 *  "title": "…", "markdown": "…",                                  // the title and text a DingTalk robot gets
 *  "event": {CloudEvent: id, source, type, subject, time, data},   // kind "event"
 *  "alertmanager": {Alertmanager's webhook payload, version 4},   // kind "alertmanager"
 *  "check": {what `toolflow check --json` prints}}               // kind "check" (shared/checks/)
 * ```
 *
 * A 2xx answer is success, whatever its body. 5xx, 408 and 429, a network error or a timeout are
 * `retryable`; any other status (a 4xx: a wrong URL, refused credentials) is `permanent`. No rate
 * limit is applied: the receiver is not DingTalk. The URL is a secret (its path or query usually
 * holds a token): messages name it masked (`maskTargetUrl`).
 */
import type { ToolflowEvent } from '../events/catalog.js';
import type { AlertmanagerPayload } from './alertmanager.js';
import { NotifyTargetError, type FailureKind } from './notify-errors.js';
import { maskTargetUrl, scrub } from './notify-settings.js';
import { REQUEST_TIMEOUT_MS, requestSignal } from './retry.js';

/** The JSON body of a webhook POST. */
export interface WebhookBody {
  source: 'toolflow';
  kind: 'event' | 'alertmanager' | 'check';
  title: string;
  markdown: string;
  event?: ToolflowEvent;
  alertmanager?: AlertmanagerPayload;
  /** The periodic check's report (`shared/checks/periodic-check.ts`, `CheckReport`). */
  check?: Record<string, unknown>;
}

/**
 * POSTs `body` to `url` as JSON (`stop` aborts it: the process is closing; the send then fails `permanent`).
 * @returns once the receiver answered 2xx.
 * @throws NotifyTargetError (`retryable` or `permanent`, as above) naming the masked URL and the status.
 */
export async function postWebhook(url: string, body: WebhookBody, timeoutMs = REQUEST_TIMEOUT_MS, stop?: AbortSignal): Promise<void> {
  const where = `the webhook ${maskTargetUrl(url)}`;
  let status: number;
  let text = '';
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body), redirect: 'manual', signal: requestSignal(timeoutMs, stop) });
    status = res.status;
    text = await res.text().catch(() => '');
  } catch (err) {
    if (stop?.aborted) throw new NotifyTargetError('permanent', `${where}: not sent: the process is closing`);
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.cause?.code ?? ''} ${e.cause?.message ?? e.message}`.trim();
    throw new NotifyTargetError('retryable', scrub(`${where} could not be reached: ${reason}; tried again`, [url]));
  }
  if (status >= 200 && status < 300) return;
  const kind: FailureKind = status >= 500 || status === 408 || status === 429 ? 'retryable' : 'permanent';
  const detail = text ? `: ${text.slice(0, 200)}` : '';
  throw new NotifyTargetError(kind, scrub(`${where} answered HTTP ${status}${detail}; ${kind === 'permanent' ? 'not sent again: check TOOLFLOW_NOTIFY_WEBHOOK_URL and what the receiver takes' : 'tried again'}`, [url]), { status });
}
