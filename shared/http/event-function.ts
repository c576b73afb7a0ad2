/**
 * The HTTP contract of an event function (issue 8; README, "Functions"), on the `FunctionDef`s that
 * exist (`shared/handlers/`), whatever server carries the request:
 *
 * - `401 UNAUTHENTICATED` first, when a shared secret is set (`TOOLFLOW_FUNCTION_SECRET`) and the
 *   request does not carry `Authorization: Bearer <secret>` (`function-auth.ts`).
 * - `POST`, any path, one CloudEvent in binary or structured mode (CloudEvents HTTP binding 1.0),
 *   parsed with the cloudevents SDK from the raw body.
 * - `400 EVENT_INVALID`: not a CloudEvent (or a batch), a missing required attribute, an unknown
 *   type, a type this function does not consume, or data that does not match the type's schema.
 *   Never retried: the connector and Knative dead-letter it.
 * - The handler runs (`runFunction`: fenced by the event's `fencetoken`), then every event it returns
 *   is published to `ports.bus` (RabbitMQ, or `K_SINK` through `SinkBus`) and confirmed, and only then
 *   the answer is `202` with an empty body: 2xx means "done, ack it" (Knative's eventing-rabbitmq
 *   dispatcher acks on 2xx), so the effect is durable and its events accepted before.
 * - `400` with the error's code when the handler throws EventInvalidError (the event can never be
 *   handled: notify's NotificationRefusedError, `NOTIFICATION_REFUSED`), as the buses dead-letter it.
 * - `503 SERVICE_UNAVAILABLE` when a backend is down, `500 INTERNAL` for any other failure: both mean
 *   "deliver again"; handlers are idempotent (deterministic ids, conditional moves).
 *
 * Nothing is kept in memory between requests: any replica may take any event.
 */
import { HTTP, type CloudEvent } from 'cloudevents';
import type { IncomingHttpHeaders } from 'node:http';
import type { ToolflowEvent } from '../events/catalog.js';
import { EventInvalidError, ServiceUnavailableError } from '../errors.js';
import { validateEvent } from '../events/event-schemas.js';
import { runFunction, type FunctionDef } from '../handlers/handler.js';
import type { Ports } from '../runtime/ports.js';
import { eventLogFields } from '../runtime/log.js';
import { refuseUnauthenticated } from './function-auth.js';
import { bodyText, errorAnswer, header, PayloadTooLargeError, type FunctionAnswer, type FunctionRequest } from './function-http.js';

/**
 * Largest event body a function takes, bytes: 64 MiB, as large as a workflow file may be (a
 * `task.submitted` carries the whole spec), and below RabbitMQ's 128 MiB message limit.
 */
export const EVENT_BODY_LIMIT = 64 * 1024 * 1024;

/** Attributes toolflow's handlers need on every event (CloudEvents requires the first four; `subject` and `time` are toolflow's). */
const REQUIRED = ['id', 'source', 'type', 'specversion', 'subject', 'time'] as const;

/** Lowercased headers, repeated values joined as HTTP does. */
function cleanHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/**
 * Parses one CloudEvent from an HTTP request with the cloudevents SDK (`HTTP.toEvent`), checking
 * first that each attribute toolflow needs is really there: the SDK makes up an `id` and a `time`
 * that are missing, which would defeat duplicate detection and `schedule-tool`'s delivery time.
 * @param body the raw body (or, from faas-js-runtime without its raw body, the object it parsed).
 * @returns the event, its data a JSON object, `fencetoken` kept as a decimal string, other extensions dropped.
 * @throws EventInvalidError saying what is wrong and what to send instead.
 */
