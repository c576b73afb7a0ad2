/**
 * The events a work manager emits, built from its state; every id is deterministic, so a
 * redelivery or a restarted work manager makes the same event and consumers recognise it:
 * - `tool.ready`, when it delivers an attempt: everything an executor needs to run it (the tool's
 *   commands and environment, its option values, the task's inputs, the attempts of its
 *   dependencies, its resources, and where the task's work dirs are);
 * - `tool.exited`, from an executor's or sidecar's exit report, or a watchdog verdict;
 * - the task's final event.
 */
import { EventType, makeEvent, type ExitDetails, type StoredInput, type ToolflowEvent } from '../events/catalog.js';
import type { RetryPolicy } from '../spec/types.js';
import type { Resources } from '../scheduler/resources.js';
import type { ToolSpec } from '../spec/types.js';
import type { OptionValue } from '../spec/types.js';
import { boundTools } from '../spec/bindings.js';
import type { Dag } from '../spec/graph.js';
import type { Slot } from './slot.js';

/** What a ready event is made of. */
export interface ReadyAttempt {
  taskId: string;
  owner: string;
  spec: ToolSpec;
  attempt: number;
  resources: Resources;
  values: Record<string, OptionValue>;
  inputs: Record<string, StoredInput>;
  /** The succeeded attempt of each dependency. */
  deps: { tool: string; attempt: number }[];
  /** The task's recorded work folder, when it has one. */
  workRoot?: string;
  /** True: the cache is not consulted (`--no-cache`). */
  noCache?: boolean;
}

/**
 * Builds the event; its id is deterministic (`ready/<task>/<tool>/<attempt>`), so a redelivery is
 * recognised downstream.
 */
export function readyEvent(a: ReadyAttempt, source: string): ToolflowEvent<typeof EventType.toolReady> {
  const s = a.spec;
  return makeEvent(
    EventType.toolReady,
    source,
    {
      taskId: a.taskId,
      tool: s.name,
      attempt: a.attempt,
      owner: a.owner,
      spec: {
        name: s.name,
        cmds: s.cmds,
        env: s.env,
        outputs: s.outputs,
        image: s.image,
        ...(s.passEnv?.length ? { passEnv: s.passEnv } : {}),
        ...(s.bindings ? { bindings: s.bindings } : {}),
        ...(s.instance ? { instance: s.instance } : {}),
      },
      values: a.values,
      inputs: a.inputs,
      deps: a.deps,
      resources: a.resources,
      ...(a.workRoot ? { workRoot: a.workRoot } : {}),
      ...(a.noCache ? { noCache: true } : {}),
    },
    `ready/${a.taskId}/${s.name}/${a.attempt}`,
  );
}

/** The `tool.exited` event of an attempt; fields the report lacks get their "unknown" values. */
export function exitedEvent(a: { taskId: string; tool: string; attempt: number; resources: Resources; retry: RetryPolicy }, exit: Partial<ExitDetails>, at: number, source: string): ToolflowEvent<typeof EventType.toolExited> {
  return makeEvent(
    EventType.toolExited,
    source,
    {
      ...a,
      at,
      exitCode: exit.exitCode ?? null,
      signal: exit.signal ?? null,
      oomKilled: exit.oomKilled ?? false,
      peakMemBytes: exit.peakMemBytes ?? null,
      stderrTail: exit.stderrTail ?? '',
      missingOutputs: exit.missingOutputs ?? [],
      ...(exit.watchdog ? { watchdog: exit.watchdog } : {}),
      ...(exit.launchError !== undefined ? { launchError: exit.launchError } : {}),
      ...(exit.oomKills !== undefined ? { oomKills: exit.oomKills } : {}),
      ...(exit.cpuTimeMs !== undefined ? { cpuTimeMs: exit.cpuTimeMs } : {}),
      ...(exit.memLimitKind !== undefined ? { memLimitKind: exit.memLimitKind } : {}),
      ...(exit.diskFull !== undefined ? { diskFull: exit.diskFull } : {}),
      ...(exit.evidence ? { evidence: exit.evidence } : {}),
      ...(exit.outputs ? { outputs: exit.outputs } : {}),
      ...(exit.cachedFrom ? { cachedFrom: exit.cachedFrom } : {}),
      ...(exit.inputChanged !== undefined ? { inputChanged: exit.inputChanged } : {}),
    },
    `exited/${a.taskId}/${a.tool}/${a.attempt}`,
  );
}

/**
 * The task's final event: cancelled (with why), failed (with every failure and how many tools were
 * skipped), or succeeded.
 */
export function finalEvent(taskId: string, outcome: { cancelled: boolean; failures: string[]; skipped: number }, source: string): ToolflowEvent {
  const { cancelled, failures, skipped } = outcome;
  if (cancelled) return makeEvent(EventType.taskCancelled, source, { taskId, error: failures.join('; ') }, `cancelled/${taskId}`);
  if (failures.length > 0) {
    const error = `${failures.length} tool${failures.length > 1 ? 's' : ''} failed: ${failures.join('; ')}${skipped ? `; ${skipped} skipped` : ''}`;
    return makeEvent(EventType.taskFailed, source, { taskId, error }, `failed/${taskId}`);
  }
  return makeEvent(EventType.taskSucceeded, source, { taskId }, `succeeded/${taskId}`);
}

/**
 * The `deps` of tool `i`'s ready event: the current attempt of each of its parents, then of each
 * other tool its bindings reference (ancestors whose named outputs its commands read), once each.
 */
export function dependencyAttempts(dag: Dag, slots: readonly Slot[], i: number): { tool: string; attempt: number }[] {
  const deps = dag.parents[i]!.map((p) => ({ tool: slots[p]!.spec.name, attempt: slots[p]!.attempt }));
  const seen = new Set(deps.map((d) => d.tool));
  for (const name of boundTools(slots[i]!.spec)) {
    const k = dag.index.get(name);
    if (k === undefined || seen.has(name)) continue;
    seen.add(name);
    deps.push({ tool: name, attempt: slots[k]!.attempt });
  }
  return deps;
}
