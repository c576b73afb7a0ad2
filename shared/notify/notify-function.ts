/**
 * The notify function over HTTP (`functions/notify/index.ts`): one port, two kinds of request,
 * told apart by their shape, each with its own credential:
 *
 * - **A CloudEvent** (a `ce-id` header: binary mode; `Content-Type: application/cloudevents…`:
 *   structured mode): the contract of every event function (`http/event-function.ts`), the
 *   function secret included (`TOOLFLOW_FUNCTION_SECRET`, sent by the connector). `202` once sent
 *   (or folded into a digest), `400 NOTIFICATION_REFUSED` when a target refused it for good (the
 *   connector dead-letters it at once, Knative does not retry it), `500 INTERNAL` when a target
 *   still fails (delivered again, then dead-lettered).
 * - **Anything else is taken as Alertmanager's webhook** (`POST`, JSON, payload version 4; its
 *   receiver's URL is this function's, any path under OpenFaaS, `/` under faas-js-runtime). It must
 *   carry `Authorization: Bearer <TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN>` (Alertmanager's
 *   `http_config.authorization.credentials`), compared in constant time; without the variable set,
 *   every such request is refused. Answers (Alertmanager tries a 5xx again, never a 4xx):
 *
 * | answer | when |
 * | --- | --- |
 * | `200 {"status": "sent", "targets": [{target, outcome}]}` | every target took it (sent, folded into a digest, or had it already) |
 * | `401 UNAUTHENTICATED` | no token, a wrong one, or none configured here |
 * | `400 BAD_REQUEST` | not JSON, or not Alertmanager's payload version 4 |
 * | `405 METHOD_NOT_ALLOWED` | not a POST |
 * | `413 PAYLOAD_TOO_LARGE` | more than `ALERTMANAGER_BODY_LIMIT` |
 * | `422 NOTIFICATION_REFUSED` | a target refused it for good (bad signature, unknown token…) |
 * | `503 NOTIFICATION_FAILED` | a target still fails after its tries: Alertmanager tries again |
 *
 * The process opens the store (read for the task messages) and no bus: notify publishes nothing.
 * It is always ready once open (a notification needs no backend but its targets).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { notify, notifierOfProcess } from '../handlers/notify.js';
import type { FunctionDef } from '../handlers/handler.js';
import { answerEvent, EVENT_BODY_LIMIT } from '../http/event-function.js';
import { bearerToken } from '../http/function-auth.js';
import { bodyText, errorAnswer, header, jsonAnswer, PayloadTooLargeError, type FunctionAnswer, type FunctionRequest } from '../http/function-http.js';
import type { HttpFunction } from '../http/function-module.js';
import { openFunctionPorts } from '../http/function-ports.js';
import { AlertmanagerPayloadError, alertmanagerMessage, parseAlertmanagerPayload } from './alertmanager.js';
import { NotificationRefusedError } from './notify-errors.js';
import type { Notifier } from './notifier.js';

/** Largest Alertmanager body taken, bytes: 8 MiB (a group of thousands of alerts). */
export const ALERTMANAGER_BODY_LIMIT = 8 * 1024 * 1024;

