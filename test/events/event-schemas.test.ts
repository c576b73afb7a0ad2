/**
 * The event data schemas (schema/events/event-data.schema.json) and `validateEvent`: the committed
 * file is what the generator makes from catalog.ts; every type refuses a bad payload with a message
 * naming the type and the field; the in-process bus dead-letters an invalid event at once without
 * running its handler; a bus refuses to publish one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { CloudEvent } from 'cloudevents';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EventInvalidError } from '../../shared/errors.js';
import { EventType, makeEvent, type EventData, type EventTypeName, type ToolflowEvent } from '../../shared/events/catalog.js';
import { validateEvent } from '../../shared/events/event-schemas.js';
import { MemoryBus } from '../../shared/events/memory-bus.js';
import { validatingBus } from '../../shared/events/validating-bus.js';
import { validateSubmission } from '../../shared/handlers/validate.js';

const ROOT = join(import.meta.dirname, '../..');
const SCHEMA_FILE = join(ROOT, 'schema/events/event-data.schema.json');
const log = pino({ level: 'silent' });

const ref = { taskId: 't1', tool: 'align', attempt: 1 };
const resources = { cpuMillicores: 1000, memBytes: 1_073_741_824, diskBytes: null, timeSeconds: null };
const retry = { maxAttempts: 3, on: ['oom' as const, 'disk' as const], grow: 2, capMemBytes: 64e9, capDiskBytes: 500e9, capTimeSeconds: 604_800 };
const submitted = validateSubmission(
  { owner: 'me', workflowFile: 'wf.yaml', workflowText: 'name: w\ntools:\n  - {name: align, cmds: [echo hi], mem: 1Gi, time: 2h, options: [{name: q, type: int, default: 20}]}\n', values: [], inputs: {} },
  { capacity: { cpuMillicores: 4000, memBytes: 8e9, diskBytes: null } },
).data;

/** A valid `data` of every type. */
const VALID: { [T in EventTypeName]: EventData[T] } = {
  [EventType.taskSubmitted]: { ...submitted, taskId: 't1' },
  [EventType.taskQueued]: { taskId: 't1' },
  [EventType.taskStarted]: { taskId: 't1' },
  [EventType.taskSucceeded]: { taskId: 't1' },
  [EventType.taskFailed]: { taskId: 't1', error: '1 tool failed' },
  [EventType.taskCancelled]: { taskId: 't1', error: 'cancelled by the user' },
  [EventType.toolReady]: {
    ...ref,
    owner: 'me',
    spec: { name: 'align', cmds: ['echo hi'], env: { LC_ALL: 'C' }, outputs: ['out.txt'], image: null, passEnv: ['JAVA_HOME'] },
    values: { q: 20, mode: 'fast', strict: true },
    inputs: { reads: { key: 'me/u1/reads.fastq', fileName: 'reads.fastq' } },
    deps: [{ tool: 'index', attempt: 2 }],
    resources,
  },
  [EventType.toolStarted]: { ...ref, at: 1_760_000_000_000 },
  [EventType.toolKeepalive]: { ...ref, at: 1_760_000_000_000, memBytes: null },
  [EventType.toolExited]: {
    ...ref,
    at: 1_760_000_000_000,
    resources,
    retry,
    exitCode: 137,
    signal: 'SIGKILL',
    oomKilled: true,
    oomKills: 1,
    peakMemBytes: 1_073_741_824,
    memLimitKind: 'cgroup',
    diskFull: { path: '/', freeBytes: 0, totalBytes: 1e9, freeInodes: null },
    stderrTail: '',
    missingOutputs: [],
  },
  [EventType.toolAttemptFailed]: { ...ref, reason: 'oom', message: 'out of memory', resources, retry },
  [EventType.toolRetrying]: { ...ref, attempt: 2, reason: 'oom', resources, previous: 'out of memory' },
  [EventType.toolSucceeded]: ref,
  [EventType.toolFailed]: { ...ref, reason: 'exit', message: 'exited with code 1' },
  [EventType.toolSkipped]: { ...ref, because: 'index failed' },
  [EventType.toolCancelled]: ref,
};

