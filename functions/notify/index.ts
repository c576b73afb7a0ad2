/**
 * The `notify` function: tells people when a task fails (and, by `TOOLFLOW_NOTIFY_EVENTS`, when one
 * succeeds or is cancelled, a tool fails or is rerun), and passes Alertmanager's alerts on, to
 * DingTalk custom robots (signed markdown, 20 a minute with the rest folded into a digest) and a
 * generic JSON webhook. A shared function that only reads the store: a notification that fails
 * never changes a task. It runs as one replica (the rate limit is counted in its memory).
 * Its HTTP contract is `shared/notify/notify-function.ts`'s: CloudEvents as every event function
 * takes them (README, "Functions"), and Alertmanager's webhook (bearer
 * `TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN`). Runs under faas-js-runtime (Knative: `toolflow function
 * notify`), or as `node dist/functions/notify/index.js` behind OpenFaaS's of-watchdog (HTTP mode).
 */
import { notify } from '../../shared/handlers/notify.js';
import { functionModule, runIfMain } from '../../shared/http/function-module.js';
import { notifyHttpFunction } from '../../shared/notify/notify-function.js';

const fn = functionModule(notifyHttpFunction());

export const { init, shutdown, handle, liveness, readiness, serve, bodyLimit } = fn;
/** The function's definition: name, consumed types, placement, handler. */
export const definition = notify;

runIfMain(import.meta.url, fn);
