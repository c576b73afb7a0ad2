/**
 * The functions of the event flow and how a process subscribes them to its bus. A module of its own
 * so that what needs only the list (the connector, the function processes, `toolflow dev`) does not
 * load the whole runtime.
 */
import { enqueue } from '../handlers/enqueue.js';
import { runFunction, type FunctionDef } from '../handlers/handler.js';
import { handleStatus } from '../handlers/handle-status.js';
import { notify } from '../handlers/notify.js';
import { rerunPolicy } from '../handlers/rerun-policy.js';
import { scheduleTool } from '../handlers/schedule-tool.js';
import { startWorkflow } from '../handlers/start-workflow.js';
import type { Ports } from './ports.js';

/** Every function of the event flow, in flow order (notify, an observer of it, last). */
export const FUNCTIONS: FunctionDef[] = [enqueue, startWorkflow, scheduleTool, handleStatus, rerunPolicy, notify];

/**
 * Subscribes each function to the bus: its returned events are published (and confirmed) before the
 * event that caused them is acknowledged. With `taskId`, subscribes them for that task only, under
 * the consumer name `<function>/<taskId>`. Fencing: `runFunction` (handlers/handler.ts).
 */
export function routeFunctions(ports: Ports, functions: FunctionDef[] = FUNCTIONS, taskId?: string): () => void {
  const offs = functions.map((f) =>
    ports.bus.subscribe(
      taskId === undefined ? f.name : `${f.name}/${taskId}`,
      f.consumes,
      async (event) => {
        const out = await runFunction(f, event, ports);
        if (out.length) await ports.bus.publish(out);
      },
      { ...(taskId === undefined ? {} : { taskId }), concurrency: f.concurrency ?? 1, ...(f.observer ? { background: true } : {}) },
    ),
  );
  return () => offs.forEach((off) => off());
}