export function parseEvent(rawHeaders: IncomingHttpHeaders, body: Buffer | string | object): ToolflowEvent {
  const headers = cleanHeaders(rawHeaders);
  const contentType = (headers['content-type'] ?? '').toLowerCase();
  let message: { headers: Record<string, string>; body: string | object };
  let attributes: Record<string, unknown>;
  if (contentType.startsWith('application/cloudevents-batch')) {
    throw new EventInvalidError('batched CloudEvents are not taken: POST one event per request');
  } else if (contentType.startsWith('application/cloudevents')) {
    // Structured mode: the whole event is the JSON body.
    let parsed: unknown = body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      try {
        parsed = JSON.parse(bodyText(body));
      } catch (err) {
        throw new EventInvalidError(`the body of a structured-mode CloudEvent must be JSON: ${(err as Error).message}`);
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EventInvalidError('the body of a structured-mode CloudEvent must be a JSON object');
    attributes = parsed as Record<string, unknown>;
    message = { headers, body: parsed };
  } else if (headers['ce-id'] !== undefined) {
    // Binary mode: attributes in ce-* headers, the data is the body.
    attributes = Object.fromEntries(REQUIRED.map((a) => [a, headers[`ce-${a}`]]));
    message = { headers, body: typeof body === 'string' || Buffer.isBuffer(body) ? bodyText(body) : body };
  } else {
    throw new EventInvalidError(
      'the request is not a CloudEvent: send it in binary mode (ce-id, ce-source, ce-type, ce-specversion, ce-subject, ce-time headers, the data as a JSON body) or in structured mode (Content-Type: application/cloudevents+json)',
    );
  }
  const missing = REQUIRED.filter((a) => typeof attributes[a] !== 'string' || attributes[a] === '');
  if (missing.length) throw new EventInvalidError(`the CloudEvent lacks ${missing.map((a) => (message.body === attributes ? a : `ce-${a}`)).join(', ')}`);
  if (attributes.specversion !== '1.0') throw new EventInvalidError(`specversion ${JSON.stringify(attributes.specversion)} is not taken: toolflow speaks CloudEvents 1.0`);
  let ce: CloudEvent<unknown>;
  try {
    const parsed = HTTP.toEvent(message);
    if (Array.isArray(parsed)) throw new EventInvalidError('batched CloudEvents are not taken: POST one event per request');
    ce = parsed as CloudEvent<unknown>;
    ce.validate();
  } catch (err) {
    if (err instanceof EventInvalidError) throw err;
    // The SDK parses binary-mode JSON data itself: a SyntaxError is the data's.
    if (err instanceof SyntaxError) throw new EventInvalidError(`the event's data is not JSON: ${err.message}`);
    throw new EventInvalidError(`not a valid CloudEvent: ${(err as Error).message}`);
  }
  let data: unknown = ce.data;
  const dataType = (ce.datacontenttype ?? 'application/json').toLowerCase();
  if (!/^application\/(.+\+)?json\b/.test(dataType)) throw new EventInvalidError(`datacontenttype ${ce.datacontenttype} is not taken: toolflow events carry application/json data`);
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch (err) {
      throw new EventInvalidError(`the event's data is not JSON: ${(err as Error).message}`);
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new EventInvalidError(`${ce.type}: data must be a JSON object`);
  const fence = (ce as unknown as { fencetoken?: unknown }).fencetoken;
  // Tokens are etcd revisions or, for locks kept in the database, microseconds since the epoch (16 digits).
  if (fence !== undefined && !(/^\d{1,16}$/.test(String(fence)) && Number.isSafeInteger(Number(fence)))) throw new EventInvalidError(`fencetoken ${JSON.stringify(fence)} must be a decimal integer`);
  return {
    specversion: '1.0',
    id: ce.id,
    source: ce.source,
    type: ce.type as ToolflowEvent['type'],
    subject: String(ce.subject),
    time: String(attributes.time),
    datacontenttype: 'application/json',
    ...(fence === undefined ? {} : { fencetoken: String(fence) }),
    data: data as ToolflowEvent['data'],
  };
}

/**
 * Parses and checks an event for function `fn`: a CloudEvent, of a type in the catalog that `fn`
 * consumes, whose data matches that type's schema (`validateEvent`).
 * @throws EventInvalidError.
 */
export function eventFor(fn: FunctionDef, headers: IncomingHttpHeaders, body: Buffer | string | object): ToolflowEvent {
  const event = parseEvent(headers, body);
  const valid = validateEvent(event);
  if (!valid.ok) throw new EventInvalidError(valid.message);
  if (!fn.consumes.includes(event.type)) throw new EventInvalidError(`${fn.name} does not take ${event.type} events; it takes ${fn.consumes.join(', ')}`);
  return event;
}

/** Options of `answerEvent`. */
export interface AnswerOptions {
  /** The shared secret calls must carry (`Config.functionSecret`); undefined: calls are not authenticated. */
  secret?: string;
}

/**
 * Answers one HTTP request to event function `fn` with `ports` (the contract above). Never throws:
 * every failure is an answer, logged on `ports.log` (a refused call without the secret in the log).
 */
export async function answerEvent(fn: FunctionDef, ports: Ports, request: FunctionRequest, options: AnswerOptions = {}): Promise<FunctionAnswer> {
  const refused = refuseUnauthenticated(request.headers, options.secret);
  if (refused) {
    ports.log.warn({ function: fn.name, ceId: header(request.headers, 'ce-id'), ceType: header(request.headers, 'ce-type') }, 'refused a call without the function secret (401)');
    return refused;
  }
  if (request.method !== 'POST') return errorAnswer(405, 'METHOD_NOT_ALLOWED', `${fn.name} takes CloudEvents by POST (health: GET /health/liveness, /health/readiness)`);
  let event: ToolflowEvent;
  try {
    event = eventFor(fn, request.headers, await request.body(EVENT_BODY_LIMIT));
  } catch (err) {
    if (err instanceof PayloadTooLargeError) return errorAnswer(413, err.code, err.message);
    const message = err instanceof EventInvalidError ? err.message : `not a CloudEvent: ${(err as Error).message}`;
    ports.log.warn({ function: fn.name, ceId: header(request.headers, 'ce-id'), err: message }, 'refused an invalid event');
    return errorAnswer(400, 'EVENT_INVALID', message);
  }
  try {
    let out: ToolflowEvent[];
    try {
      out = await runFunction(fn, event, ports);
    } catch (err) {
      // A handler that finds the event can never be handled (notify: a target refused it for good)
      // is answered 400 with its code, as the buses dead-letter it at once.
      if (!(err instanceof EventInvalidError)) throw err;
      ports.log.error({ ...eventLogFields(event, fn.name), type: event.type, id: event.id, subject: event.subject, err: err.message }, 'the event can never be handled; answered 400 (dead-letter it)');
      return errorAnswer(400, err.code, err.message);
    }
    // The bus of `openAdapters` validates every event it publishes (events/validating-bus.ts): an
    // invalid output is a bug of the function, answered 500.
    if (out.length) await ports.bus.publish(out);
    return { status: 202, headers: {}, body: '' };
  } catch (err) {
    const about = { ...eventLogFields(event, fn.name), type: event.type, id: event.id, subject: event.subject, err: (err as Error).message };
    if (err instanceof ServiceUnavailableError) {
      ports.log.warn(about, 'a backend is unavailable; the event is to be delivered again');
      return errorAnswer(503, 'SERVICE_UNAVAILABLE', err.message);
    }
    ports.log.error(about, 'the function failed; the event is to be delivered again');
    return errorAnswer(500, 'INTERNAL', `${fn.name} failed to handle ${event.type} ${event.id}: ${(err as Error).message}`);
  }
}
