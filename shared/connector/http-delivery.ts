/**
 * Delivering one CloudEvent to an HTTP function: a POST in binary content mode (CloudEvents HTTP
 * protocol binding 1.0: `ce-*` headers, `data` as the body, made by the cloudevents SDK's
 * `HTTP.binary`), bounded by a timeout, and the function's answer turned into what the queue
 * consumer (`AmqpConsumer`) does with the message. The function's contract is
 * `shared/http/event-function.ts`'s; the outcomes follow Knative eventing-rabbitmq's dispatcher
 * (2xx acks, anything else means "deliver again"), with 400 refused for good:
 *
 * | answer | outcome | the consumer then |
 * | --- | --- | --- |
 * | 2xx | resolves | acks |
 * | 400 (`EVENT_INVALID`) | EventInvalidError | dead-letters at once (`basic.nack`, no requeue) |
 * | 429, 502, 503, 504; refused connection, unknown host, unreachable network | ServiceUnavailableError | tries again in place, 0.5 s doubling to 15 s, up to 10 min, without spending a delivery (as when the function's own backend is down) |
 * | 401 (`UNAUTHENTICATED`: the function secret differs) | FunctionUnauthorizedError | as 500, and the connector logs it as a misconfiguration |
 * | 500 and every other status; timeout; a connection lost mid-request | Error | rejects with requeue after 0.1 s doubling to 2 s: a failed delivery, dead-lettered past the queue's delivery limit |
 *
 * Every request carries `Authorization: Bearer <TOOLFLOW_FUNCTION_SECRET>` when a secret is given.
 *
 * A function that outlives the timeout may still finish its work: the delivery is made again, and
 * the handlers' idempotency (deterministic ids, conditional status moves) makes it harmless.
 */
import { CloudEvent, HTTP } from 'cloudevents';
import { EventInvalidError, ServiceUnavailableError } from '../errors.js';
import type { ToolflowEvent } from '../events/catalog.js';
import { authorizationHeader } from '../http/function-auth.js';
import { maskUrl } from '../mask-url.js';

/**
 * A function answered 401: it takes another secret (or one where none was sent). A failed delivery
 * (tried again, dead-lettered past the delivery limit, never at once: the configuration may be
 * fixed meanwhile), and a misconfiguration of the deployment.
 */
export class FunctionUnauthorizedError extends Error {
  override name = 'FunctionUnauthorizedError';
}

/** One function the connector delivers to. */
export interface HttpTarget {
  /** The event function's name (`FunctionDef.name`), for messages. */
  function: string;
  /** Its URL: `http(s)://host:port/path`; every event is POSTed there. */
  url: string;
}

/** What an answer means for the message. */
export type AnswerOutcome = 'ack' | 'dead-letter' | 'unavailable' | 'retry';

/** Statuses that say the function (or the gateway in front of it) cannot take the event now. */
const UNAVAILABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Connection errors that happen before the request reaches a function: nothing was done. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** What an HTTP status means for the message (see the table above). */
export function outcomeOf(status: number): AnswerOutcome {
  if (status >= 200 && status < 300) return 'ack';
  if (status === 400) return 'dead-letter';
  if (UNAVAILABLE_STATUSES.has(status)) return 'unavailable';
  return 'retry';
}

/**
 * The HTTP request that carries `event` in binary mode.
 * @throws EventInvalidError when the event is not a valid CloudEvent (the SDK refuses it).
 */
export function binaryRequest(event: ToolflowEvent): { headers: Record<string, string>; body: string } {
  let message;
  try {
    message = HTTP.binary(new CloudEvent(event as unknown as Record<string, unknown>));
  } catch (err) {
    throw new EventInvalidError(`event ${event.id} (${event.type}) is not a valid CloudEvent: ${(err as Error).message}`, { cause: err });
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) if (v !== undefined) headers[k] = String(v);
  return { headers, body: typeof message.body === 'string' ? message.body : JSON.stringify(message.body) };
}

/** `{code, message}` of an error answer, or its first characters when it is not that JSON. */
function answerText(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string' || typeof body.message === 'string') return `${status} ${String(body.code ?? '')}: ${String(body.message ?? '')}`.slice(0, 1000);
  } catch {
    // not JSON
  }
  return `${status}${text ? `: ${text.slice(0, 300)}` : ''}`;
}

/** The code of a connection error under fetch's `TypeError: fetch failed`. */
function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/**
 * POSTs `event` to `target.url` in binary mode and waits for the answer, at most `timeoutMs`
 * (headers and body together).
 * @returns once the function answered 2xx.
 * @param secret sent as `Authorization: Bearer <secret>` when given (`TOOLFLOW_FUNCTION_SECRET`).
 * @throws EventInvalidError on 400 (or an event the SDK refuses); FunctionUnauthorizedError on 401;
 *   ServiceUnavailableError on 429,
 *   502, 503, 504 or when the function cannot be reached; Error on any other answer, a timeout, or
 *   a connection lost mid-request. Each message names the function, its URL (password masked), the
 *   event and the answer.
 */
export async function postEvent(target: HttpTarget, event: ToolflowEvent, timeoutMs: number, secret?: string): Promise<void> {
  const request = binaryRequest(event);
  const headers = { ...request.headers, ...authorizationHeader(secret) };
  const body = request.body;
  const where = `function ${target.function} at ${maskUrl(target.url)}`;
  const what = `event ${event.id} (${event.type})`;
  let status: number;
  let text: string;
  try {
    const res = await fetch(target.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    status = res.status;
    text = await res.text();
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') throw new Error(`${where} did not answer ${what} within ${timeoutMs} ms`, { cause: err });
    const code = errorCode(err);
    const reason = `${code ?? ''} ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`.trim();
    if (code !== undefined && UNREACHABLE_CODES.has(code)) throw new ServiceUnavailableError(`${where} is unreachable: ${reason}`, { cause: err });
    throw new Error(`${where} lost the connection while handling ${what}: ${reason}`, { cause: err });
  }
  switch (outcomeOf(status)) {
    case 'ack':
      return;
    case 'dead-letter':
      throw new EventInvalidError(`${where} refused ${what} as invalid: ${answerText(status, text)}`);
    case 'unavailable':
      throw new ServiceUnavailableError(`${where} is unavailable: ${answerText(status, text)}`);
    default:
      if (status === 401) {
        throw new FunctionUnauthorizedError(
          `${where} refused ${what}: ${answerText(status, text)}; ${secret === undefined ? 'this connector sends no secret: set TOOLFLOW_FUNCTION_SECRET here' : 'it takes another secret: set the same TOOLFLOW_FUNCTION_SECRET on both'}`,
        );
      }
      throw new Error(`${where} failed on ${what}: ${answerText(status, text)}`);
  }
}
