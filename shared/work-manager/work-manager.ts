/**
 * The work manager of one task (design doc: the per-task "work manager" Job). It owns the task's
 * DAG: admits ready tools against the resource budget and emits `tool.ready`, turns executor or
 * sidecar reports into `tool.started` / `tool.keepalive` / `tool.exited`, runs the watchdog
 * (no Start in time → `undelivered`, no report in time → `lost`), follows the outcomes
 * (`tool.succeeded`, `tool.retrying`, `tool.failed`), skips what can no longer run, and finishes
 * the task. Its state is rebuilt from the store when it starts, so a restarted work manager resumes
 * without rerunning tools that succeeded.
 */
import { EventType, makeEvent, type ExitDetails, type StoredInput, type ToolflowEvent } from '../events/catalog.js';
import type { ToolReport } from '../executor/executor.js';
import type { Ports } from '../runtime/ports.js';
import { withLogFields } from '../runtime/log.js';
import { inputsFor } from '../spec/bindings.js';
import { descendants, type Dag } from '../spec/graph.js';
import type { ToolValues } from '../spec/values.js';
import { AttemptTimers } from './attempt-timers.js';
import { dependencyAttempts, exitedEvent, finalEvent, readyEvent } from './emitted-events.js';
import { publishUntilConfirmed, stopLeftovers } from './resilience.js';
import { restorePlan } from './restore.js';
import { TERMINAL, type Slot, type ToolState } from './slot.js';
import { loadStoredTask, type StoredTask } from './stored-task.js';
import { attemptEnded, attemptReady, attemptStarted, prepareWorkSeries, recordKeepalivesLost, recordReport, recordUndelivered, templateOf } from '../metrics/record.js';

export type { ToolState } from './slot.js';

const SOURCE = '/toolflow/work-manager';

/** Drives one task. */
export class WorkManager {
  private slots: Slot[] = [];
  private dag!: Dag;
  private owner = '';
  private values: ToolValues = {};
  private inputs: Record<string, StoredInput> = {};
  private failFast = false;
  private noCache = false;
  /** The task's recorded work folder (local executor), carried on its ready events. */
  private workRoot: string | undefined;
  private queue: number[] = [];
  private remaining = 0;
  private failures: string[] = [];
  private cancelled = false;
  /** Attempts a cancel is stopping. */
  private stopping: Slot[] = [];
  /** The cancel's `tool.cancelled` events, once published: the exits of the attempts it stops follow them. */
  private cancelPublished: Promise<void> = Promise.resolve();
  /** Publishes of the exits of attempts a cancel stopped (handle-status records them on the cancelled rows). */
  private readonly cancelledExits: Promise<void>[] = [];
  /** Tools whose attempt failed and whose rerun is being decided. */
  private deciding = 0;
  private finished = false;
  /** Its state is rebuilt: reports can be acted on. */
  private ready = false;
  /** Stopped by `halt`: it publishes nothing more. */
  private halted = false;
  /** Why `halt` stopped it, if it did. */
  haltReason: string | undefined;
  private readonly cleanups: (() => void)[] = [];
  private readonly timers = new AttemptTimers();
  private resolveDone!: () => void;
  /** Resolves when the task has finished and the work manager has stopped. */
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  /**
   * @param fence the fencing token of the lock this work manager runs under; every event it
   *   publishes carries it (`ToolflowEvent.fencetoken`).
   */
  constructor(
    readonly taskId: string,
    ports: Ports,
    private readonly fence?: number,
  ) {
    // Every line it logs names its task (runtime/log.ts); tool and attempt where a line is about one.
    this.ports = { ...ports, log: withLogFields(ports.log, { taskId }) };
  }

  private readonly ports: Ports;

  /**
   * Publishes this work manager's events, stamped with its fencing token. Its state lives in memory
   * until they are out, so while the bus is unavailable it keeps trying (backoff up to 15 s), until
   * they are confirmed or it is halted.
   */
  private async publish(events: ToolflowEvent[]): Promise<void> {
    if (this.fence !== undefined) for (const e of events) e.fencetoken = String(this.fence);
    return publishUntilConfirmed(this.ports, this.taskId, events, () => this.halted);
  }