/** For every type: a change to its valid data, and the exact message it is refused with. */
const BAD: { [T in EventTypeName]: [mutate: (d: Record<string, unknown>) => unknown, message: string] } = {
  [EventType.taskSubmitted]: [(d) => ((d.spec as { tools: Record<string, unknown>[] }).tools[0]!.memBytes = 1.5), 'io.toolflow.task.submitted: data.spec.tools[0].memBytes must be integer'],
  [EventType.taskQueued]: [(d) => (d.taskId = 7), 'io.toolflow.task.queued: data.taskId must be string'],
  [EventType.taskStarted]: [(d) => delete d.taskId, 'io.toolflow.task.started: data.taskId is required'],
  [EventType.taskSucceeded]: [(d) => (d.taskId = ['t1']), 'io.toolflow.task.succeeded: data.taskId must be string'],
  [EventType.taskFailed]: [(d) => delete d.error, 'io.toolflow.task.failed: data.error is required'],
  [EventType.taskCancelled]: [(d) => (d.error = null), 'io.toolflow.task.cancelled: data.error must be string'],
  [EventType.toolReady]: [(d) => ((d.values as Record<string, unknown>).q = null), 'io.toolflow.tool.ready: data.values.q must be string or number or boolean'],
  [EventType.toolStarted]: [(d) => (d.at = '2026-01-01'), 'io.toolflow.tool.started: data.at must be integer'],
  [EventType.toolKeepalive]: [(d) => (d.memBytes = 1.5), 'io.toolflow.tool.keepalive: data.memBytes must be integer or null'],
  [EventType.toolExited]: [(d) => (d.exitCode = 1.5), 'io.toolflow.tool.exited: data.exitCode must be integer or null'],
  [EventType.toolAttemptFailed]: [(d) => (d.reason = 'segfault'), 'io.toolflow.tool.attempt.failed: data.reason must be one of "oom", "disk", "timeout", "lost", "undelivered", "config", "exit", "cancelled"'],
  [EventType.toolRetrying]: [(d) => ((d.resources as Record<string, unknown>).cpuMillicores = '1000'), 'io.toolflow.tool.retrying: data.resources.cpuMillicores must be integer'],
  [EventType.toolSucceeded]: [(d) => (d.attempt = 0.5), 'io.toolflow.tool.succeeded: data.attempt must be integer'],
  [EventType.toolFailed]: [(d) => (d.message = 3), 'io.toolflow.tool.failed: data.message must be string'],
  [EventType.toolSkipped]: [(d) => delete d.because, 'io.toolflow.tool.skipped: data.because is required'],
  [EventType.toolCancelled]: [(d) => (d.tool = null), 'io.toolflow.tool.cancelled: data.tool must be string'],
};

const TYPES = Object.values(EventType);
const eventOf = <T extends EventTypeName>(type: T, data: EventData[T] = structuredClone(VALID[type])) => makeEvent(type, '/test', data);

describe('event data schemas', () => {
  it('the committed schema file is what the generator makes from catalog.ts (run npm run schemas after changing a type)', () => {
    const fresh = execFileSync('node', [join(ROOT, 'scripts/generate-event-schemas.mjs'), '--stdout'], { encoding: 'utf8' });
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(fresh);
  });

  it('is a valid JSON Schema with one definition per event type, and no other event type', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { definitions: Record<string, unknown> };
    expect(() => new Ajv({ strict: true, allowUnionTypes: true }).addSchema(schema).getSchema(`${(schema as { $id?: string }).$id}#/definitions/io.toolflow.tool.exited`)).not.toThrow();
    expect(Object.keys(schema.definitions).filter((k) => k.startsWith('io.toolflow.')).sort()).toEqual([...TYPES].sort());
  });

  it.each(TYPES)('accepts a valid %s', (type) => {
    expect(validateEvent(eventOf(type))).toEqual({ ok: true });
  });

  it.each(TYPES)('refuses a bad %s payload, naming the type and the field', (type) => {
    const data = structuredClone(VALID[type]) as unknown as Record<string, unknown>;
    const [mutate, message] = BAD[type];
    mutate(data);
    const event = { ...eventOf(type), data } as unknown as ToolflowEvent;
    expect(validateEvent(event)).toEqual({ ok: false, message });
  });

  it('refuses an unknown type, naming the known ones', () => {
    const event = { ...eventOf(EventType.taskQueued), type: 'io.toolflow.tool.exploded' };
    expect(validateEvent(event)).toEqual({ ok: false, message: `unknown event type "io.toolflow.tool.exploded": toolflow's types are ${TYPES.join(', ')}` });
    expect(validateEvent({ ...event, type: undefined })).toEqual({ ok: false, message: 'not a CloudEvent: its type attribute is missing' });
    expect(validateEvent(null)).toEqual({ ok: false, message: 'not a CloudEvent: expected an object with type, id, source, time and data' });
  });

  it('refuses a wrong context attribute toolflow relies on', () => {
    const queued = eventOf(EventType.taskQueued);
    const check = (attrs: Record<string, unknown>) => validateEvent({ ...queued, ...attrs });
    expect(check({ specversion: '0.3' })).toEqual({ ok: false, message: 'io.toolflow.task.queued: specversion must be "1.0" (CloudEvents 1.0), got "0.3"' });
    expect(check({ id: '' })).toEqual({ ok: false, message: 'io.toolflow.task.queued: id must be a non-empty string' });
    expect(check({ source: undefined })).toEqual({ ok: false, message: 'io.toolflow.task.queued: source must be a non-empty string (a URI reference such as /toolflow/functions/enqueue)' });
    expect(check({ time: 'yesterday' })).toEqual({ ok: false, message: 'io.toolflow.task.queued: time must be an RFC 3339 timestamp such as 2026-01-02T03:04:05.678Z, got "yesterday"' });
    expect(check({ datacontenttype: 'text/plain' })).toEqual({ ok: false, message: 'io.toolflow.task.queued: datacontenttype must be application/json, got "text/plain"' });
    expect(check({ fencetoken: 12 })).toEqual({ ok: false, message: 'io.toolflow.task.queued: fencetoken must be a decimal string, got 12' });
    expect(check({ subject: 't2' })).toEqual({ ok: false, message: 'io.toolflow.task.queued: subject must be "t1" (data.taskId), got "t2"' });
    expect(validateEvent({ ...eventOf(EventType.toolSucceeded), subject: 't1' })).toEqual({ ok: false, message: 'io.toolflow.tool.succeeded: subject must be "t1/align" (data.taskId/data.tool), got "t1"' });
    expect(check({ data: null })).toEqual({ ok: false, message: 'io.toolflow.task.queued: data must be object' });
  });

  it('accepts what a newer producer may add (an unknown data field, an unknown extension), no datacontenttype, and the CloudEvents SDK’s events', () => {
    const exited = eventOf(EventType.toolExited);
    expect(validateEvent({ ...exited, data: { ...exited.data, cpuSeconds: 12.5 }, knativearrivaltime: '2026-01-01T00:00:00Z', fencetoken: '42' })).toEqual({ ok: true });
    expect(validateEvent({ ...exited, datacontenttype: undefined })).toEqual({ ok: true });
    expect(validateEvent({ ...exited, datacontenttype: 'application/json; charset=utf-8', time: '2026-01-02T03:04:05+01:00' })).toEqual({ ok: true });
    const sdk = new CloudEvent({ ...exited, fencetoken: '7' }, true);
    expect(validateEvent(sdk)).toEqual({ ok: true });
  });
});

