/**
 * Validation of toolflow's CloudEvents, at both ends of every delivery: the context attributes
 * toolflow relies on, and `data` against its type's JSON Schema. The schemas are
 * `schema/events/event-data.schema.json` (`#/definitions/<type>`), generated from `EventData` in
 * `catalog.ts` by `npm run schemas`; docs/events.md says who calls what.
 *
 * Unknown fields and unknown attributes are accepted (a newer producer may add optional ones; an
 * older consumer ignores them). Start-up cost: the validators are compiled ahead of time
 * (`event-validators.generated.ts`, `npm run schemas`), so no process loads ajv for them.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import schema from '../../schema/events/event-data.schema.json' with { type: 'json' };
import { EventInvalidError } from '../errors.js';
import { EventType, type ToolflowEvent } from './catalog.js';
import { VALIDATORS } from './event-validators.generated.js';

/** What `validateEvent` found: `message` names the type and the field, e.g. `io.toolflow.tool.exited: data.exitCode must be integer or null`. */
export type EventCheck = { ok: true } | { ok: false; message: string };

const KNOWN: ReadonlySet<string> = new Set(Object.values(EventType));
/** RFC 3339 date-time (CloudEvents `time`), e.g. `2026-01-02T03:04:05.678Z` or `…+01:00`. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** `application/json`, with parameters (`; charset=utf-8`) or not. */
const JSON_CONTENT = /^application\/json\s*(;.*)?$/i;

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/**
 * The validator of `type`'s data: compiled ahead of time (event-validators.generated.ts, made by
 * scripts/generate-event-validators.mjs from the same schema: no ajv import nor compile at run time,
 * ~140 ms of a process's first events here, issue 10 §6), else compiled on first use.
 */
function validatorOf(type: string): ValidateFunction {
  let validate = validators.get(type) ?? (VALIDATORS as unknown as Record<string, ValidateFunction | undefined>)[type];
  if (validate) return validate;
  if (!ajv) {
    // Loaded here, not imported: only a type the generated file lacks needs ajv at run time.
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajv = new AjvClass({ allErrors: false, strict: true, allowUnionTypes: true, validateSchema: false, inlineRefs: false, code: { optimize: false } });
    ajv.addSchema(schema);
  }
  validate = ajv.getSchema(`${schema.$id}#/definitions/${type}`);
  if (!validate) throw new Error(`${schema.$id} has no definition of ${type}: run npm run schemas`);
  validators.set(type, validate);
  return validate;
}

/** `data.spec.tools[0].cmds`, `data.values["read-stats"]` from ajv's JSON Pointer `/spec/tools/0/cmds`. */
function fieldPath(pointer: string, child?: string): string {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let path = 'data';
  for (const p of parts) path += /^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return path;
}

/** One ajv error in words: `data.exitCode must be integer or null`. */
function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `${fieldPath(e.instancePath)} must be ${String(p.type).split(',').join(' or ')}`;
    case 'required':
      return `${fieldPath(e.instancePath, String(p.missingProperty))} is required`;
    case 'enum':
      return `${fieldPath(e.instancePath)} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${fieldPath(e.instancePath)} ${e.message ?? `fails ${e.keyword}`}`;
  }
}

/** The first context attribute toolflow relies on that `e` gets wrong, in words; undefined when all are right. */
function attributeProblem(e: Record<string, unknown>): string | undefined {
  if (e.specversion !== '1.0') return `specversion must be "1.0" (CloudEvents 1.0), got ${JSON.stringify(e.specversion)}`;
  if (typeof e.id !== 'string' || e.id === '') return 'id must be a non-empty string';
  if (typeof e.source !== 'string' || e.source === '') return 'source must be a non-empty string (a URI reference such as /toolflow/functions/enqueue)';
  if (typeof e.time !== 'string' || !RFC3339.test(e.time)) return `time must be an RFC 3339 timestamp such as 2026-01-02T03:04:05.678Z, got ${JSON.stringify(e.time)}`;
  if (e.datacontenttype !== undefined && (typeof e.datacontenttype !== 'string' || !JSON_CONTENT.test(e.datacontenttype))) {
    return `datacontenttype must be application/json, got ${JSON.stringify(e.datacontenttype)}`;
  }
  if (e.fencetoken !== undefined && (typeof e.fencetoken !== 'string' || !/^\d+$/.test(e.fencetoken))) return `fencetoken must be a decimal string, got ${JSON.stringify(e.fencetoken)}`;
  return undefined;
}

/**
 * Checks one event as toolflow produces and consumes it (CloudEvents 1.0 context attributes,
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md):
 * - `type` is one of the catalog's (`EventType`);
 * - `specversion` is `1.0`; `id` and `source` are non-empty strings; `time` is an RFC 3339 timestamp
 *   (schedule-tool compares it); `datacontenttype`, when present, is `application/json`;
 *   `fencetoken`, when present, is a decimal string;
 * - `data` matches the type's schema (`schema/events/event-data.schema.json#/definitions/<type>`);
 * - `subject` is `<data.taskId>`, or `<data.taskId>/<data.tool>` for tool events (the RabbitMQ bus
 *   orders deliveries by it).
 * Other attributes (extensions such as Knative's) are ignored. Never throws, mutates nothing.
 * @param event a `ToolflowEvent`, or anything a transport delivered (a parsed CloudEvent object).
 * @returns `{ ok: true }`, or `{ ok: false, message }` where `message` starts with the type (or says
 *   the type is unknown) and names the field: `io.toolflow.tool.exited: data.exitCode must be integer or null`.
 */
export function validateEvent(event: unknown): EventCheck {
  if (typeof event !== 'object' || event === null) return { ok: false, message: 'not a CloudEvent: expected an object with type, id, source, time and data' };
  const e = event as Record<string, unknown>;
  if (typeof e.type !== 'string' || e.type === '') return { ok: false, message: 'not a CloudEvent: its type attribute is missing' };
  if (!KNOWN.has(e.type)) return { ok: false, message: `unknown event type ${JSON.stringify(e.type)}: toolflow's types are ${[...KNOWN].join(', ')}` };
  const type = e.type;
  const attribute = attributeProblem(e);
  if (attribute) return { ok: false, message: `${type}: ${attribute}` };
  const validate = validatorOf(type);
  if (!validate(e.data)) return { ok: false, message: `${type}: ${validate.errors?.length ? describe(validate.errors[0]!) : 'data does not match its schema'}` };
  const data = e.data as { taskId: string; tool?: unknown };
  const subject = typeof data.tool === 'string' ? `${data.taskId}/${data.tool}` : data.taskId;
  if (e.subject !== subject) return { ok: false, message: `${type}: subject must be ${JSON.stringify(subject)} (data.taskId${typeof data.tool === 'string' ? '/data.tool' : ''}), got ${JSON.stringify(e.subject)}` };
  return { ok: true };
}

/**
 * Checks events about to be published, all of them before any goes out.
 * @throws EventInvalidError (code `EVENT_INVALID`) for the first invalid one, naming its id, type and
 *   field: a producer made an event its type's schema refuses, which is a bug in that producer.
 */
export function assertValidEvents(events: readonly ToolflowEvent[]): void {
  for (const event of events) {
    const check = validateEvent(event);
    if (!check.ok) throw new EventInvalidError(`refusing to publish event ${String((event as { id?: unknown }).id)}: ${check.message} (a bug in its producer ${String((event as { source?: unknown }).source)})`);
  }
}
