/**
 * The `enqueue` function: on `task.submitted`, records the task and the first attempt of each tool under the task's lock, and emits `task.queued`. A shared function: it runs on its own (`toolflow function enqueue`).
 * Its HTTP contract is `shared/http/event-function.ts`'s (README, "Functions"). Runs under
 * faas-js-runtime (Knative: `toolflow function enqueue`, or its CLI on this file), or as
 * `node dist/functions/enqueue/index.js` behind OpenFaaS's of-watchdog (HTTP mode, any path, raw body).
 */
import { enqueue } from '../../shared/handlers/enqueue.js';
import { eventFunction, functionModule, runIfMain } from '../../shared/http/function-module.js';

const fn = functionModule(eventFunction(enqueue));

export const { init, shutdown, handle, liveness, readiness, serve, bodyLimit } = fn;
/** The function's definition: name, consumed types, placement, handler. */
export const definition = enqueue;

runIfMain(import.meta.url, fn);