describe('validation at both ends of the in-process bus', () => {
  const badExit = () => {
    const e = eventOf(EventType.toolExited);
    (e.data as { exitCode: number }).exitCode = 1.5;
    return e;
  };

  it('dead-letters an invalid event at once, with an error naming it, and never runs its handler', async () => {
    const bus = new MemoryBus(log);
    const handled: string[] = [];
    const told: string[] = [];
    bus.onDeadLetter((d) => told.push(d.error));
    bus.subscribe('status', [EventType.toolExited, EventType.taskQueued], async (e) => void handled.push(e.id));
    const bad = badExit();
    const unknown = { ...eventOf(EventType.taskQueued), type: 'io.toolflow.task.exploded' } as unknown as ToolflowEvent;
    const good = eventOf(EventType.taskQueued);
    await bus.publish([bad, good]);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    expect(handled).toEqual([good.id]);
    expect(bus.deadLetters).toEqual([{ consumer: 'status', event: bad, error: 'io.toolflow.tool.exited: data.exitCode must be integer or null', deliveries: 1 }]);
    expect(told).toEqual(['io.toolflow.tool.exited: data.exitCode must be integer or null']);
    // A subscriber of every type gets an unknown one too (the raw bus routes by type): refused the same way.
    bus.subscribe('any', [unknown.type], async (e) => void handled.push(e.id));
    await bus.publish([unknown]);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    expect(handled).toEqual([good.id]);
    expect(bus.deadLetters[1]?.error).toBe(`unknown event type "io.toolflow.task.exploded": toolflow's types are ${TYPES.join(', ')}`);
  });

  it('dead-letters at once an event whose handler throws EventInvalidError (no second delivery)', async () => {
    const bus = new MemoryBus(log);
    let calls = 0;
    bus.subscribe('picky', [EventType.taskQueued], async () => {
      calls++;
      throw new EventInvalidError('io.toolflow.task.queued: this task id can never be handled');
    });
    await bus.publish([eventOf(EventType.taskQueued)]);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    expect(calls).toBe(1);
    expect(bus.deadLetters.map((d) => [d.error, d.deliveries])).toEqual([['io.toolflow.task.queued: this task id can never be handled', 1]]);
  });

  it('refuses to publish a batch holding an invalid event, before publishing any of it', async () => {
    const raw = new MemoryBus(log);
    const bus = validatingBus(raw);
    const handled: string[] = [];
    bus.subscribe('status', [EventType.toolExited, EventType.taskQueued], async (e) => void handled.push(e.id));
    const bad = badExit();
    const err = await bus.publish([eventOf(EventType.taskQueued), bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventInvalidError);
    expect((err as EventInvalidError).code).toBe('EVENT_INVALID');
    expect((err as Error).message).toBe(`refusing to publish event ${bad.id}: io.toolflow.tool.exited: data.exitCode must be integer or null (a bug in its producer /test)`);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    expect(handled).toEqual([]);
    const good = eventOf(EventType.taskQueued);
    await bus.publish([good]);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    expect(handled).toEqual([good.id]);
  });
});
