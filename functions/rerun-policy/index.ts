/**
 * The `rerun-policy` function: on `tool.attempt.failed`, records the next attempt with grown resources and emits `tool.retrying`, or gives up with `tool.failed`. A shared function: it runs on its own; its cap is the executor capacity of `TOOLFLOW_CPUS` / `TOOLFLOW_MEMORY` (else this machine's).
 * Its HTTP contract is `shared/http/event-function.ts`'s (README, "Functions"). Runs under
 * faas-js-runtime (Knative: `toolflow function rerun-policy`, or its CLI on this file), or as
 * `node dist/functions/rerun-policy/index.js` behind OpenFaaS's of-watchdog (HTTP mode, any path, raw body).
 */
import { rerunPolicy } from '../../shared/handlers/rerun-policy.js';
import { eventFunction, functionModule, runIfMain } from '../../shared/http/function-module.js';

const fn = functionModule(eventFunction(rerunPolicy));

export const { init, shutdown, handle, liveness, readiness, serve, bodyLimit } = fn;
/** The function's definition: name, consumed types, placement, handler. */
export const definition = rerunPolicy;

runIfMain(import.meta.url, fn);