  /**
   * Loads the task and its attempts from the store and starts scheduling.
   * @throws NotFoundError when the task does not exist.
   */
  async start(): Promise<void> {
    const task = await loadStoredTask(this.ports.store, this.taskId);
    this.owner = task.owner;
    this.failFast = task.failFast;
    this.noCache = task.noCache;
    this.values = task.values;
    this.inputs = task.inputs;
    this.workRoot = task.workRoot;
    this.dag = task.dag;
    const bus = this.ports.bus;
    this.cleanups.push(
      bus.subscribe(
        `work-manager/${this.taskId}`,
        [EventType.toolSucceeded, EventType.toolRetrying, EventType.toolFailed],
        (e) => this.onEvent(e),
        { taskId: this.taskId },
      ),
      this.ports.budget.onRelease(() => void this.pump()),
    );
    const { slots, remaining, deciding, ready, lost, adopted, undecided } = restorePlan(this.taskId, task, this.ports.executor.attemptsOutliveDriver === true, SOURCE);
    this.slots = slots;
    prepareWorkSeries(slots); // its tools' durations, queue waits, undelivered and lost at 0 (shared/metrics/record.ts)
    this.remaining = remaining;
    this.deciding = deciding;
    for (const i of ready) this.enqueue(i);
    for (const i of adopted) this.adopt(i, task.tools[i]!.times);
    this.ready = true;
    // What the platform knows of the attempts (a Pod OOMKilled, evicted, vanished) comes as reports,
    // also of what happened while no work manager ran.
    const unwatch = this.ports.executor.watchTask?.(this.taskId, (r) => void this.receive(r));
    if (unwatch) this.cleanups.push(unwatch);
    // What a dead driver left running must stop before the attempt is rerun beside it.
    await stopLeftovers(this.ports, this.taskId, lost.map((i) => ({ tool: this.slots[i]!.spec.name, attempt: this.slots[i]!.attempt })), this.workRoot);
    for (const i of lost) {
      recordKeepalivesLost(templateOf(this.slots[i]!)); // its driver died: no report came for it since
      await this.emitExit(i, { watchdog: 'lost' });
    }
    if (undecided.length) await this.publish(undecided);
    await this.pump();
    await this.maybeFinish();
  }

  /**
   * Receives a report from the executor or a sidecar (resends of one report are harmless: each is
   * acted on once). @returns `accepted`; `stale` for a report this work manager will never act on
   * (an older or unknown attempt, a finished task: the sender stops resending); `unavailable` once
   * halted (another work manager takes the task over: the sender tries again).
   */
  receive(report: ToolReport): 'accepted' | 'stale' | 'unavailable' {
    recordReport(report.kind);
    if (this.halted || !this.ready) return 'unavailable';
    const i = this.dag.index.get(report.tool);
    const s = i === undefined ? undefined : this.slots[i];
    if (!s || s.attempt !== report.attempt || this.finished) return 'stale';
    this.ports.log[report.kind === 'keepalive' ? 'trace' : 'debug']({ tool: report.tool, attempt: report.attempt, kind: report.kind }, `${report.kind} report received`);
    void this.onReport(report).catch((err) => this.ports.log.error({ err, taskId: this.taskId }, 'report handling failed'));
    return 'accepted';
  }

  /**
   * Takes over an attempt that outlived the work manager before this one: it holds its resources,
   * and its watchdog starts afresh (its sidecar had nobody to report to meanwhile and is resending);
   * its time limit still counts from its real start.
   */
  private adopt(i: number, times: StoredTask['tools'][number]['times']): void {
    const s = this.slots[i]!;
    this.ports.budget.reserve(s.resources);
    s.reserved = true;
    this.arm(i, s.state === 'dispatched' ? 'undelivered' : 'lost');
    if (s.state === 'running') attemptStarted(s, times?.startedAt ?? Date.now());
    const limit = s.resources.timeSeconds;
    if (s.state === 'running' && limit) {
      const attempt = s.attempt;
      const left = Math.max(0, limit - (Date.now() - (times?.startedAt ?? Date.now())) / 1000);
      this.timers.set(s.spec.name, 'deadline', left, () => this.expire(i, attempt));
    }
    this.ports.log.info({ taskId: this.taskId, tool: s.spec.name, attempt: s.attempt, state: s.state }, 'adopted an attempt in flight');
  }

