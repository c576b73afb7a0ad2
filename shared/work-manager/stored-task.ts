/**
 * A task as the store keeps it, read back for a work manager that starts or resumes it: the
 * submitted spec and its DAG, the run-time values and inputs, and for each tool its latest attempt
 * (number, resources, status).
 */
import { NotFoundError } from '../errors.js';
import type { StoredInput } from '../events/catalog.js';
import type { Resources } from '../scheduler/resources.js';
import type { AttemptStatus } from '../scheduler/status.js';
import { buildDag, type Dag } from '../spec/graph.js';
import type { FailureReason, ToolSpec, WorkflowSpec } from '../spec/types.js';
import type { ToolValues } from '../spec/values.js';
import type { Store } from '../store/store.js';

/** A task read back from the store. `tools` follows the order of the workflow (and of `dag`). */
export interface StoredTask {
  owner: string;
  failFast: boolean;
  /** True: the task was submitted with `--no-cache`. */
  noCache: boolean;
  values: ToolValues;
  inputs: Record<string, StoredInput>;
  /** Folder holding the task's work dirs, as recorded at submit; undefined for tasks of older versions. */
  workRoot: string | undefined;
  dag: Dag;
  /** Each tool's latest attempt; `failure` is the reason and message of one that failed. */
  tools: { spec: ToolSpec; attempt: number; resources: Resources; status: AttemptStatus; failure?: { reason: FailureReason; message: string }; times?: AttemptTimes }[];
}

/** When an attempt in flight was delivered, started and last heard of, epoch ms (null: not yet). */
export interface AttemptTimes {
  deliveredAt: number | null;
  startedAt: number | null;
  lastHeartbeatAt: number | null;
}

/**
 * Reads a task and the latest attempt of each of its tools (a tool with no attempt row yet is at
 * attempt 1, pending, with the resources it declares).
 * @throws NotFoundError when there is no such task; Error when its stored DAG is invalid.
 */
export async function loadStoredTask(store: Store, taskId: string): Promise<StoredTask> {
  const task = await store.getTask(taskId);
  if (!task) throw new NotFoundError(`no task ${taskId}`);
  const stored = JSON.parse(task.spec) as { spec: WorkflowSpec; failFast: boolean; noCache?: boolean };
  const { dag } = buildDag(stored.spec.tools);
  if (!dag) throw new Error(`task ${taskId} has an invalid DAG`);
  const latest = new Map<string, { attempt: number; status: AttemptStatus; resources: Resources; failure?: { reason: FailureReason; message: string }; times: AttemptTimes }>();
  const ms = (v: number | null) => (v === null ? null : Number(v));
  for (const r of await store.listToolRuns(taskId)) {
    const prev = latest.get(r.tool);
    if (!prev || r.attempt > prev.attempt) {
      latest.set(r.tool, {
        attempt: r.attempt,
        status: r.status,
        resources: { cpuMillicores: r.cpu_millicores, memBytes: r.mem_bytes, diskBytes: r.disk_bytes, timeSeconds: r.time_seconds },
        // The classification's message, without what the rerun policy may have added to it.
        times: { deliveredAt: ms(r.delivered_at), startedAt: ms(r.started_at), lastHeartbeatAt: ms(r.last_heartbeat_at) },
        ...(r.status === 'failed' ? { failure: { reason: r.reason ?? 'exit', message: (r.message ?? 'failed').replace(/; rerun: .*$/s, '') } } : {}),
      });
    }
  }
  return {
    owner: task.owner,
    failFast: stored.failFast,
    noCache: stored.noCache === true,
    values: JSON.parse(task.values_json) as ToolValues,
    inputs: JSON.parse(task.inputs_json) as Record<string, StoredInput>,
    workRoot: task.work_dir ?? undefined,
    dag,
    tools: stored.spec.tools.map((spec) => {
      const l = latest.get(spec.name);
      return {
        spec,
        attempt: l?.attempt ?? 1,
        resources: l?.resources ?? { cpuMillicores: spec.cpuMillicores, memBytes: spec.memBytes, diskBytes: spec.diskBytes, timeSeconds: spec.timeSeconds },
        status: l?.status ?? 'pending',
        ...(l?.failure ? { failure: l.failure } : {}),
        ...(l ? { times: l.times } : {}),
      };
    }),
  };
}
