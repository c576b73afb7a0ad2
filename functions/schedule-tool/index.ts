/**
 * The `schedule-tool` function: on `tool.ready`, marks the attempt delivered and hands it to the executor of the task's host. A task-host function: it needs a process with an executor, so it runs in `toolflow dev` for now (`init` and `serve` refuse here, saying so).
 * Its HTTP contract is `shared/http/event-function.ts`'s (README, "Functions"). Runs under
 * faas-js-runtime (Knative: `toolflow function schedule-tool`, or its CLI on this file), or as
 * `node dist/functions/schedule-tool/index.js` behind OpenFaaS's of-watchdog (HTTP mode, any path, raw body).
 */
import { scheduleTool } from '../../shared/handlers/schedule-tool.js';
import { eventFunction, functionModule, runIfMain } from '../../shared/http/function-module.js';

const fn = functionModule(eventFunction(scheduleTool));

export const { init, shutdown, handle, liveness, readiness, serve, bodyLimit } = fn;
/** The function's definition: name, consumed types, placement, handler. */
export const definition = scheduleTool;

runIfMain(import.meta.url, fn);