  /**
   * Cancels the task: stops running attempts (SIGTERM, then SIGKILL after the executor's grace period),
   * cancels the rest. With `force`, kills at once, also attempts a first call is still stopping.
   * Resolves when everything has stopped.
   */
  async cancel(reason = 'cancelled by the user', force = false): Promise<void> {
    if (this.cancelled && force && !this.finished) {
      await Promise.all(this.stopping.map((s) => this.ports.executor.cancel(this.taskId, s.spec.name, s.attempt, 0)));
      return this.done;
    }
    if (this.finished || this.cancelled) return this.done;
    this.cancelled = true;
    this.queue = [];
    const events: ToolflowEvent[] = [];
    const toStop: Slot[] = [];
    this.slots.forEach((s) => {
      if (TERMINAL.has(s.state)) return;
      if (s.state === 'dispatched' || s.state === 'running') toStop.push(s);
      // Settled before the executor is asked to stop, so the exit it reports is not taken as a failure.
      this.settle(s, 'cancelled');
      events.push(makeEvent(EventType.toolCancelled, SOURCE, { taskId: this.taskId, tool: s.spec.name, attempt: s.attempt }));
    });
    this.stopping = toStop;
    // The tools are told to stop first: a bus or store that does not answer must not keep them running.
    const stopped = Promise.all(toStop.map((s) => this.ports.executor.cancel(this.taskId, s.spec.name, s.attempt, force ? 0 : undefined)));
    const published = this.publish(events);
    this.cancelPublished = published.catch(() => undefined);
    await published;
    await stopped;
    // Their exits before the task's end, so the summary shows how long they really ran.
    await Promise.allSettled(this.cancelledExits);
    this.failures.push(reason);
    await this.maybeFinish();
    return this.done;
  }

  /**
   * Stops this work manager without deciding anything (its task lock was lost, or the process is
   * closing): no event is published, its running attempts are stopped, and whoever takes the task
   * over resumes it from the store. Resolves when it has stopped.
   */
  async halt(reason: string): Promise<void> {
    if (this.finished) return this.done;
    this.finished = true;
    this.halted = true;
    this.haltReason = reason;
    this.ports.log.warn({ taskId: this.taskId, reason }, 'work manager halted');
    for (const c of this.cleanups) c();
    const running = this.slots.filter((s) => s.state === 'dispatched' || s.state === 'running');
    this.timers.clearAll();
    for (const s of this.slots) {
      this.unreserve(s);
      attemptEnded(s);
    }
    // Attempts that outlive their driver (Kubernetes Jobs) go on: whoever takes the task over adopts them.
    if (!this.ports.executor.attemptsOutliveDriver) await Promise.allSettled(running.map((s) => this.ports.executor.cancel(this.taskId, s.spec.name, s.attempt, 0)));
    this.resolveDone();
    return this.done;
  }

  private async onReport(r: ToolReport): Promise<void> {
    if (this.halted) return;
    const i = this.dag.index.get(r.tool);
    const s = i === undefined ? undefined : this.slots[i];
    if (!s || s.attempt !== r.attempt) return; // a stale report from an earlier attempt
    const ref = { taskId: this.taskId, tool: r.tool, attempt: r.attempt };
    if (r.kind === 'start') {
      if (s.state !== 'dispatched') return;
      s.state = 'running';
      attemptStarted(s, r.at, r.cached); // a cache hit's start: no queue wait, not running, no duration
      this.arm(i!, 'lost');
      const limit = s.resources.timeSeconds;
      const attempt = s.attempt;
      if (limit) this.timers.set(s.spec.name, 'deadline', limit, () => this.expire(i!, attempt));
      await this.publish([makeEvent(EventType.toolStarted, SOURCE, { ...ref, at: r.at }, `started/${r.taskId}/${r.tool}/${r.attempt}`)]);
    } else if (r.kind === 'keepalive') {
      if (s.state !== 'running') return;
      this.arm(i!, 'lost');
      await this.publish([makeEvent(EventType.toolKeepalive, SOURCE, { ...ref, at: r.at, memBytes: r.memBytes })]);
    } else {
      const { kind: _k, taskId: _t, tool: _n, attempt: _a, at: _at, ...exit } = r;
      if (s.state === 'cancelled' && this.stopping.includes(s)) {
        // The exit of an attempt a cancel stopped, after the cancel's events: handle-status finds the
        // row cancelled and records when its process was gone, its exit and its peak memory.
        attemptEnded(s, r.at);
        const recorded = this.cancelPublished.then(() => this.publish([this.exitEvent(s, exit, r.at)]));
        this.cancelledExits.push(recorded);
        return recorded;
      }
      if (s.state !== 'dispatched' && s.state !== 'running') {
        this.unreserve(s);
        return;
      }
      // A Pod watch verdict (lost, undelivered) is no exit of the tool's: no duration for it.
      attemptEnded(s, exit.watchdog === undefined || exit.watchdog === 'timeout' ? r.at : undefined);
      if (exit.watchdog === 'undelivered') recordUndelivered(templateOf(s));
      else if (exit.watchdog === 'lost') recordKeepalivesLost(templateOf(s));
      await this.emitExit(i!, s.expired ? { ...exit, watchdog: 'timeout' } : exit, r.at);
    }
  }