/** True when the request carries a CloudEvent (binary or structured mode), by its headers. */
export function isCloudEventRequest(headers: FunctionRequest['headers']): boolean {
  return header(headers, 'ce-id') !== undefined || /^application\/cloudevents/i.test(header(headers, 'content-type') ?? '');
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The 401 of an Alertmanager request, or undefined when its token is the configured one. */
function refuseAlertmanager(request: FunctionRequest, token: string | undefined): FunctionAnswer | undefined {
  const given = bearerToken(request.headers);
  if (token !== undefined && given !== undefined && timingSafeEqual(digest(given), digest(token))) return undefined;
  const why =
    token === undefined
      ? 'Alertmanager webhooks are not taken here: set TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN on the notify function and the same token in the receiver\'s http_config.authorization.credentials'
      : `${given === undefined ? 'no bearer token' : 'a wrong bearer token'}: send Authorization: Bearer <TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN> (Alertmanager: http_config.authorization.credentials)`;
  const a = errorAnswer(401, 'UNAUTHENTICATED', why);
  return { ...a, headers: { ...a.headers, 'www-authenticate': 'Bearer realm="toolflow-notify"' } };
}

/**
 * Answers one Alertmanager webhook request (the table above). Never throws.
 */
export async function answerAlertmanager(notifier: Notifier, request: FunctionRequest, log: Logger): Promise<FunctionAnswer> {
  const refused = refuseAlertmanager(request, notifier.settings.alertmanagerToken);
  if (refused) {
    log.warn({ function: 'notify' }, 'refused an Alertmanager webhook without the right token (401)');
    return refused;
  }
  if (request.method !== 'POST') return errorAnswer(405, 'METHOD_NOT_ALLOWED', 'notify takes Alertmanager webhooks and CloudEvents by POST');
  let raw: string;
  try {
    raw = bodyText(await request.body(ALERTMANAGER_BODY_LIMIT));
  } catch (err) {
    if (err instanceof PayloadTooLargeError) return errorAnswer(413, err.code, err.message);
    return errorAnswer(400, 'BAD_REQUEST', `the body could not be read: ${(err as Error).message}`);
  }
  let payload;
  try {
    payload = parseAlertmanagerPayload(JSON.parse(raw) as unknown);
  } catch (err) {
    const message = err instanceof AlertmanagerPayloadError ? err.message : `the body is not JSON: ${(err as Error).message}`;
    return errorAnswer(400, 'BAD_REQUEST', `${message} (this is the notify function: it takes Alertmanager's webhook payload, or CloudEvents with ce-* headers)`);
  }
  if (!notifier.configured) {
    log.warn({ function: 'notify' }, 'notify: an Alertmanager webhook came, but no DingTalk robot and no webhook is configured; nothing is sent');
    return jsonAnswer(200, { status: 'sent', targets: [] });
  }
  const message = alertmanagerMessage(payload);
  try {
    const targets = await notifier.notify({ key: `alertmanager|${createHash('sha256').update(raw).digest('hex')}`, message, webhook: { source: 'toolflow', kind: 'alertmanager', alertmanager: payload } });
    return jsonAnswer(200, { status: 'sent', targets });
  } catch (err) {
    const refusedForGood = err instanceof NotificationRefusedError;
    log.error({ function: 'notify', title: message.title, err: (err as Error).message }, refusedForGood ? 'an alert was refused for good (422: Alertmanager does not send it again)' : 'an alert was not sent (503: Alertmanager sends it again)');
    return refusedForGood ? errorAnswer(422, (err as NotificationRefusedError).code, (err as Error).message) : errorAnswer(503, 'NOTIFICATION_FAILED', (err as Error).message);
  }
}

/**
 * The notify HttpFunction over `def` and `notifierFor` (the process's by default; tests give
 * their own, with clocks of their own).
 */
export function notifyHttpFunction(def: FunctionDef = notify, notifierFor: (log: Logger) => Notifier = notifierOfProcess): HttpFunction {
  return {
    name: 'notify',
    bodyLimit: EVENT_BODY_LIMIT,
    async open(config, log) {
      const notifier = notifierFor(log); // bad settings refuse the start
      if (!notifier.configured) log.warn({ function: 'notify' }, 'notify: no DingTalk robot (TOOLFLOW_NOTIFY_DINGTALK_URL) and no webhook (TOOLFLOW_NOTIFY_WEBHOOK_URL) are set: events are taken and nothing is sent');
      const ports = await openFunctionPorts('notify', config, log, { publishes: false });
      return {
        answer: (request) => (isCloudEventRequest(request.headers) ? answerEvent(def, ports, request, { secret: config.functionSecret }) : answerAlertmanager(notifier, request, log)),
        async close() {
          await notifier.close();
          await ports.close();
        },
      };
    },
  };
}
