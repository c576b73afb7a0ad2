/**
 * The `start-workflow` function: on `task.queued`, moves the task to processing and launches its work manager, then emits `task.started`. A task-host function: it needs a process with work managers, so it runs in `toolflow dev` for now (`init` and `serve` refuse here, saying so).
 * Its HTTP contract is `shared/http/event-function.ts`'s (README, "Functions"). Runs under
 * faas-js-runtime (Knative: `toolflow function start-workflow`, or its CLI on this file), or as
 * `node dist/functions/start-workflow/index.js` behind OpenFaaS's of-watchdog (HTTP mode, any path, raw body).
 */
import { startWorkflow } from '../../shared/handlers/start-workflow.js';
import { eventFunction, functionModule, runIfMain } from '../../shared/http/function-module.js';

const fn = functionModule(eventFunction(startWorkflow));

export const { init, shutdown, handle, liveness, readiness, serve, bodyLimit } = fn;
/** The function's definition: name, consumed types, placement, handler. */
export const definition = startWorkflow;

runIfMain(import.meta.url, fn);