  private async emitExit(i: number, exit: Partial<Omit<Extract<ToolReport, { kind: 'exit' }>, 'kind'>>, at = Date.now()): Promise<void> {
    const s = this.slots[i]!;
    if (this.halted) return;
    this.timers.clear(s.spec.name);
    s.expired = false;
    // Deciding before the release: a release wakes admission, which must see this failure (fail-fast).
    this.setState(s, 'deciding');
    this.unreserve(s);
    await this.publish([this.exitEvent(s, exit, at)]);
  }

  /** The `tool.exited` event of a slot's current attempt. */
  private exitEvent(s: Slot, exit: Partial<ExitDetails>, at: number): ToolflowEvent {
    return exitedEvent({ taskId: this.taskId, tool: s.spec.name, attempt: s.attempt, resources: s.resources, retry: s.spec.retry }, exit, at, SOURCE);
  }

  private async onEvent(e: ToolflowEvent): Promise<void> {
    if (this.halted) return;
    const d = e.data as { tool: string; attempt: number };
    const i = this.dag.index.get(d.tool);
    if (i === undefined) return;
    const s = this.slots[i]!;
    if (TERMINAL.has(s.state)) return;
    if (e.type === EventType.toolSucceeded && d.attempt === s.attempt) {
      this.settle(s, 'succeeded');
      for (const c of this.dag.children[i]!) {
        const child = this.slots[c]!;
        if (--child.waitingOn === 0 && child.state === 'waiting' && !this.cancelled) this.enqueue(c);
      }
      await this.pump();
    } else if (e.type === EventType.toolRetrying && d.attempt > s.attempt) {
      const r = (e as ToolflowEvent<typeof EventType.toolRetrying>).data;
      s.attempt = r.attempt;
      s.resources = r.resources;
      this.setState(s, 'waiting');
      if (!this.cancelled) this.enqueue(i);
      await this.pump();
    } else if (e.type === EventType.toolFailed && d.attempt === s.attempt) {
      const f = (e as ToolflowEvent<typeof EventType.toolFailed>).data;
      this.settle(s, 'failed');
      this.failures.push(`${s.spec.name} (${f.message})`);
      if (this.failFast) {
        const downstream = new Set(descendants(this.dag, i));
        await this.skip(this.slots.map((_, k) => k), (k) => (downstream.has(k) ? `${s.spec.name} failed` : `stopped by --fail-fast after ${s.spec.name} failed`));
      } else await this.skip(descendants(this.dag, i), () => `${s.spec.name} failed`);
    }
    await this.maybeFinish();
  }

  /** Marks tools that can no longer run as skipped. */
  private async skip(indexes: number[], because: (index: number) => string): Promise<void> {
    const events: ToolflowEvent[] = [];
    for (const k of indexes) {
      const s = this.slots[k]!;
      if (s.state !== 'waiting' && s.state !== 'queued') continue;
      this.settle(s, 'skipped');
      events.push(makeEvent(EventType.toolSkipped, SOURCE, { taskId: this.taskId, tool: s.spec.name, attempt: s.attempt, because: because(k) }));
    }
    this.queue = this.queue.filter((k) => this.slots[k]!.state === 'queued');
    await this.publish(events);
  }

  private enqueue(i: number): void {
    this.slots[i]!.state = 'queued';
    this.queue.push(i);
  }

