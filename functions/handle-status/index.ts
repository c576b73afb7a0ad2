/**
 * The `handle-status` function: persists what happened to a tool or a task (started, keepalive, exited, skipped, cancelled; task finished) with conditional moves, and classifies an exit into `tool.succeeded` or `tool.attempt.failed`. A shared function: it runs on its own.
 * Its HTTP contract is `shared/http/event-function.ts`'s (README, "Functions"). Runs under
 * faas-js-runtime (Knative: `toolflow function handle-status`, or its CLI on this file), or as
 * `node dist/functions/handle-status/index.js` behind OpenFaaS's of-watchdog (HTTP mode, any path, raw body).
 */
import { handleStatus } from '../../shared/handlers/handle-status.js';
import { eventFunction, functionModule, runIfMain } from '../../shared/http/function-module.js';

const fn = functionModule(eventFunction(handleStatus));

export const { init, shutdown, handle, liveness, readiness, serve, bodyLimit } = fn;
/** The function's definition: name, consumed types, placement, handler. */
export const definition = handleStatus;

runIfMain(import.meta.url, fn);