  /** Delivers queued tools that fit the budget, in queue order, skipping over ones that do not fit yet. */
  private async pump(): Promise<void> {
    if (this.queue.length === 0 || this.halted) return;
    // With fail-fast, nothing starts while a failure may turn out final.
    if (this.failFast && this.deciding > 0) return;
    const events: ToolflowEvent[] = [];
    const rest: number[] = [];
    const budget = this.ports.budget;
    for (const i of this.queue) {
      const s = this.slots[i]!;
      if (s.state !== 'queued') continue;
      if (!budget.tryReserve(s.resources)) {
        rest.push(i);
        continue;
      }
      s.reserved = true;
      s.state = 'dispatched';
      attemptReady(s);
      this.arm(i, 'undelivered');
      events.push(
        readyEvent(
          {
            taskId: this.taskId,
            owner: this.owner,
            spec: s.spec,
            attempt: s.attempt,
            resources: s.resources,
            values: this.values[s.spec.name] ?? {},
            inputs: inputsFor(s.spec, this.inputs),
            deps: dependencyAttempts(this.dag, this.slots, i),
            ...(this.noCache ? { noCache: true } : {}),
            ...(this.workRoot ? { workRoot: this.workRoot } : {}),
          },
          SOURCE,
        ),
      );
    }
    this.queue = rest;
    if (events.length) await this.publish(events);
  }

  private settle(s: Slot, state: 'succeeded' | 'failed' | 'skipped' | 'cancelled'): void {
    this.timers.clear(s.spec.name);
    this.unreserve(s);
    this.setState(s, state);
    this.remaining--;
  }

  /** Sets a tool's state, keeping the count of tools being decided. */
  private setState(s: Slot, state: ToolState): void {
    if (s.state === 'deciding') this.deciding--;
    if (state === 'deciding') this.deciding++;
    s.state = state;
  }

  private unreserve(s: Slot): void {
    if (!s.reserved) return;
    s.reserved = false;
    this.ports.budget.release(s.resources);
  }

  /** Starts (or restarts) the watchdog timer of a tool. */
  private arm(i: number, verdict: 'lost' | 'undelivered'): void {
    const s = this.slots[i]!;
    const w = this.ports.watchdog;
    const attempt = s.attempt;
    this.timers.set(s.spec.name, 'watchdog', verdict === 'undelivered' ? w.startTimeoutSeconds : w.lostAfterSeconds, () => {
      if (s.attempt !== attempt || (s.state !== 'dispatched' && s.state !== 'running')) return;
      this.ports.log.warn({ taskId: this.taskId, tool: s.spec.name, attempt, verdict }, 'watchdog fired');
      this.stopWith(i, verdict);
    });
  }

  /** The attempt ran past its time limit: it is stopped (SIGTERM, then SIGKILL after the grace period) and fails as `timeout`. */
  private expire(i: number, attempt: number): void {
    const s = this.slots[i]!;
    if (s.attempt !== attempt || s.state !== 'running') return;
    this.ports.log.info({ taskId: this.taskId, tool: s.spec.name, attempt, timeSeconds: s.resources.timeSeconds }, 'time limit reached');
    // Unlike a lost tool, this one is still there: its failure (and the release of its cpu and
    // memory, and so any rerun) waits until the executor reports it gone, with its real end.
    s.expired = true;
    void this.ports.executor.cancel(this.taskId, s.spec.name, attempt).catch(() => undefined);
  }

  /** Decides an attempt's verdict, then stops it: the exit the executor reports when stopped is then stale. */
  private stopWith(i: number, verdict: 'lost' | 'undelivered'): void {
    const s = this.slots[i]!;
    const attempt = s.attempt;
    attemptEnded(s);
    if (verdict === 'undelivered') recordUndelivered(templateOf(s));
    else recordKeepalivesLost(templateOf(s));
    void this.emitExit(i, { watchdog: verdict });
    void this.ports.executor.cancel(this.taskId, s.spec.name, attempt).catch(() => undefined);
  }

  private async maybeFinish(): Promise<void> {
    if (this.finished || this.remaining > 0) return;
    this.finished = true;
    for (const c of this.cleanups) c();
    for (const s of this.slots) attemptEnded(s);
    const skipped = this.slots.filter((s) => s.state === 'skipped').length;
    const event = finalEvent(this.taskId, { cancelled: this.cancelled, failures: this.failures, skipped }, SOURCE);
    await this.publish([event]);
    this.resolveDone();
  }
}
